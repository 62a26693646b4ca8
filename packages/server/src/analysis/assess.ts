/**
 * The decisions of rollout analysis as pure functions of data (argo-rollouts analysis/analysis.go):
 * a measurement's phase from a value, a metric's phase from its counters and limits, a run's phase
 * from its metrics, and which metrics to measure next. The runner does the I/O around them.
 */

import type { MeasurementResult } from "../plugins/metrics/provider.js";
import type { CompiledAnalysis, CompiledMetric } from "./analysis-run.js";
import { type ConditionVerdict, evaluateConditions } from "./conditions.js";
import { countMeasurement, iso, replaceResult, withResult } from "./run-state.js";
import {
  ANALYSIS_DEFAULTS,
  type AnalysisPhase,
  type AnalysisRun,
  isCompleted,
  type Measurement,
  type MetricResult,
  type RunSummary,
} from "./types.js";

// ---- phases ------------------------------------------------------------------------------------

/** Argo's analysisStatusOrder, best to worst: Failed is worse than Error, Error than Inconclusive. */
const PHASE_ORDER: readonly AnalysisPhase[] = [
  "Successful",
  "Running",
  "Pending",
  "Inconclusive",
  "Error",
  "Failed",
];

/** Whether `candidate` is a worse phase than `current` (Argo's IsWorse). */
export function isWorse(current: AnalysisPhase, candidate: AnalysisPhase): boolean {
  return PHASE_ORDER.indexOf(candidate) > PHASE_ORDER.indexOf(current);
}

// ---- one measurement ---------------------------------------------------------------------------

/**
 * A measurement's phase from what the provider returned: a value is judged by the metric's
 * conditions; a provider error is Error with its message; insufficient data is Inconclusive
 * (recordMeasurement first lets it wait for data until the metric's maxWait).
 */
export function assessMeasurement(
  metric: CompiledMetric,
  result: MeasurementResult,
  now: number,
): ConditionVerdict {
  if ("error" in result) return { phase: "Error", message: result.error };
  if ("insufficientData" in result) {
    return { phase: "Inconclusive", message: `insufficient data: ${result.insufficientData.reason}` };
  }
  return evaluateConditions(metric.conditions, result.value, now);
}

// ---- one metric --------------------------------------------------------------------------------

export interface LimitBreach {
  readonly phase: "Failed" | "Inconclusive" | "Error";
  readonly message: string;
}

/**
 * Argo's assessMetricFailureInconclusiveOrError. The checks run in Argo's order, each overriding
 * the one before, so when several limits are exceeded Error wins over Inconclusive over Failed.
 */
export function metricLimitBreach(metric: CompiledMetric, r: MetricResult): LimitBreach | undefined {
  let breach: LimitBreach | undefined;
  if (metric.failureLimit >= 0 && r.failed > metric.failureLimit) {
    breach = { phase: "Failed", message: `failed (${r.failed}) > failureLimit (${metric.failureLimit})` };
  }
  if (r.inconclusive > metric.inconclusiveLimit) {
    breach = {
      phase: "Inconclusive",
      message: `inconclusive (${r.inconclusive}) > inconclusiveLimit (${metric.inconclusiveLimit})`,
    };
  }
  if (r.consecutiveError > metric.consecutiveErrorLimit) {
    breach = {
      phase: "Error",
      message: `consecutiveErrors (${r.consecutiveError}) > consecutiveErrorLimit (${metric.consecutiveErrorLimit})`,
    };
  }
  return breach;
}

/**
 * Argo's assessMetricStatus: a completed metric stays completed; no measurement yet is Pending
 * (Successful when terminating); an in-flight one is Running; a limit breach decides; then
 * consecutiveSuccessLimit reached is Successful; then count reached is Successful (Inconclusive or
 * Failed when consecutiveSuccessLimit was required and not met); an open-ended metric is Running
 * until the run terminates, then Successful.
 */
export function assessMetric(metric: CompiledMetric, r: MetricResult, terminating: boolean): AnalysisPhase {
  if (isCompleted(r.phase)) return r.phase;
  const last = r.measurements.at(-1);
  if (last === undefined) return terminating ? "Successful" : "Pending";
  if (!isCompleted(last.phase)) return "Running";
  const breach = metricLimitBreach(metric, r);
  if (breach !== undefined) return breach.phase;
  const successLimit = metric.consecutiveSuccessLimit;
  if (successLimit > 0 && r.consecutiveSuccess >= successLimit) return "Successful";
  if (metric.count !== undefined && r.count >= metric.count) {
    // failureLimit was not exceeded (checked above); -1 means only the success streak decides.
    if (successLimit > 0) return metric.failureLimit >= 0 ? "Inconclusive" : "Failed";
    return "Successful";
  }
  return terminating ? "Successful" : "Running";
}

// ---- the run -----------------------------------------------------------------------------------

/**
 * Argo's IsTerminating: termination was requested, or a metric that is not dry-run ended Failed,
 * Error or Inconclusive, which ends the whole run early.
 */
export function isTerminating(run: AnalysisRun): boolean {
  if (run.spec.terminate) return true;
  return run.status.metricResults.some(
    (r) => r.dryRun !== true && (r.phase === "Failed" || r.phase === "Error" || r.phase === "Inconclusive"),
  );
}

/**
 * One reconciliation without I/O: stamps `startedAt`, ends in-flight measurements when the run is
 * terminating (Inconclusive, "Metric Terminated", as Argo's job provider does), and assesses the
 * metrics and the run. Argo re-reconciles at once when a metric's failure makes the run
 * terminating; that second pass is folded in here so the run completes in one call.
 */
export function reconcile(run: AnalysisRun, analysis: CompiledAnalysis, now: number): AnalysisRun {
  if (isCompleted(run.status.phase)) return run;
  let next: AnalysisRun =
    run.status.startedAt === undefined ? { ...run, status: { ...run.status, startedAt: iso(now) } } : run;
  for (let pass = 0; pass < 2; pass++) {
    const terminating = isTerminating(next);
    if (terminating) next = endInFlight(next, analysis, now);
    next = assessRun(next, analysis, now);
    if (isCompleted(next.status.phase) || terminating || !isTerminating(next)) break;
  }
  return next;
}

function endInFlight(run: AnalysisRun, analysis: CompiledAnalysis, now: number): AnalysisRun {
  let next = run;
  for (const metric of analysis.metrics) {
    const r = next.status.metricResults.find((x) => x.name === metric.name);
    const last = r?.measurements.at(-1);
    if (r === undefined || isCompleted(r.phase) || last === undefined || last.finishedAt !== undefined)
      continue;
    const ended: Measurement = {
      ...omitResumeAt(last),
      phase: "Inconclusive",
      message: "Metric Terminated",
      finishedAt: iso(now),
    };
    next = withResult(next, {
      ...countMeasurement(r, "Inconclusive"),
      measurements: [...r.measurements.slice(0, -1), ended],
    });
  }
  return next;
}

function omitResumeAt(m: Measurement): Measurement {
  const { resumeAt: _, ...rest } = m;
  return rest;
}

/**
 * Argo's assessRunStatus: each metric's phase; the run is Running until every metric completed,
 * then takes the worst phase of the metrics that are not dry-run (Successful when only dry-run
 * metrics exist). A terminating run completes at once with the worst phase so far.
 */
export function assessRun(run: AnalysisRun, analysis: CompiledAnalysis, now: number): AnalysisRun {
  const terminating = isTerminating(run);
  let worst: AnalysisPhase | undefined;
  let worstMessage = run.spec.terminate ? "Run Terminated" : "";
  let everythingCompleted = true;
  const summary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const drySummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  let results = run.status.metricResults;

  for (const metric of analysis.metrics) {
    (metric.dryRun ? drySummary : summary).count++;
    let r = results.find((x) => x.name === metric.name);
    if (r === undefined) {
      everythingCompleted = false; // not started yet (initialDelay)
      continue;
    }
    const phase = assessMetric(metric, r, terminating);
    if (phase !== r.phase) {
      // Argo copies the last measurement's message onto the metric when its phase changes.
      const { message: _previous, ...rest } = r;
      const last = r.measurements.at(-1);
      r = { ...rest, phase, ...(last?.message === undefined ? {} : { message: last.message }) };
    }
    if (!isCompleted(phase)) {
      everythingCompleted = false;
    } else {
      const breach = metricLimitBreach(metric, r);
      if (!metric.dryRun) {
        if (worst === undefined || isWorse(worst, phase)) {
          worst = phase;
          if (breach !== undefined) {
            const detail =
              r.message === undefined || r.message === "" ? "" : `: "Error Message: ${r.message}"`;
            worstMessage = `Metric "${metric.name}" assessed ${phase} due to ${breach.message}${detail}`;
          }
        }
        tally(summary, breach?.phase);
      } else {
        worst ??= "Successful";
        if (breach !== undefined) r = { ...r, message: `Metric assessed ${phase} due to ${breach.message}` };
        tally(drySummary, breach?.phase);
      }
    }
    results = replaceResult(results, r);
  }

  let phase: AnalysisPhase;
  let message = worstMessage.trim();
  if (terminating) phase = worst ?? "Successful";
  else if (!everythingCompleted || worst === undefined) {
    phase = "Running";
    message = "";
  } else phase = worst;

  const status = { ...run.status, metricResults: results, runSummary: summary, dryRunSummary: drySummary };
  if (phase === run.status.phase) return { ...run, status };
  const { message: _old, ...rest } = status;
  return {
    ...run,
    status: {
      ...rest,
      phase,
      ...(message === "" ? {} : { message }),
      ...(isCompleted(phase) && status.completedAt === undefined ? { completedAt: iso(now) } : {}),
    },
  };
}

/** Argo counts a completed metric by its limit breach, and as Successful when there is none. */
function tally(
  summary: { -readonly [K in keyof RunSummary]: number },
  breach: LimitBreach["phase"] | undefined,
): void {
  if (breach === "Error") summary.error++;
  else if (breach === "Failed") summary.failed++;
  else if (breach === "Inconclusive") summary.inconclusive++;
  else summary.successful++;
}

// ---- scheduling --------------------------------------------------------------------------------

export interface MetricTask {
  readonly metric: CompiledMetric;
  /** The in-flight measurement to take again (it was waiting for data), if any. */
  readonly resume?: Measurement;
}

export interface AnalysisStep {
  /** The run has completed: nothing more to measure. */
  readonly done: boolean;
  /** Metrics to measure now. */
  readonly measure: readonly MetricTask[];
  /** When something next falls due (ms since the epoch); undefined when nothing is scheduled. */
  readonly wakeAt?: number;
}

/**
 * Which metrics to measure at `now` and when to look again (Argo's generateMetricTasks and
 * calculateNextReconcileTime). A metric is due at `startedAt + initialDelay` first, then
 * `interval` after its last measurement finished, or 10 s after an Error; an in-flight
 * measurement is due at its `resumeAt`. Completed metrics and metrics that reached `count` are
 * not measured; a terminating run measures nothing (reconcile ends what is in flight).
 */
export function nextStep(run: AnalysisRun, analysis: CompiledAnalysis, now: number): AnalysisStep {
  if (isCompleted(run.status.phase)) return { done: true, measure: [] };
  const terminating = isTerminating(run);
  const startedAt = run.status.startedAt === undefined ? now : Date.parse(run.status.startedAt);
  const measure: MetricTask[] = [];
  let wakeAt: number | undefined;
  const due = (at: number, task: MetricTask) => {
    if (at <= now) measure.push(task);
    else wakeAt = wakeAt === undefined ? at : Math.min(wakeAt, at);
  };

  for (const metric of analysis.metrics) {
    const r = run.status.metricResults.find((x) => x.name === metric.name);
    if (r !== undefined && isCompleted(r.phase)) continue;
    const last = r?.measurements.at(-1);
    if (last !== undefined && last.finishedAt === undefined) {
      if (!terminating)
        due(last.resumeAt === undefined ? now : Date.parse(last.resumeAt), { metric, resume: last });
      continue;
    }
    if (terminating) continue;
    if (r === undefined || last === undefined) {
      due(startedAt + metric.initialDelayMs, { metric });
      continue;
    }
    if (metric.count !== undefined && r.count >= metric.count) continue;
    const interval =
      last.phase === "Error"
        ? ANALYSIS_DEFAULTS.errorRetryIntervalMs
        : (metric.intervalMs ?? ANALYSIS_DEFAULTS.errorRetryIntervalMs);
    due(Date.parse(last.finishedAt ?? last.startedAt) + interval, { metric });
  }
  return wakeAt === undefined ? { done: false, measure } : { done: false, measure, wakeAt };
}
