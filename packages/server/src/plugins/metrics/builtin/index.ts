/**
 * The `builtin` provider: success rate, error rate, latency percentiles and request count of one
 * version over a recent window, read from the built-in proxy. Too few requests in the window is
 * "insufficient data", never a value: an idle canary cannot pass.
 */

import { parseDuration } from "../../../analysis/duration.js";
import type { BuiltinMetricKind, Metric } from "../../../analysis/types.js";
import type { MeasurementContext, MeasurementResult, MetricProvider } from "../provider.js";
import { DEFAULT_WINDOW } from "./config.js";
import type { VersionMetricsSource, VersionWindow } from "./version-metrics.js";

export { DEFAULT_WINDOW, parseBuiltinMetric } from "./config.js";
export type {
  TrafficVersion,
  VersionMetricsSource,
  VersionWindow,
  VersionWindowQuery,
} from "./version-metrics.js";

export class BuiltinMetricProvider implements MetricProvider {
  readonly type = "builtin";

  constructor(private readonly source: VersionMetricsSource) {}

  async measure(metric: Metric, context: MeasurementContext): Promise<MeasurementResult> {
    const config = metric.provider.builtin;
    if (config === undefined) return { error: `metric '${metric.name}' has no builtin provider settings` };
    const window = config.window ?? DEFAULT_WINDOW;
    const windowMs = parseDuration(window);
    if (windowMs === undefined || windowMs <= 0) return { error: `builtin: invalid window '${window}'` };
    const version = config.version ?? "canary";
    let stats: VersionWindow;
    try {
      stats = await this.source.window({
        ...(config.service === undefined ? {} : { service: config.service }),
        version,
        sinceMs: context.now - windowMs,
      });
    } catch (e) {
      return {
        error: `builtin: reading ${version} metrics failed: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    // Rates and latencies of zero requests do not exist, whatever minRequests says.
    const needed =
      config.metric === "requestCount" ? (config.minRequests ?? 0) : Math.max(config.minRequests ?? 1, 1);
    if (stats.requests < needed) {
      const of = config.service === undefined ? version : `${config.service} ${version}`;
      return {
        insufficientData: {
          reason: `${stats.requests} ${of} requests in the last ${window}; at least ${needed} needed`,
        },
      };
    }
    return { value: pick(config.metric, stats) };
  }
}

function pick(kind: BuiltinMetricKind, stats: VersionWindow): number {
  switch (kind) {
    case "successRate":
      return stats.successRate;
    case "errorRate":
      return stats.requests === 0 ? 0 : stats.errors5xx / stats.requests;
    case "latencyP50":
      return stats.latency.p50;
    case "latencyP90":
      return stats.latency.p90;
    case "latencyP95":
      return stats.latency.p95;
    case "latencyP99":
    case "request-duration":
      return stats.latency.p99;
    case "requestCount":
      return stats.requests;
    case "request-success-rate":
      return stats.successRate * 100;
  }
}
