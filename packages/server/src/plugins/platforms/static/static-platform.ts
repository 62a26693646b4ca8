/**
 * The `static` platform: each version is a list of URLs you run yourself (another machine, a
 * container, `npm start` in a terminal). Ramp only checks they are ready; it never starts or stops
 * anything, so scale() is unsupported and teardown just forgets the version.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DelayedTeardowns } from "../delayed-teardowns.js";
import { describeVersion, PlatformError } from "../errors.js";
import { probe } from "../http-probe.js";
import type {
  Deployment,
  DeploymentStatus,
  DeployRequest,
  LogLine,
  Platform,
  ReadinessProbe,
  TeardownOptions,
  TeardownOutcome,
} from "../platform.js";
import { checkDelay, checkDeployRequest, checkNames, deploymentKey } from "../request.js";

export interface StaticPlatformOptions {
  /** Timeout of one probe (deploy and status); default 1000 ms. */
  readonly probeTimeoutMs?: number;
  /** The clock of teardown deadlines; default the system clock. */
  readonly clock?: () => Date;
}

interface StaticDeployment {
  readonly service: string;
  readonly version: string;
  readonly urls: readonly string[];
  readonly readiness: ReadinessProbe;
}

export class StaticPlatform implements Platform {
  readonly type = "static";
  readonly #deployments = new Map<string, StaticDeployment>();
  readonly #teardowns: DelayedTeardowns;
  readonly #probeTimeoutMs: number;
  #closed = false;

  constructor(options: StaticPlatformOptions = {}) {
    this.#teardowns = new DelayedTeardowns(options.clock);
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 1000;
  }

  /** One replica per URL: `replicas` is checked but the URLs decide. */
  async deploy(request: DeployRequest): Promise<Deployment> {
    const began = Date.now();
    this.#assertOpen();
    const readiness = checkDeployRequest(request);
    const urls = checkUrls(request);
    const { service, version } = request;
    const key = deploymentKey(service, version);
    this.#teardowns.cancel(key);
    const existing = this.#deployments.get(key);
    if (existing !== undefined && JSON.stringify(existing.urls) !== JSON.stringify(urls)) {
      throw new PlatformError(
        "SPEC_CONFLICT",
        `${describeVersion(service, version)} is already deployed at ${existing.urls.join(", ")}: tear it down first, or deploy under a new version`,
      );
    }
    const entry = existing ?? { service, version, urls, readiness };
    this.#deployments.set(key, entry);
    const failures = await this.#waitReady(entry, began + readiness.timeoutMs, key);
    if (this.#deployments.get(key) !== entry) {
      throw new PlatformError(
        "TORN_DOWN",
        `${describeVersion(service, version)} was torn down while waiting for it`,
      );
    }
    if (failures.length > 0) {
      if (existing === undefined) this.#deployments.delete(key);
      throw new PlatformError(
        "READINESS_TIMEOUT",
        `${describeVersion(service, version)}: not ready after ${readiness.timeoutMs} ms: ${failures.join("; ")}`,
      );
    }
    return { service, version, targets: urls, ready: true };
  }

  async scale(service: string, version: string, _replicas?: number): Promise<Deployment> {
    checkNames(service, version);
    throw new PlatformError(
      "UNSUPPORTED",
      `${describeVersion(service, version)}: the static platform runs nothing itself; scale the service where it runs`,
    );
  }

  async status(service: string, version: string): Promise<DeploymentStatus> {
    checkNames(service, version);
    const key = deploymentKey(service, version);
    const entry = this.#deployments.get(key);
    if (entry === undefined) return { service, version, replicas: [] };
    const results = await Promise.all(
      entry.urls.map((url) => probe(url, entry.readiness.path, this.#probeTimeoutMs)),
    );
    const teardownAt = this.#teardowns.deadline(key);
    return {
      service,
      version,
      replicas: entry.urls.map((url, replica) => ({
        replica,
        url,
        ready: results[replica]?.ok === true,
        restarts: 0,
      })),
      ...(teardownAt !== undefined && { teardownAt }),
    };
  }

  teardown(service: string, version: string, options: TeardownOptions = {}): Promise<TeardownOutcome> {
    try {
      checkNames(service, version);
      const delayMs = checkDelay(service, version, options.delayMs);
      const key = deploymentKey(service, version);
      return this.#teardowns.schedule(key, delayMs, async () => {
        this.#deployments.delete(key);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  cancelTeardown(service: string, version: string): boolean {
    checkNames(service, version);
    return this.#teardowns.cancel(deploymentKey(service, version));
  }

  /** The services write their logs where they run. */
  async logs(service: string, version: string): Promise<LogLine[]> {
    checkNames(service, version);
    return [];
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#deployments.clear();
    this.#teardowns.settleAllWith(Promise.resolve());
  }

  /** Probes every URL until each passes `successThreshold` times in a row; the failures at the deadline. */
  async #waitReady(entry: StaticDeployment, deadline: number, key: string): Promise<string[]> {
    const { readiness } = entry;
    const streaks = entry.urls.map(() => 0);
    const reasons = entry.urls.map(() => "no probe answered yet");
    for (;;) {
      await Promise.all(
        entry.urls.map(async (url, i) => {
          if ((streaks[i] ?? 0) >= readiness.successThreshold) return;
          // Not cut short at the deadline: a probe timed out by us would hide the real answer.
          const result = await probe(url, readiness.path, this.#probeTimeoutMs);
          streaks[i] = result.ok ? (streaks[i] ?? 0) + 1 : 0;
          if (!result.ok) reasons[i] = `${url}: GET ${readiness.path}: ${result.reason}`;
        }),
      );
      const failing = entry.urls.flatMap((_, i) =>
        (streaks[i] ?? 0) >= readiness.successThreshold ? [] : [reasons[i] ?? ""],
      );
      if (failing.length === 0 || this.#deployments.get(key) !== entry) return [];
      if (Date.now() + readiness.intervalMs > deadline) return failing;
      await sleep(readiness.intervalMs);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new PlatformError("CLOSED", "the static platform is closed");
  }
}

function checkUrls(request: DeployRequest): string[] {
  const where = describeVersion(request.service, request.version);
  const invalid = (message: string) => new PlatformError("INVALID_REQUEST", `${where}: ${message}`);
  if (request.command !== undefined || request.env !== undefined || request.cwd !== undefined) {
    throw invalid(
      "the static platform runs nothing: remove 'command', 'env' and 'cwd' (they are for the process platform), and give 'urls'",
    );
  }
  const { urls } = request;
  if (!Array.isArray(urls) || urls.length === 0) {
    throw invalid(
      `'urls' must list the version's base URLs, e.g. ["http://127.0.0.1:8081"], got ${JSON.stringify(urls)}`,
    );
  }
  return urls.map((url, i) => {
    let parsed: URL | undefined;
    try {
      parsed = typeof url === "string" ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw invalid(`urls[${i}] must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
    }
    return url;
  });
}
