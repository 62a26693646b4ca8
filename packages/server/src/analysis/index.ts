/** Rollout analysis: AnalysisTemplates in Argo Rollouts' format, pure assessment, and the runner. */

export {
  type CompileAnalysisResult,
  type CompiledAnalysis,
  type CompiledMetric,
  type CreateAnalysisRunOptions,
  type CreateAnalysisRunResult,
  compileAnalysis,
  createAnalysisRun,
  terminateAnalysisRun,
} from "./analysis-run.js";
export {
  type AnalysisStep,
  assessMeasurement,
  assessMetric,
  assessRun,
  isTerminating,
  isWorse,
  type LimitBreach,
  type MetricTask,
  metricLimitBreach,
  nextStep,
  reconcile,
} from "./assess.js";
export { type CompiledConditions, compileCondition, evaluateConditions } from "./conditions.js";
export { formatDuration, parseDuration } from "./duration.js";
export { formatValue, recordMeasurement } from "./record.js";
export { AnalysisRunner, type AnalysisRunnerOptions, type Clock, systemClock } from "./runner.js";
export {
  ANALYSIS_API_VERSION,
  type LoadTemplateResult,
  loadAnalysisTemplate,
  type ResolvedTemplates,
  type ResolveTemplatesResult,
  resolveTemplates,
} from "./template.js";
export * from "./types.js";
