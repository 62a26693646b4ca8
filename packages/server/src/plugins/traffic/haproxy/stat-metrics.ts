/**
 * Per-version request counts from HAProxy's `show stat` (cumulative per-server counters), sampled
 * every second: the difference between samples is credited to the version the slot served then.
 * This lets the builtin analysis provider judge a canary behind HAProxy. HAProxy keeps no latency
 * distribution per server, so latency percentiles are NaN (use Prometheus for latency).
 */
import type {
  TrafficVersion,
  VersionMetricsSource,
  VersionWindow,
  VersionWindowQuery,
} from "../../metrics/builtin/version-metrics.js";

/** Cumulative counters of one server. */
export interface ServerCounters {
  readonly responses: number;
  readonly errors: number;
}

/** Parses `show stat` CSV: the servers of `backend`, by name. */
export function parseShowStat(text: string, backend: string): Map<string, ServerCounters> {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = lines[0]?.replace(/^# /, "").split(",") ?? [];
  const col = (name: string) => header.indexOf(name);
  const [px, sv] = [col("pxname"), col("svname")];
  const hrsp = ["hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"].map(col);
  const [h5, eresp, econ] = [col("hrsp_5xx"), col("eresp"), col("econ")];
  if (px < 0 || sv < 0 || h5 < 0)
    throw new Error(`HAProxy: unexpected 'show stat' answer: ${lines[0] ?? ""}`);
  const out = new Map<string, ServerCounters>();
  for (const line of lines.slice(1)) {
    const f = line.split(",");
    if (f[px] !== backend || f[sv] === "FRONTEND" || f[sv] === "BACKEND") continue;
    const n = (i: number) => (i < 0 ? 0 : Number(f[i]) || 0);
    // A failed exchange is answered by HAProxy itself (502/503), not counted in the server's hrsp_*.
    const failed = n(eresp) + n(econ);
    out.set(f[sv] ?? "", {
      responses: hrsp.reduce((sum, i) => sum + n(i), 0) + failed,
      errors: n(h5) + failed,
    });
  }
  return out;
}

/** Which role and version a server slot serves. */
export interface SlotRole {
  readonly role: TrafficVersion;
  readonly version: string;
}

interface Interval {
  readonly fromMs: number;
  readonly toMs: number;
  readonly role: TrafficVersion;
  readonly version: string;
  readonly requests: number;
  readonly errors: number;
}

const KEEP_MS = 15 * 60_000;

export class HaproxyStatMetrics implements VersionMetricsSource {
  #last: { atMs: number; counters: Map<string, ServerCounters> } | undefined;
  #intervals: Interval[] = [];
  #roles = new Map<string, SlotRole>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #sampling: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<Map<string, ServerCounters>>,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 1_000,
  ) {}

  /** What each slot serves from now on (the router calls it after each change). */
  async setRoles(roles: ReadonlyMap<string, SlotRole>): Promise<void> {
    // Traffic before the change belongs to the previous roles.
    await this.sample().catch(() => undefined);
    this.#roles = new Map(roles);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.sample().catch(() => undefined), this.everyMs);
      this.#timer.unref?.();
    }
  }

  /** Takes a sample now (concurrent callers share one). */
  sample(): Promise<void> {
    this.#sampling ??= this.#sample().finally(() => {
      this.#sampling = undefined;
    });
    return this.#sampling;
  }

  async #sample(): Promise<void> {
    const counters = await this.read();
    const atMs = this.now();
    const last = this.#last;
    this.#last = { atMs, counters };
    if (last === undefined) return;
    for (const [slot, c] of counters) {
      const role = this.#roles.get(slot);
      if (role === undefined) continue;
      const before = last.counters.get(slot) ?? { responses: 0, errors: 0 };
      // Counters that went down mean HAProxy restarted: everything counted since is new.
      const restarted = c.responses < before.responses;
      const requests = restarted ? c.responses : c.responses - before.responses;
      const errors = restarted ? c.errors : c.errors - before.errors;
      if (requests > 0) this.#intervals.push({ fromMs: last.atMs, toMs: atMs, ...role, requests, errors });
    }
    this.#intervals = this.#intervals.filter((i) => i.toMs > atMs - KEEP_MS);
  }

  async window(q: VersionWindowQuery): Promise<VersionWindow> {
    await this.sample().catch(() => undefined);
    const revision = q.revision ?? [...this.#roles.values()].find((r) => r.role === q.version)?.version;
    const inWindow = this.#intervals.filter(
      (i) => i.toMs > q.sinceMs && i.role === q.version && (revision === undefined || i.version === revision),
    );
    const requests = inWindow.reduce((n, i) => n + i.requests, 0);
    const errors5xx = inWindow.reduce((n, i) => n + i.errors, 0);
    const fromMs = inWindow.reduce((m, i) => Math.min(m, i.fromMs), q.sinceMs);
    return {
      requests,
      errors5xx,
      successRate: requests === 0 ? Number.NaN : (requests - errors5xx) / requests,
      latency: { p50: Number.NaN, p90: Number.NaN, p95: Number.NaN, p99: Number.NaN },
      fromMs,
    };
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
