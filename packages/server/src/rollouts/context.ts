/**
 * One decision in the making: a working copy of the status, the inputs it may read, and the small
 * transitions (pause, run, teardown, history) everything else is built from. Pure: the clock is the
 * `now` it was given.
 */
import type { AnalysisSpec, RolloutSpec } from "./rollout.js";
import { analysisRunId } from "./run-ids.js";
import type {
  AnalysisPhase,
  AnalysisRunKind,
  AnalysisRunState,
  HistoryEntry,
  PauseReason,
  RolloutEvent,
  RolloutStatus,
} from "./status.js";

/** What the shell saw just before deciding. */
export interface Observations {
  /**
   * Every desired replica of the canary is ready: the canary version runs exactly
   * `status.canaryReplicas` replicas (of the status the decision starts from), all passing
   * readiness. True when that count is 0.
   */
  readonly canaryReady: boolean;
  /** Every replica of the stable version (`spec.replicas`) is ready. */
  readonly stableReady: boolean;
  /** The phase of each run by id; a run not listed is taken as Pending. */
  readonly analysis: Readonly<Record<string, AnalysisPhase>>;
  /**
   * The canary weight the router applies now (for the current canary version). A setWeight step
   * completes only once the router routes its weight, so every step's weight really carries traffic
   * before the next step (or the promotion) begins. Undefined: the shell does not report it.
   */
  readonly routedWeight?: number;
  /** Answers to the webhook calls the last decisions asked for, by call id; absent: not answered yet. */
  readonly webhooks?: Readonly<Record<string, WebhookOutcome>>;
}

/** A webhook's answer: passed (HTTP 200–202, as Flagger counts it) or not, with what it said. */
export interface WebhookOutcome {
  readonly passed: boolean;
  readonly message: string;
}

export type Draft = { -readonly [K in keyof RolloutStatus]: RolloutStatus[K] };

export const COMPLETED_PHASES: readonly AnalysisPhase[] = ["Successful", "Failed", "Error", "Inconclusive"];

export function isCompleted(phase: AnalysisPhase): boolean {
  return COMPLETED_PHASES.includes(phase);
}

const NOTIFIED_EVENTS: readonly RolloutEvent[] = [
  "RevisionStarted",
  "Aborted",
  "Promoted",
  "RolledBack",
  "ActiveSwitched",
];

/** How long a passed teardown deadline is still re-sent, in case the shell died before acting on it. */
export const TEARDOWN_RETENTION_MS = 24 * 3600 * 1000;

export class DecisionContext {
  readonly st: Draft;
  readonly nowIso: string;
  /** Entries appended by this decision that are worth a notification. */
  readonly notifications: HistoryEntry[] = [];
  /** Runs this decision stopped wanting before they completed. */
  readonly terminated: string[] = [];
  /** Why progress stops here, for the status message. */
  waiting: string | null = null;
  /** Set on promotion: the new stable version was just observed ready (as the canary). */
  promotedReady = false;

  constructor(
    readonly spec: RolloutSpec,
    readonly input: RolloutStatus,
    readonly obs: Observations,
    readonly now: Date,
  ) {
    this.st = structuredClone(input) as Draft;
    this.nowIso = now.toISOString();
  }

  /** ISO time `seconds` from now. */
  after(seconds: number): string {
    return new Date(this.now.getTime() + seconds * 1000).toISOString();
  }

  reached(iso: string): boolean {
    return this.now.getTime() >= Date.parse(iso);
  }

  /**
   * Appends a history entry. `notify` (default: for revisions, aborts, promotions, rollbacks and
   * switches) also sends it as a notification.
   */
  record(event: RolloutEvent, message: string, notify = NOTIFIED_EVENTS.includes(event)): void {
    const last = this.st.history[this.st.history.length - 1];
    const entry: HistoryEntry = {
      seq: (last?.seq ?? 0) + 1,
      at: this.nowIso,
      revision: this.st.revision,
      event,
      stepIndex: this.st.stepIndex,
      weight: this.st.canaryWeight,
      message,
    };
    this.st.history = [...this.st.history, entry];
    if (notify) this.notifications.push(entry);
  }

  wait(reason: string): false {
    this.waiting = reason;
    return false;
  }

  /**
   * The canary readiness the observation speaks for: only when the canary version and its desired
   * replicas are still those of the status the shell observed against.
   */
  /** The router applies the status's weight (always true when the shell does not report it). */
  routed(): boolean {
    const w = this.obs.routedWeight;
    return w === undefined || Math.abs(w - this.st.canaryWeight) < 1e-9;
  }

  canaryReady(): boolean {
    const { st, input } = this;
    return (
      this.obs.canaryReady &&
      st.canaryVersion !== null &&
      st.canaryVersion === input.canaryVersion &&
      st.canaryReplicas === input.canaryReplicas &&
      !input.teardowns.some((t) => t.version === st.canaryVersion)
    );
  }

  stableReady(): boolean {
    if (this.promotedReady) return true;
    return (
      this.obs.stableReady &&
      this.st.stableVersion !== null &&
      this.st.stableVersion === this.input.stableVersion
    );
  }

  /** Sets the canary's desired replicas; true when that changed (readiness is then unknown). */
  setCanaryReplicas(replicas: number): boolean {
    if (this.st.canaryReplicas === replicas) return false;
    this.st.canaryReplicas = replicas;
    return true;
  }

  setWeight(weight: number, why: string): void {
    if (this.st.canaryWeight === weight) return;
    const from = this.st.canaryWeight;
    this.st.canaryWeight = weight;
    this.record("WeightChanged", `canary weight ${from}% → ${weight}%${why ? `: ${why}` : ""}`);
  }

  pauseOf(reason: PauseReason) {
    return this.st.pauseConditions.find((p) => p.reason === reason);
  }

  hasPause(reason: PauseReason): boolean {
    return this.pauseOf(reason) !== undefined;
  }

  pause(reason: PauseReason, until: string | null): void {
    if (this.hasPause(reason)) return;
    this.st.pauseConditions = [...this.st.pauseConditions, { reason, since: this.nowIso, until }];
  }

  /** Removes the condition; true if there was one. */
  unpause(reason: PauseReason): boolean {
    const before = this.st.pauseConditions.length;
    this.st.pauseConditions = this.st.pauseConditions.filter((p) => p.reason !== reason);
    return this.st.pauseConditions.length !== before;
  }

  /** Clears every pause condition but the user's (which only the user lifts). */
  clearControllerPauses(): void {
    this.st.pauseConditions = this.st.pauseConditions.filter((p) => p.reason === "UserPause");
  }

  /** The latest attempt of the run of `kind` (and step). */
  runOf(kind: AnalysisRunKind, stepIndex: number | null = null): AnalysisRunState | undefined {
    let found: AnalysisRunState | undefined;
    for (const r of this.st.analysisRuns) {
      if (r.kind === kind && r.stepIndex === stepIndex && (found === undefined || r.attempt > found.attempt))
        found = r;
    }
    return found;
  }

  /** Wants a new run (attempt after the last one of the same purpose in this revision). */
  startRun(
    kind: AnalysisRunKind,
    stepIndex: number | null,
    analysis: AnalysisSpec,
    attempt = 1,
  ): AnalysisRunState {
    const id = analysisRunId(this.spec.name, this.st.revision, kind, stepIndex, attempt);
    const run: AnalysisRunState = {
      id,
      kind,
      stepIndex,
      attempt,
      templates: analysis.templates,
      args: analysis.args.map((a) =>
        "value" in a
          ? { name: a.name, value: a.value }
          : {
              name: a.name,
              value: (a.valueFrom === "Stable" ? this.st.stableVersion : this.st.canaryVersion) ?? "",
            },
      ),
      dryRun: analysis.dryRun,
      measurementRetention: analysis.measurementRetention,
      startedAt: this.nowIso,
      phase: "Pending",
    };
    this.st.analysisRuns = [...this.st.analysisRuns, run];
    const names = analysis.templates.map((t) => t.templateName).join(", ");
    this.record("AnalysisStarted", `${describeKind(kind, stepIndex)} analysis run ${id} (${names})`);
    return run;
  }

  /** Stops wanting the runs `drop` selects; the unfinished ones are terminated. */
  dropRuns(drop: (run: AnalysisRunState) => boolean): void {
    const keep: AnalysisRunState[] = [];
    for (const r of this.st.analysisRuns) {
      if (!drop(r)) keep.push(r);
      else if (!isCompleted(r.phase)) this.terminated.push(r.id);
    }
    this.st.analysisRuns = keep;
  }

  /** Replaces each Inconclusive run with a fresh attempt (what Argo does when such a pause is lifted). */
  rerunInconclusive(specOf: (run: AnalysisRunState) => AnalysisSpec | null): void {
    for (const run of this.st.analysisRuns.filter((r) => r.phase === "Inconclusive")) {
      const spec = specOf(run);
      this.dropRuns((r) => r === run);
      if (spec !== null) this.startRun(run.kind, run.stepIndex, spec, run.attempt + 1);
    }
  }

  /** Tears `version` down at `at`, or earlier if that is already scheduled. */
  scheduleTeardown(version: string, at: string): void {
    const existing = this.st.teardowns.find((t) => t.version === version);
    if (existing !== undefined && Date.parse(existing.at) <= Date.parse(at)) return;
    this.st.teardowns = [...this.st.teardowns.filter((t) => t.version !== version), { version, at }];
  }

  cancelTeardown(version: string): void {
    this.st.teardowns = this.st.teardowns.filter((t) => t.version !== version);
  }

  tearingDown(version: string | null): boolean {
    return version !== null && this.st.teardowns.some((t) => t.version === version);
  }
}

export function describeKind(kind: AnalysisRunKind, stepIndex: number | null): string {
  switch (kind) {
    case "step":
      return `step ${(stepIndex ?? 0) + 1}`;
    case "background":
      return "background";
    case "prePromotion":
      return "pre-promotion";
    case "postPromotion":
      return "post-promotion";
    case "iteration":
      return `interval ${stepIndex ?? 0}`;
  }
}
