/**
 * Per-version request metrics from nginx's access log, for the builtin analysis provider. Ramp's
 * file defines `log_format ramp_<upstream>` (time, status, upstream response time, upstream
 * address); a location that logs with it (`access_log /var/log/nginx/ramp.log ramp_checkout;`)
 * lets Ramp tail the log and credit each request to the version whose target answered it.
 */
import { open, stat } from "node:fs/promises";
import { weightedQuantiles } from "@ramp/proxy";
import type {
  TrafficVersion,
  VersionMetricsSource,
  VersionWindow,
  VersionWindowQuery,
} from "../../metrics/builtin/version-metrics.js";
import type { RouteState } from "../router.js";
import { serverAddress } from "./render.js";

interface Served {
  readonly role: TrafficVersion;
  readonly version: string;
}

interface LogRecord extends Served {
  readonly atMs: number;
  readonly status: number;
  readonly latencyMs: number;
}

const KEEP_MS = 15 * 60_000;
const MAX_RECORDS = 300_000;
/** Read at most this much of the log per call (a huge backlog is read over several calls). */
const MAX_READ = 16 * 1024 * 1024;

/** Parses one line of render.ts's ACCESS_LOG_FORMAT; undefined for lines nginx answered itself (no upstream). */
export function parseAccessLine(
  line: string,
): { atMs: number; status: number; latencyMs: number; address: string } | undefined {
  const f = line.split("|");
  if (f.length !== 4) return undefined;
  const address = (f[3] ?? "").split(",").pop()?.trim() ?? "";
  const latency = (f[2] ?? "").split(",").pop()?.trim() ?? "";
  const atMs = Number(f[0]) * 1000;
  const status = Number(f[1]);
  if (address === "" || address === "-" || !Number.isFinite(atMs) || !Number.isFinite(status))
    return undefined;
  return { atMs, status, latencyMs: Number(latency) * 1000, address };
}

export class AccessLogMetrics implements VersionMetricsSource {
  #offset: number | undefined;
  #partial = "";
  #records: LogRecord[] = [];
  /** Which address served which version, from each apply on. */
  #routing: { fromMs: number; served: Map<string, Served> }[] = [];
  #reading: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the targets of `state` (called after each apply); traffic before is read first. */
  async routes(state: RouteState): Promise<void> {
    await this.read().catch(() => undefined);
    const served = new Map<string, Served>();
    const add = (role: TrafficVersion, version: string, targets: readonly string[]) => {
      for (const t of targets) served.set(serverAddress(t), { role, version });
    };
    add("stable", state.stable.version, state.stable.targets);
    if (state.canary !== null) add("canary", state.canary.version, state.canary.targets);
    this.#routing.push({ fromMs: this.now(), served });
    this.#routing = this.#routing.slice(-50);
  }

  /** Reads what nginx appended since the last read (concurrent callers share one read). */
  read(): Promise<void> {
    this.#reading ??= this.#read().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #read(): Promise<void> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    // The first read starts at the end: what was logged before Ramp routed is not Ramp's business.
    if (this.#offset === undefined || size < this.#offset) {
      const rotated = this.#offset !== undefined;
      this.#offset = rotated ? 0 : size;
      this.#partial = "";
      if (!rotated) return;
    }
    if (size === this.#offset) return;
    const length = Math.min(size - this.#offset, MAX_READ);
    const handle = await open(this.file, "r");
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.#offset);
      this.#offset += bytesRead;
      const lines = (this.#partial + buffer.subarray(0, bytesRead).toString("utf8")).split("\n");
      this.#partial = lines.pop() ?? "";
      for (const line of lines) this.#add(line);
    } finally {
      await handle.close();
    }
    const horizon = this.now() - KEEP_MS;
    const keepFrom = Math.max(
      this.#records.findIndex((r) => r.atMs >= horizon),
      this.#records.length - MAX_RECORDS,
    );
    if (keepFrom > 0) this.#records = this.#records.slice(keepFrom);
  }

  #add(line: string): void {
    const parsed = parseAccessLine(line);
    if (parsed === undefined) return;
    const served = this.#servedAt(parsed.address, parsed.atMs);
    if (served === undefined) return;
    this.#records.push({ ...served, atMs: parsed.atMs, status: parsed.status, latencyMs: parsed.latencyMs });
  }

  /** The version the address served at `atMs`: the routing in force then, else the latest that knew it. */
  #servedAt(address: string, atMs: number): Served | undefined {
    for (let i = this.#routing.length - 1; i >= 0; i--) {
      const r = this.#routing[i];
      if (r !== undefined && r.fromMs <= atMs && r.served.has(address)) return r.served.get(address);
    }
    for (let i = this.#routing.length - 1; i >= 0; i--) {
      const s = this.#routing[i]?.served.get(address);
      if (s !== undefined) return s;
    }
    return undefined;
  }

  async window(q: VersionWindowQuery): Promise<VersionWindow> {
    await this.read().catch(() => undefined);
    const latest = this.#routing[this.#routing.length - 1];
    const revision =
      q.revision ?? [...(latest?.served.values() ?? [])].find((s) => s.role === q.version)?.version;
    const inWindow = this.#records.filter(
      (r) =>
        r.atMs >= q.sinceMs && r.role === q.version && (revision === undefined || r.version === revision),
    );
    const errors5xx = inWindow.filter((r) => r.status >= 500).length;
    const latencies = inWindow.map((r) => r.latencyMs).filter(Number.isFinite);
    // Every logged request is kept, so each weighs one: the proxy's nearest-rank quantiles.
    const [p50, p90, p95, p99] = weightedQuantiles(
      latencies,
      latencies.map(() => 1),
      [0.5, 0.9, 0.95, 0.99],
    );
    return {
      requests: inWindow.length,
      errors5xx,
      successRate: inWindow.length === 0 ? Number.NaN : (inWindow.length - errors5xx) / inWindow.length,
      latency: {
        p50: p50 ?? Number.NaN,
        p90: p90 ?? Number.NaN,
        p95: p95 ?? Number.NaN,
        p99: p99 ?? Number.NaN,
      },
    };
  }
}
