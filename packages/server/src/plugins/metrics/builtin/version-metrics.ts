/**
 * What the built-in provider reads: request counts, errors and latency per version over a recent
 * window. The built-in proxy (packages/proxy) implements it; anything else that sees the traffic can.
 */

export type TrafficVersion = "stable" | "canary";

export interface VersionWindowQuery {
  /** The service, when one proxy splits more than one. */
  readonly service?: string;
  readonly version: TrafficVersion;
  /**
   * Only this version string (e.g. "v2"). Without it, the version now in the role: a canary's
   * numbers never include an earlier canary's traffic.
   */
  readonly revision?: string;
  /** Start of the window, in milliseconds since the epoch; the window ends now. */
  readonly sinceMs: number;
}

/** Traffic of one version in one window. */
export interface VersionWindow {
  readonly requests: number;
  /** Responses with a 5xx status. */
  readonly errors5xx: number;
  /** Fraction of requests that succeeded (0..1); meaningless when `requests` is 0. */
  readonly successRate: number;
  /** Latency percentiles in milliseconds. */
  readonly latency: {
    readonly p50: number;
    readonly p90: number;
    readonly p95: number;
    readonly p99: number;
  };
  /** Start of the period the counts cover, when the source rounds `sinceMs` (to its own windows). */
  readonly fromMs?: number;
}

export interface VersionMetricsSource {
  window(query: VersionWindowQuery): VersionWindow | Promise<VersionWindow>;
}
