/**
 * A provider for tests and demos that returns scripted results: per metric name, a list taken in
 * order whose last entry repeats. It records every call, so tests can see when it was asked.
 *
 * @example
 * const provider = new NoopMetricProvider({ "success-rate": [{ value: [0.99] }, { error: "timeout" }] });
 * createMetricProviderFactory({ providers: { prometheus: provider } });
 */

import type { Metric } from "../../../analysis/types.js";
import type { MeasurementContext, MeasurementResult, MetricProvider } from "../provider.js";

/** A fixed result, or a function of the call (to block, count or fail on purpose). */
export type ScriptedResult =
  | MeasurementResult
  | ((metric: Metric, context: MeasurementContext) => MeasurementResult | Promise<MeasurementResult>);

export interface NoopCall {
  readonly metric: string;
  readonly now: number;
}

export class NoopMetricProvider implements MetricProvider {
  readonly calls: NoopCall[] = [];
  private readonly next = new Map<string, number>();

  constructor(
    private readonly script: Readonly<Record<string, readonly ScriptedResult[]>>,
    readonly type = "noop",
  ) {}

  async measure(metric: Metric, context: MeasurementContext): Promise<MeasurementResult> {
    this.calls.push({ metric: metric.name, now: context.now });
    const entries = this.script[metric.name] ?? [];
    const i = this.next.get(metric.name) ?? 0;
    this.next.set(metric.name, i + 1);
    const entry = entries[Math.min(i, entries.length - 1)];
    if (entry === undefined) return { error: `noop: nothing scripted for metric '${metric.name}'` };
    return typeof entry === "function" ? entry(metric, context) : entry;
  }

  /** When the named metric was measured, in the clock's milliseconds. */
  callTimes(metric: string): number[] {
    return this.calls.filter((c) => c.metric === metric).map((c) => c.now);
  }
}
