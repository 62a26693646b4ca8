/**
 * Creating an AnalysisRun from templates, and compiling a run's spec once into what the pure
 * assessment needs (durations in milliseconds, limits with Argo's defaults, compiled conditions).
 */

import { type CompiledConditions, compileCondition } from "./conditions.js";
import { parseDuration } from "./duration.js";
import { type Issue, IssueList, joinPath } from "./issues.js";
import { intValue } from "./metric-spec.js";
import { parseDryRun, parseMetrics, parseRetention, resolveTemplates } from "./template.js";
import {
  ANALYSIS_DEFAULTS,
  type AnalysisRun,
  type AnalysisRunSpec,
  type AnalysisTemplate,
  type Argument,
  type DryRun,
  type MeasurementRetention,
  type Metric,
} from "./types.js";

/** A metric ready to be assessed: its spec plus everything parsed out of it. */
export interface CompiledMetric {
  readonly name: string;
  readonly spec: Metric;
  readonly intervalMs?: number;
  readonly initialDelayMs: number;
  /** Argo's EffectiveCount: measurements to take; undefined = until the run is terminated. */
  readonly count?: number;
  /** -1 disables it. */
  readonly failureLimit: number;
  readonly inconclusiveLimit: number;
  readonly consecutiveErrorLimit: number;
  /** 0 disables it. */
  readonly consecutiveSuccessLimit: number;
  readonly maxWaitMs: number;
  readonly conditions: CompiledConditions;
  readonly dryRun: boolean;
  /** Measurements kept (the counters still cover the whole run). */
  readonly retentionLimit: number;
}

export interface CompiledAnalysis {
  readonly metrics: readonly CompiledMetric[];
}

export type CompileAnalysisResult =
  | { readonly ok: true; readonly analysis: CompiledAnalysis }
  | { readonly ok: false; readonly issues: readonly Issue[] };

/**
 * Checks a run's spec and compiles it. Called once when a run is created and once when a runner
 * picks a persisted run up after a restart; never per measurement.
 */
export function compileAnalysis(spec: AnalysisRunSpec): CompileAnalysisResult {
  const issues = new IssueList();
  const metrics = parseMetrics(spec.metrics, "spec.metrics", issues, { resolved: true }) ?? [];
  const dryRun = parseDryRun(spec.dryRun, "spec.dryRun", issues);
  const retention = parseRetention(spec.measurementRetention, "spec.measurementRetention", issues);
  // Argo's GetDryRunMetrics / GetMeasurementRetentionMetrics: every rule must match a metric.
  const dryRunNames = new Set<string>();
  dryRun.forEach((rule, i) => {
    const matched = metrics.filter((m) => new RegExp(rule.metricName).test(m.name));
    if (matched.length === 0) issues.error(`spec.dryRun[${i}]`, "rule didn't match any metric name(s)");
    for (const m of matched) dryRunNames.add(m.name);
  });
  const retentionLimits = new Map<string, number>();
  retention.forEach((rule, i) => {
    const matched = metrics.filter((m) => new RegExp(rule.metricName).test(m.name));
    if (matched.length === 0)
      issues.error(`spec.measurementRetention[${i}]`, "rule didn't match any metric name(s)");
    for (const m of matched) retentionLimits.set(m.name, rule.limit);
  });
  if (!issues.ok) return { ok: false, issues: issues.items };

  const compiled: CompiledMetric[] = [];
  metrics.forEach((metric, i) => {
    const conditions = compileConditions(metric, joinPath("spec.metrics", i), issues);
    const intervalMs = metric.interval === undefined ? undefined : parseDuration(metric.interval);
    const count = intValue(metric.count) ?? 0;
    const retain = retentionLimits.get(metric.name) ?? 0;
    compiled.push({
      name: metric.name,
      spec: metric,
      ...(intervalMs === undefined ? {} : { intervalMs }),
      initialDelayMs: parseDuration(metric.initialDelay ?? "0") ?? 0,
      ...(count > 0 ? { count } : intervalMs === undefined ? { count: 1 } : {}),
      failureLimit: intValue(metric.failureLimit) ?? 0,
      inconclusiveLimit: intValue(metric.inconclusiveLimit) ?? 0,
      consecutiveErrorLimit:
        intValue(metric.consecutiveErrorLimit) ?? ANALYSIS_DEFAULTS.consecutiveErrorLimit,
      consecutiveSuccessLimit: intValue(metric.consecutiveSuccessLimit) ?? 0,
      maxWaitMs:
        metric.maxWait === undefined ? ANALYSIS_DEFAULTS.maxWaitMs : (parseDuration(metric.maxWait) ?? 0),
      conditions,
      dryRun: dryRunNames.has(metric.name),
      retentionLimit: retain > 0 ? retain : ANALYSIS_DEFAULTS.measurementHistoryLimit,
    });
  });
  if (!issues.ok) return { ok: false, issues: issues.items };
  return { ok: true, analysis: { metrics: compiled } };
}

function compileConditions(metric: Metric, path: string, issues: IssueList): CompiledConditions {
  const out: {
    successCondition?: CompiledConditions["successCondition"];
    failureCondition?: CompiledConditions["failureCondition"];
  } = {};
  for (const field of ["successCondition", "failureCondition"] as const) {
    const source = metric[field];
    if (source === undefined) continue;
    const r = compileCondition(source);
    if (r.ok) out[field] = r.condition;
    else issues.error(joinPath(path, field), r.message, r.suggestion);
  }
  return out;
}

export interface CreateAnalysisRunOptions {
  /** The run's name, unique among the controller's runs (e.g. `payment-7f9c-2-success-rate`). */
  readonly name: string;
  /** Loaded templates (loadAnalysisTemplate), combined into one run as Argo does. */
  readonly templates: readonly AnalysisTemplate[];
  /** Values from the rollout for the templates' args. */
  readonly args?: readonly Argument[];
  /** More dry-run and retention rules from the rollout step, merged with the templates' own. */
  readonly dryRun?: readonly DryRun[];
  readonly measurementRetention?: readonly MeasurementRetention[];
}

export type CreateAnalysisRunResult =
  | { readonly ok: true; readonly run: AnalysisRun; readonly analysis: CompiledAnalysis }
  | { readonly ok: false; readonly issues: readonly Issue[] };

/** A new run (phase Pending, nothing measured) from templates and the rollout's arguments. */
export function createAnalysisRun(options: CreateAnalysisRunOptions): CreateAnalysisRunResult {
  const resolved = resolveTemplates(options.templates, options.args);
  if (!resolved.ok) return resolved;
  const spec: AnalysisRunSpec = {
    metrics: resolved.metrics,
    args: resolved.args,
    dryRun: [...(options.dryRun ?? []), ...resolved.dryRun],
    measurementRetention: [...(options.measurementRetention ?? []), ...resolved.measurementRetention],
    terminate: false,
  };
  const compiled = compileAnalysis(spec);
  if (!compiled.ok) return compiled;
  const run: AnalysisRun = {
    name: options.name,
    spec,
    status: {
      phase: "Pending",
      metricResults: [],
      runSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
    },
  };
  return { ok: true, run, analysis: compiled.analysis };
}

/** The run with `spec.terminate` set: no new measurements; it completes on its next reconcile. */
export function terminateAnalysisRun(run: AnalysisRun): AnalysisRun {
  return run.spec.terminate ? run : { ...run, spec: { ...run.spec, terminate: true } };
}
