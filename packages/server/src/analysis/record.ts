/**
 * Recording a provider's answer in the run (Argo's runMeasurements bookkeeping): the measurement
 * and its phase, the counters, retention, and waiting for data. Pure.
 */

import type { MeasurementResult, MetricValue } from "../plugins/metrics/provider.js";
import type { CompiledMetric } from "./analysis-run.js";
import { assessMeasurement } from "./assess.js";
import { formatDuration } from "./duration.js";
import { countMeasurement, iso, withResult } from "./run-state.js";
import { ANALYSIS_DEFAULTS, type AnalysisRun, type Measurement, type MetricResult } from "./types.js";

/**
 * The run after one provider answer for `metric` (Argo's runMeasurements bookkeeping): the
 * measurement is appended, or completes the in-flight one; the counters move; old measurements
 * beyond the retention limit are dropped. Insufficient data before `startedAt + maxWait` keeps the
 * measurement in flight (phase Running, `resumeAt` one interval later) and changes no counter.
 */
export function recordMeasurement(
  run: AnalysisRun,
  metric: CompiledMetric,
  result: MeasurementResult,
  startedAt: number,
  now: number,
): AnalysisRun {
  const previous = run.status.metricResults.find((r) => r.name === metric.name) ?? emptyResult(metric);
  const last = previous.measurements.at(-1);
  const inFlight = last !== undefined && last.finishedAt === undefined ? last : undefined;
  const started = inFlight === undefined ? startedAt : Date.parse(inFlight.startedAt);
  const kept = inFlight === undefined ? previous.measurements : previous.measurements.slice(0, -1);

  let measurement: Measurement;
  let counted: MetricResult = previous;
  if ("insufficientData" in result && now < started + metric.maxWaitMs) {
    const deadline = started + metric.maxWaitMs;
    const retry = metric.intervalMs ?? ANALYSIS_DEFAULTS.errorRetryIntervalMs;
    measurement = {
      phase: "Running",
      message: `insufficient data: ${result.insufficientData.reason}; waiting until ${iso(deadline)}`,
      startedAt: iso(started),
      resumeAt: iso(Math.min(now + retry, deadline)),
    };
  } else {
    const verdict = assessMeasurement(metric, result, now);
    const waited = "insufficientData" in result ? ` (waited ${formatDuration(now - started)})` : "";
    measurement = {
      phase: verdict.phase,
      ...(verdict.message === undefined ? {} : { message: `${verdict.message}${waited}` }),
      startedAt: iso(started),
      finishedAt: iso(now),
      ...("value" in result ? { value: formatValue(result.value) } : {}),
    };
    counted = countMeasurement(previous, verdict.phase);
  }
  const measurements = [...kept, measurement].slice(-metric.retentionLimit);
  return withResult(run, { ...counted, measurements });
}

function emptyResult(metric: CompiledMetric): MetricResult {
  return {
    name: metric.name,
    phase: "Running",
    measurements: [],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    ...(metric.dryRun ? { dryRun: true } : {}),
  };
}

/** The value as Argo stores it: `0.97`, `[0.97,0.99]`, `NaN`, `+Inf`, or JSON. */
export function formatValue(value: MetricValue): string {
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "number")) {
    return `[${value.map(formatNumber).join(",")}]`;
  }
  return JSON.stringify(value);
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(n);
}
