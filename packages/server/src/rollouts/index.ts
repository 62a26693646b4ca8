/**
 * `@ramp/server/rollouts`: the rollout and analysis model without the server — what the CLI needs to
 * check files before it sends them and to describe a rollout (loaders, step names, status types).
 */
export { loadAnalysisTemplate } from "../analysis/template.js";
export type { AnalysisRun, Measurement, MetricResult } from "../analysis/types.js";
export { describeStep } from "./canary.js";
export { compileRollout } from "./compile.js";
export * from "./import/index.js";
export { type LoadRolloutsResult, type LocatedIssue, parseRollouts } from "./load.js";
export type { CanaryStep, RolloutSpec } from "./rollout.js";
export type {
  AnalysisPhase,
  AnalysisRunState,
  HistoryEntry,
  RolloutEvent,
  RolloutPhase,
  RolloutStatus,
} from "./status.js";
