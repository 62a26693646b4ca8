/**
 * What the rollout controller persists about one Rollout: plain JSON, written whole by the I/O loop
 * in the same transaction as its history, so a restart resumes from exactly what was decided.
 */
import type { FlaggerMetric } from "./flagger-types.js";
import type { AnalysisTemplateRef, HeaderRoute, MirrorRoute } from "./rollout.js";

/** Argo's RolloutPhase: a closed set. */
export const ROLLOUT_PHASES = ["Healthy", "Progressing", "Paused", "Degraded"] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/**
 * Why a rollout waits (Argo's PauseReason). CanaryPauseStep: a `pause` step; UserPause: the pause
 * command; InconclusiveAnalysis: a run ended Inconclusive; BlueGreenPause: waiting to switch the
 * active version (autoPromotionEnabled false, or autoPromotionSeconds).
 */
export const PAUSE_REASONS = [
  "CanaryPauseStep",
  "UserPause",
  "InconclusiveAnalysis",
  "BlueGreenPause",
] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export interface PauseCondition {
  readonly reason: PauseReason;
  /** ISO time the pause began. */
  readonly since: string;
  /** ISO deadline after which it ends by itself; null waits for a command. */
  readonly until: string | null;
}

/** The phase of an AnalysisRun as the analysis service reports it (Argo's AnalysisPhase). */
export const ANALYSIS_PHASES = [
  "Pending",
  "Running",
  "Successful",
  "Failed",
  "Inconclusive",
  "Error",
] as const;
export type AnalysisPhase = (typeof ANALYSIS_PHASES)[number];

/**
 * Which part of the rollout wants a run; `iteration`: the metric checks of one interval of a
 * Flagger-style analysis.
 */
export const ANALYSIS_RUN_KINDS = [
  "step",
  "background",
  "prePromotion",
  "postPromotion",
  "iteration",
] as const;
export type AnalysisRunKind = (typeof ANALYSIS_RUN_KINDS)[number];

export interface AnalysisArg {
  readonly name: string;
  readonly value: string;
}

/** A run the controller wants to exist, with what it needs to start it and the phase last observed. */
export interface AnalysisRunState {
  /** Unique per rollout, revision, purpose and attempt, e.g. `payment-service-r3-step2`. */
  readonly id: string;
  readonly kind: AnalysisRunKind;
  /** The canary step that wants it (kind "step"), the interval number (kind "iteration"), else null. */
  readonly stepIndex: number | null;
  /** 1, then 2… when a run is repeated after an Inconclusive result was resumed. */
  readonly attempt: number;
  readonly templates: readonly AnalysisTemplateRef[];
  readonly args: readonly AnalysisArg[];
  readonly dryRun: readonly { readonly metricName: string }[];
  readonly measurementRetention: readonly { readonly metricName: string; readonly limit: number }[];
  readonly startedAt: string;
  readonly phase: AnalysisPhase;
  /** Kind "iteration": the Flagger metrics the run measures (the shell builds its metrics from them). */
  readonly checks?: readonly FlaggerMetric[];
}

/** A version to tear down at a persisted deadline (Argo's scale-down-deadline annotation). */
export interface Teardown {
  readonly version: string;
  readonly at: string;
}

/** Blue-green's progress through one update, in order. */
export const BLUE_GREEN_STAGES = [
  "Preview",
  "PrePromotionAnalysis",
  "AwaitingPromotion",
  "ScalingUp",
  "PostPromotionAnalysis",
] as const;
export type BlueGreenStage = (typeof BLUE_GREEN_STAGES)[number];

/** The transitions the history records: a closed set. */
export const ROLLOUT_EVENTS = [
  /** A new revision: first deploy, new version, undo or retry. */
  "RevisionStarted",
  "StepStarted",
  "StepCompleted",
  "WeightChanged",
  "Paused",
  "Resumed",
  "AnalysisStarted",
  "AnalysisCompleted",
  "Aborted",
  /** Blue-green: the active version now serves all traffic. */
  "ActiveSwitched",
  /** The canary became the stable version. */
  "Promoted",
  /** Back to the stable version at once (undo, or the stable version set again), not an abort. */
  "RolledBack",
  /** Flagger-style analysis: an interval's checks failed (counted toward the threshold). */
  "CheckFailed",
  /** Flagger-style analysis: a confirm-* webhook holds the rollout. */
  "WebhookHeld",
] as const;
export type RolloutEvent = (typeof ROLLOUT_EVENTS)[number];

export interface HistoryEntry {
  /** 1, 2, 3… never reused, so a shell can tell which entries it has already delivered. */
  readonly seq: number;
  readonly at: string;
  readonly revision: number;
  readonly event: RolloutEvent;
  readonly stepIndex: number | null;
  /** The canary's traffic weight after the transition. */
  readonly weight: number;
  readonly message: string;
}

export interface RolloutStatus {
  readonly phase: RolloutPhase;
  readonly message: string;
  /** 0 before the first deploy; bumped by every new version, undo and retry. */
  readonly revision: number;
  /** The spec's version when decide() last saw it: a change is a request for a new version. */
  readonly observedVersion: string | null;
  /** A hash of the canary steps of the current revision: Argo restarts the steps when they change. */
  readonly stepsHash: string | null;
  readonly stableVersion: string | null;
  /** The version being rolled out, or null when the stable version is all there is. */
  readonly canaryVersion: string | null;
  /** The stable version before the last promotion: what `undo` goes back to. */
  readonly previousStableVersion: string | null;
  /** The current canary step (== steps.length once all are done), null when not rolling out. */
  readonly stepIndex: number | null;
  /** Percentage of traffic for the canary, 0–100. */
  readonly canaryWeight: number;
  /** Replicas the canary should run. */
  readonly canaryReplicas: number;
  readonly headerRoutes: readonly HeaderRoute[];
  readonly mirrorRoutes: readonly MirrorRoute[];
  readonly pauseConditions: readonly PauseCondition[];
  /** `promoteFull` asked to skip the remaining steps, analysis and pauses. */
  readonly promoteFull: boolean;
  readonly aborted: boolean;
  readonly abortedAt: string | null;
  /** Why the rollout aborted, for the Degraded message. */
  readonly abortMessage: string | null;
  /** The runs the controller wants; any other run of this rollout is to be terminated. */
  readonly analysisRuns: readonly AnalysisRunState[];
  readonly teardowns: readonly Teardown[];
  /** Blue-green: the version the active service serves, and the one the preview service serves. */
  readonly activeVersion: string | null;
  readonly previewVersion: string | null;
  readonly blueGreenStage: BlueGreenStage | null;
  /** Append-only record of transitions. */
  readonly history: readonly HistoryEntry[];
  /** Flagger-style analysis of the current (or last) revision; absent for other strategies. */
  readonly flagger?: FlaggerStatus;
}

/**
 * Flagger's canary phases as Ramp runs them: Waiting (for confirm-rollout), Progressing,
 * WaitingPromotion (confirm-promotion holds), Promoting (stepWeightPromotion), Succeeded, Failed.
 */
export const FLAGGER_PHASES = [
  "Waiting",
  "Progressing",
  "WaitingPromotion",
  "Promoting",
  "Succeeded",
  "Failed",
] as const;
export type FlaggerPhase = (typeof FLAGGER_PHASES)[number];

/**
 * Where one interval of the analysis is: each stage waits for its webhook answers (or its run)
 * before the next; the calls of a stage are named by the interval number, so none is made twice
 * for one decision.
 */
export const FLAGGER_STAGES = [
  "confirm-rollout",
  "rollback",
  "pre-rollout",
  "rollout",
  "metrics",
  "confirm-traffic-increase",
  "confirm-promotion",
] as const;
export type FlaggerStage = (typeof FLAGGER_STAGES)[number];

export interface FlaggerStatus {
  /** The revision this analysis belongs to: a new revision starts a fresh one. */
  readonly revision: number;
  readonly phase: FlaggerPhase;
  /** Failed checks of this revision: never reset while it runs (Flagger's status.failedChecks). */
  readonly failedChecks: number;
  /** Flagger's status.iterations (blue/green and A/B). */
  readonly iterations: number;
  /** Intervals started in this revision; names the calls and the run of the current one. */
  readonly interval: number;
  /** The stage of the interval in progress; null between intervals. */
  readonly stage: FlaggerStage | null;
  /** When the interval in progress started (its successor starts one analysis interval later). */
  readonly intervalStartedAt: string | null;
  /** When the next interval starts (a persisted deadline). */
  readonly nextAt: string | null;
  /** The gate holding the rollout, for `ramp rollouts get` and the dashboard. */
  readonly heldBy: { readonly type: string; readonly name: string; readonly message: string } | null;
}

/** The status of a rollout decide() has never seen: the first decision deploys the spec's version. */
export function initialStatus(): RolloutStatus {
  return {
    phase: "Progressing",
    message: "not reconciled yet",
    revision: 0,
    observedVersion: null,
    stepsHash: null,
    stableVersion: null,
    canaryVersion: null,
    previousStableVersion: null,
    stepIndex: null,
    canaryWeight: 0,
    canaryReplicas: 0,
    headerRoutes: [],
    mirrorRoutes: [],
    pauseConditions: [],
    promoteFull: false,
    aborted: false,
    abortedAt: null,
    abortMessage: null,
    analysisRuns: [],
    teardowns: [],
    activeVersion: null,
    previewVersion: null,
    blueGreenStage: null,
    history: [],
  };
}
