/**
 * The `noop` platform: deployments that exist only in memory, ready at once, for controller tests
 * and dry runs. Its targets are `http://noop.invalid/…` URLs that nothing answers. `calls` records
 * every call so a test can assert what the controller asked for.
 */
import { DelayedTeardowns } from "../delayed-teardowns.js";
import { describeVersion, PlatformError } from "../errors.js";
import type {
  Deployment,
  DeploymentStatus,
  DeployRequest,
  LogLine,
  Platform,
  TeardownOptions,
  TeardownOutcome,
} from "../platform.js";
import { checkDelay, checkDeployRequest, checkNames, checkReplicas, deploymentKey } from "../request.js";

export interface NoopPlatformOptions {
  /** Whether a deploy becomes ready; when false it fails with READINESS_TIMEOUT at once. Default: always. */
  readonly ready?: (request: DeployRequest) => boolean;
  /** The clock of teardown deadlines; default the system clock. */
  readonly clock?: () => Date;
}

export type NoopCall =
  | { readonly method: "deploy"; readonly request: DeployRequest }
  | {
      readonly method: "scale";
      readonly service: string;
      readonly version: string;
      readonly replicas: number;
    }
  | {
      readonly method: "teardown";
      readonly service: string;
      readonly version: string;
      readonly delayMs: number;
    }
  | { readonly method: "cancelTeardown"; readonly service: string; readonly version: string };

interface NoopDeployment {
  readonly service: string;
  readonly version: string;
  replicas: number;
}

export class NoopPlatform implements Platform {
  readonly type = "noop";
  readonly calls: NoopCall[] = [];
  readonly #deployments = new Map<string, NoopDeployment>();
  readonly #teardowns: DelayedTeardowns;
  readonly #ready: (request: DeployRequest) => boolean;
  #closed = false;

  constructor(options: NoopPlatformOptions = {}) {
    this.#teardowns = new DelayedTeardowns(options.clock);
    this.#ready = options.ready ?? (() => true);
  }

  async deploy(request: DeployRequest): Promise<Deployment> {
    this.#assertOpen();
    this.calls.push({ method: "deploy", request });
    checkDeployRequest(request);
    const { service, version, replicas } = request;
    const key = deploymentKey(service, version);
    this.#teardowns.cancel(key);
    if (!this.#ready(request)) {
      this.#deployments.delete(key);
      throw new PlatformError(
        "READINESS_TIMEOUT",
        `${describeVersion(service, version)}: not ready (the noop platform was told to fail it)`,
      );
    }
    const entry = this.#deployments.get(key) ?? { service, version, replicas };
    entry.replicas = replicas;
    this.#deployments.set(key, entry);
    return toDeployment(entry);
  }

  async scale(service: string, version: string, replicas: number): Promise<Deployment> {
    this.#assertOpen();
    this.calls.push({ method: "scale", service, version, replicas });
    checkNames(service, version);
    checkReplicas(service, version, replicas);
    const entry = this.#deployments.get(deploymentKey(service, version));
    if (entry === undefined) {
      throw new PlatformError(
        "NOT_DEPLOYED",
        `${describeVersion(service, version)} is not deployed: deploy it first`,
      );
    }
    entry.replicas = replicas;
    return toDeployment(entry);
  }

  async status(service: string, version: string): Promise<DeploymentStatus> {
    checkNames(service, version);
    const key = deploymentKey(service, version);
    const entry = this.#deployments.get(key);
    const teardownAt = this.#teardowns.deadline(key);
    return {
      service,
      version,
      replicas:
        entry === undefined
          ? []
          : targetsOf(entry).map((url, replica) => ({ replica, url, ready: true, restarts: 0 })),
      ...(teardownAt !== undefined && { teardownAt }),
    };
  }

  teardown(service: string, version: string, options: TeardownOptions = {}): Promise<TeardownOutcome> {
    try {
      checkNames(service, version);
      const delayMs = checkDelay(service, version, options.delayMs);
      this.calls.push({ method: "teardown", service, version, delayMs });
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
    this.calls.push({ method: "cancelTeardown", service, version });
    return this.#teardowns.cancel(deploymentKey(service, version));
  }

  async logs(service: string, version: string): Promise<LogLine[]> {
    checkNames(service, version);
    return [];
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#deployments.clear();
    this.#teardowns.settleAllWith(Promise.resolve());
  }

  #assertOpen(): void {
    if (this.#closed) throw new PlatformError("CLOSED", "the noop platform is closed");
  }
}

function targetsOf(entry: NoopDeployment): string[] {
  const base = `http://noop.invalid/${encodeURIComponent(entry.service)}/${encodeURIComponent(entry.version)}`;
  return Array.from({ length: entry.replicas }, (_, i) => `${base}/${i}`);
}

function toDeployment(entry: NoopDeployment): Deployment {
  return { service: entry.service, version: entry.version, targets: targetsOf(entry), ready: true };
}
