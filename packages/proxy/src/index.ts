/** @ramp/proxy — Ramp's built-in traffic splitter: weighted, sticky, header and mirror routes, a canary-only listener, per-version metrics. */
export { createAdminHandler } from "./admin.js";
export {
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type HeaderMatch,
  type HeaderRoute,
  type MirrorRoute,
  type NormalizedConfig,
  type ProxyConfig,
  type StickyConfig,
  type ValidationResult,
  type VersionTargets,
  validateProxyConfig,
} from "./config.js";
export { type ConfigIssue, ProxyConfigError } from "./errors.js";
export { PROMETHEUS_CONTENT_TYPE } from "./metrics/prometheus.js";
export {
  type LatencyQuantiles,
  ProxyMetrics,
  type WindowQuery,
  type WindowStats,
} from "./metrics/proxy-metrics.js";
export { LATENCY_BUCKETS_SECONDS } from "./metrics/series.js";
export { type WindowOptions, weightedQuantiles } from "./metrics/window.js";
export {
  type CloseOptions,
  createProxy,
  type ListenOptions,
  type ProxyAddress,
  type ProxyOptions,
  type RampProxy,
} from "./proxy.js";
export { type Role, STICKY_BUCKETS, stickyBucket } from "./route.js";
export type { PoolOptions } from "./upstream/target.js";
