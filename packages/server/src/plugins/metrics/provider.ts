/**
 * The metric provider interface, and only that (argo-rollouts metric/provider.go): where a metric's
 * value comes from. Providers measure; they never judge. The analysis loop evaluates the metric's
 * conditions on the value in one place (analysis/conditions.ts) and keeps every counter.
 */

import type { JsonValue } from "@ramp/engine";
import type { Metric } from "../../analysis/types.js";

/**
 * A measured value, bound as `result` in the metric's conditions: a number (`result >= 0.99`), a
 * list of numbers for a Prometheus vector (`result[0] >= 0.95`), or the JSON a web or job metric
 * returned (`result.ok == true`). NaN and ±Infinity are allowed numbers (`isNaN(result)`).
 */
export type MetricValue = JsonValue;

/**
 * One measurement's outcome. Exactly one of:
 * - `value`: the provider measured something; the conditions decide what it means.
 * - `error`: it could not (unreachable server, bad query, unparseable response); the message is
 *   kept on the measurement and the measurement is Error (retried after 10 s, limited by
 *   `consecutiveErrorLimit`).
 * - `insufficientData`: the provider reached its source but there is too little to judge (fewer
 *   canary requests in the window than `minRequests`). Never a pass: the measurement waits and is
 *   taken again until the metric's `maxWait` runs out, then it counts as Inconclusive.
 */
export type MeasurementResult =
  | { readonly value: MetricValue }
  | { readonly error: string }
  | { readonly insufficientData: { readonly reason: string } };

/** What a provider may know about the measurement it is asked for. */
export interface MeasurementContext {
  /** The analysis clock's time, in milliseconds since the epoch: measure the window ending now. */
  readonly now: number;
  /** Aborted when the run is terminated: stop waiting and return (the result is then discarded). */
  readonly signal: AbortSignal;
  /** The AnalysisRun this measurement belongs to, for logs and request labels. */
  readonly runName: string;
}

/** A source of measurements for the metrics of one provider type. */
export interface MetricProvider {
  /** The provider key in templates: `builtin`, `prometheus`, … */
  readonly type: string;
  /**
   * Takes one measurement of `metric` (already resolved: `{{args.*}}` substituted). Called again
   * for the same measurement while it waits for enough data, so it must not assume one call per
   * measurement. Should not throw: a thrown error or a rejected promise is recorded as `error`.
   */
  measure(metric: Metric, context: MeasurementContext): Promise<MeasurementResult>;
}
