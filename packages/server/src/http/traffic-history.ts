/**
 * Live traffic over time for the dashboard's rollout charts: every step (2 s, the built-in proxy's
 * window) the rollouts this replica runs are read through their routers' per-version windows and one
 * point per version is kept, for five minutes. Sampling through the router interface, rather than
 * reaching into one data plane, serves every router that measures (the built-in proxy, or any other).
 */
import type { RolloutTraffic } from "../rollouts/shell/traffic.js";

export const TRAFFIC_STEP_MS = 2_000;
export const TRAFFIC_KEEP_SECONDS = 300;

export interface TrafficSource {
  /** The rollouts whose routers are in this process. */
  running(): string[];
  traffic(name: string, sinceMs: number): Promise<RolloutTraffic | undefined>;
}

export interface TrafficPoint {
  /** Epoch seconds of the sample. */
  readonly t: number;
  readonly requestsPerSecond: number;
  /** Share of 5xx answers; null without requests. */
  readonly errorRate: number | null;
  /** Null without requests. */
  readonly p99Ms: number | null;
}

export interface VersionSeries {
  /** The role the version holds in the latest sample. */
  role: "stable" | "canary";
  readonly version: string;
  readonly points: TrafficPoint[];
}

export interface TrafficSeriesReport {
  readonly name: string;
  /** False when the rollout's router measures nothing, or another replica runs it. */
  readonly measured: boolean;
  readonly stepSeconds: number;
  readonly versions: readonly VersionSeries[];
}

export interface TrafficHistoryOptions {
  readonly stepMs?: number;
  readonly keepSeconds?: number;
  readonly now?: () => number;
}

export class TrafficHistory {
  readonly #rollouts = new Map<string, { measured: boolean; versions: Map<string, VersionSeries> }>();
  readonly #stepMs: number;
  readonly #keepSeconds: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #sampling = false;

  constructor(
    private readonly source: TrafficSource,
    options: TrafficHistoryOptions = {},
  ) {
    this.#stepMs = options.stepMs ?? TRAFFIC_STEP_MS;
    this.#keepSeconds = options.keepSeconds ?? TRAFFIC_KEEP_SECONDS;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.sample(), this.#stepMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One point per routed version of every running rollout; a tick that finds the last still running is skipped. */
  async sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const running = new Set(this.source.running());
      // A rollout no longer run here (deleted, or the lease moved) has no router here: forget it.
      for (const name of this.#rollouts.keys()) if (!running.has(name)) this.#rollouts.delete(name);
      for (const name of running) {
        const now = this.#now();
        const traffic = await this.source.traffic(name, now - this.#stepMs).catch(() => undefined);
        this.#record(name, traffic, now);
      }
    } finally {
      this.#sampling = false;
    }
  }

  /** The last `seconds` of one rollout. */
  series(name: string, seconds: number): TrafficSeriesReport {
    const stepSeconds = this.#stepMs / 1000;
    const r = this.#rollouts.get(name);
    if (r === undefined || !r.measured) return { name, measured: false, stepSeconds, versions: [] };
    const since = Math.floor(this.#now() / 1000) - seconds;
    const versions = [...r.versions.values()]
      .map((v) => ({ role: v.role, version: v.version, points: v.points.filter((p) => p.t > since) }))
      .filter((v) => v.points.length > 0)
      .sort((a, b) => (a.role === b.role ? 0 : a.role === "stable" ? -1 : 1));
    return { name, measured: true, stepSeconds, versions };
  }

  #record(name: string, traffic: RolloutTraffic | undefined, now: number): void {
    let r = this.#rollouts.get(name);
    if (r === undefined) {
      r = { measured: false, versions: new Map() };
      this.#rollouts.set(name, r);
    }
    r.measured = traffic !== undefined;
    const t = Math.floor(now / 1000);
    for (const v of traffic?.versions ?? []) {
      let s = r.versions.get(v.version);
      if (s === undefined) {
        s = { role: v.role, version: v.version, points: [] };
        r.versions.set(v.version, s);
      }
      s.role = v.role;
      const w = v.window;
      // The router rounds the start down to its own window: the period is what it actually counted.
      const seconds = Math.max(this.#stepMs, now - (w.fromMs ?? now - this.#stepMs)) / 1000;
      s.points.push({
        t,
        requestsPerSecond: w.requests / seconds,
        errorRate: w.requests === 0 ? null : w.errors5xx / w.requests,
        p99Ms: w.requests === 0 || !Number.isFinite(w.latency.p99) ? null : w.latency.p99,
      });
    }
    const oldest = t - this.#keepSeconds;
    for (const [version, s] of r.versions) {
      while (s.points.length > 0 && (s.points[0]?.t ?? 0) <= oldest) s.points.shift();
      if (s.points.length === 0) r.versions.delete(version);
    }
  }
}
