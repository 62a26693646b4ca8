/** Test fixtures for the analysis tests: compiled metrics from short specs, runs, and a fake clock. */

import { type CompiledAnalysis, type CompiledMetric, compileAnalysis } from "./analysis-run.js";
import type { Clock } from "./runner.js";
import type {
  AnalysisRun,
  AnalysisRunSpec,
  DryRun,
  MeasurementRetention,
  Metric,
  MetricResult,
} from "./types.js";

export const T0 = Date.parse("2025-01-01T00:00:00.000Z");
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** A metric over the noop-able prometheus provider; fields override the defaults. */
export function metric(name: string, fields: Partial<Metric> = {}): Metric {
  return { name, provider: { prometheus: { query: `q_${name}` } }, ...fields };
}

export function specOf(
  metrics: readonly Metric[],
  rules: { dryRun?: DryRun[]; measurementRetention?: MeasurementRetention[] } = {},
): AnalysisRunSpec {
  return {
    metrics,
    args: [],
    dryRun: rules.dryRun ?? [],
    measurementRetention: rules.measurementRetention ?? [],
    terminate: false,
  };
}

export function compile(spec: AnalysisRunSpec): CompiledAnalysis {
  const r = compileAnalysis(spec);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
  return r.analysis;
}

export function compileOne(m: Metric): CompiledMetric {
  const [only] = compile(specOf([m])).metrics;
  if (only === undefined) throw new Error("no metric");
  return only;
}

export function newRun(spec: AnalysisRunSpec, name = "run-1"): AnalysisRun {
  return {
    name,
    spec,
    status: {
      phase: "Pending",
      metricResults: [],
      runSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
    },
  };
}

/** A metric result with the given counters and one completed measurement (so it is assessable). */
export function counters(fields: Partial<MetricResult> = {}): MetricResult {
  return {
    name: "m",
    phase: "Running",
    measurements: [{ phase: "Successful", startedAt: iso(T0), finishedAt: iso(T0) }],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    ...fields,
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A clock that jumps: `sleep` moves time forward at once, so a run of hours finishes in
 * milliseconds. `at(t, fn)` runs fn when time reaches t (the sleep stops there), to terminate or
 * "crash" a run at a chosen moment.
 */
export class FakeClock implements Clock {
  #now: number;
  readonly sleeps: number[] = [];
  #events: { at: number; fn: () => void }[] = [];

  constructor(start = T0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  at(t: number, fn: () => void): void {
    this.#events.push({ at: t, fn });
    this.#events.sort((a, b) => a.at - b.at);
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    const target = this.#now + ms;
    const event = this.#events[0];
    if (event !== undefined && event.at <= target) {
      this.#events.shift();
      this.#now = Math.max(this.#now, event.at);
      event.fn();
      return;
    }
    if (signal.aborted) return;
    if (this.sleeps.length > 10_000) throw new Error("FakeClock: the run never ends");
    this.#now = target;
  }
}
