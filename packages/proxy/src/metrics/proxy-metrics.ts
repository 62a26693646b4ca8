/**
 * The proxy's per-version metrics: Prometheus text for scraping, and `window()` for the built-in
 * metric provider, which reads counts, quantiles and raw samples of a recent period in process.
 */
import type { Role } from "../route.js";
import { type RoutingState, renderPrometheus } from "./prometheus.js";
import { VersionSeries } from "./series.js";
import { type Collected, DEFAULT_WINDOW_OPTIONS, type WindowOptions, weightedQuantiles } from "./window.js";

export interface WindowQuery {
  /** "stable" or "canary": the role, whatever version string is in it. */
  readonly version: Role;
  /** Only this version string (e.g. "v2"); by default every revision that held the role. */
  readonly revision?: string;
  /** Start of the period, epoch milliseconds; rounded down to the start of its window. */
  readonly sinceMs: number;
  /** Defaults to the configured service. */
  readonly service?: string;
}

export interface LatencyQuantiles {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** One version's traffic over a period. Rates and quantiles are null when there were no requests. */
export interface WindowStats {
  readonly requests: number;
  readonly errors5xx: number;
  /** Share of requests answered below 500; null without requests (no data is never a pass). */
  readonly successRate: number | null;
  /** Milliseconds, from the samples, each weighted by how many requests it stands for. */
  readonly latency: LatencyQuantiles;
  /**
   * Raw samples, `latenciesMs[i]` and `outcomes[i]` (true = below 500) from the same request. Each window
   * keeps at most `samples` of its requests, so busy windows are under-represented.
   */
  readonly samples: { readonly latenciesMs: number[]; readonly outcomes: boolean[] };
  /** The period covered: start of the oldest window with data (or the query's start), and now. */
  readonly fromMs: number;
  readonly toMs: number;
}

export class ProxyMetrics {
  private readonly series = new Map<string, VersionSeries>();
  private state: RoutingState | undefined;
  private readonly windowOptions: WindowOptions;

  constructor(
    private readonly now: () => number,
    private readonly random: () => number,
    windows: Partial<WindowOptions> = {},
  ) {
    this.windowOptions = { ...DEFAULT_WINDOW_OPTIONS, ...windows };
  }

  /**
   * Counts, error rate, latency quantiles and raw samples of one version since `sinceMs`.
   *
   * @example
   * const canary = proxy.metrics.window({ version: "canary", sinceMs: Date.now() - 60_000 });
   * if (canary.requests >= 100 && (canary.successRate ?? 0) < 0.95) abort();
   */
  window(query: WindowQuery): WindowStats {
    const now = this.now();
    const service = query.service ?? this.state?.service;
    const into: Collected = {
      requests: 0,
      errors5xx: 0,
      firstWindowMs: Number.POSITIVE_INFINITY,
      latenciesMs: [],
      outcomes: [],
      weights: [],
    };
    for (const s of this.series.values()) {
      if (s.role !== query.version || (service !== undefined && s.service !== service)) continue;
      if (query.revision !== undefined && s.revision !== query.revision) continue;
      s.windows.collect(query.sinceMs, now, into);
    }
    const [p50 = null, p90 = null, p95 = null, p99 = null] = weightedQuantiles(
      into.latenciesMs,
      into.weights,
      [0.5, 0.9, 0.95, 0.99],
    );
    return {
      requests: into.requests,
      errors5xx: into.errors5xx,
      successRate: into.requests === 0 ? null : (into.requests - into.errors5xx) / into.requests,
      latency: { p50, p90, p95, p99 },
      samples: { latenciesMs: into.latenciesMs, outcomes: into.outcomes },
      fromMs: Math.min(into.firstWindowMs, query.sinceMs),
      toMs: now,
    };
  }

  /** The metrics in Prometheus text format 0.0.4 (serve as `PROMETHEUS_CONTENT_TYPE`). */
  prometheus(): string {
    return renderPrometheus([...this.series.values()], this.state);
  }

  /** @internal The series requests of (service, role, revision) are recorded in. */
  seriesFor(service: string, role: Role, revision: string): VersionSeries {
    const key = `${service}\u0000${role}\u0000${revision}`;
    let s = this.series.get(key);
    if (s === undefined) {
      s = new VersionSeries(service, role, revision, this.windowOptions, this.random);
      this.series.set(key, s);
    }
    return s;
  }

  /** @internal Called by the proxy on every configuration. */
  setState(state: RoutingState): void {
    this.state = state;
  }
}
