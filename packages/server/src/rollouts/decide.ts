/**
 * The rollout controller's decision: a pure function from (spec, persisted status, what the shell
 * observed, the time, an optional user command) to the next status and the effects that make the
 * world match it. No I/O, no clock, no randomness: the I/O loop around it does those.
 *
 * Why a crash (even kill -9) is harmless — the contract with the shell:
 * 1. The shell persists the returned status, history included, in ONE transaction, BEFORE it
 *    applies any effect. A crash before the commit loses the decision entirely (it is made again
 *    from the old status); a crash after it loses only effects.
 * 2. Effects are desired state, not actions: "version v runs n replicas", "the router sends w% to
 *    the canary with these routes", "run r exists", "tear v down at t". Every decision re-emits the
 *    whole desired state, so applying effects twice, or late, or not at all before the next decision
 *    changes nothing. The startAnalysis effects of a decision name every run the rollout wants; the
 *    shell terminates any other run of this rollout (terminateAnalysis names the ones just dropped).
 * 3. Timers are persisted deadlines (pause `until`, teardown `at`), compared with the `now` given,
 *    so a restart neither restarts nor forgets a wait.
 * 4. A step is entered exactly once: stepIndex only advances in the status that is persisted, and a
 *    decision re-made from the same persisted status sees the step already entered. Readiness is
 *    only trusted for the replica count of the status it was observed against, so a scale-up that
 *    was lost in a crash is never mistaken for done.
 * Notifications are the one thing sent only once (with the history `seq`, so a shell wanting
 * at-least-once delivery can replay history entries it has not delivered yet).
 *
 * The loop that fits: observe, decide, persist, apply; decide again at once while the status changes
 * (and once more after a restart), else sleep until the next `wakeAt` or event. Decisions converge:
 * deciding again with nothing new observed changes nothing.
 */
import { progressBlueGreen } from "./blue-green.js";
import { progressCanary } from "./canary.js";
import { applyCommand, type CommandRefusal, type RolloutCommand } from "./commands.js";
import { DecisionContext, isCompleted, type Observations, TEARDOWN_RETENTION_MS } from "./context.js";
import { progressFlagger } from "./flagger.js";
import { flaggerEffects, type LoadTest, type WebhookCall } from "./flagger-effects.js";
import type { AnalysisTemplateRef, HeaderRoute, MirrorRoute, RolloutSpec } from "./rollout.js";
import type {
  AnalysisArg,
  AnalysisRunKind,
  AnalysisRunState,
  RolloutEvent,
  RolloutPhase,
  RolloutStatus,
} from "./status.js";
import { requestVersion, restartRevision, stepsHash } from "./transitions.js";

export type { CommandRefusal, RefusalCode, RolloutCommand } from "./commands.js";
export type { Observations, WebhookOutcome } from "./context.js";
export type { LoadTest, WebhookCall, WebhookPayload } from "./flagger-effects.js";

/** Desired state for the shell to reconcile, idempotently. */
export type Effect =
  /** `version` runs `replicas` replicas (0 is allowed); deploying a version cancels its pending teardown. */
  | {
      readonly kind: "deploy";
      readonly version: string;
      readonly replicas: number;
      readonly role: "stable" | "canary";
    }
  /** The router sends `weight`% to the canary (0 when there is none), plus the header and mirror routes. */
  | {
      readonly kind: "route";
      readonly stableVersion: string;
      readonly canaryVersion: string | null;
      readonly weight: number;
      readonly headerRoutes: readonly HeaderRoute[];
      readonly mirrorRoutes: readonly MirrorRoute[];
    }
  /** A run with this id exists (starting one that exists is a no-op). */
  | {
      readonly kind: "startAnalysis";
      readonly runId: string;
      readonly analysisKind: AnalysisRunKind;
      readonly templates: readonly AnalysisTemplateRef[];
      readonly args: readonly AnalysisArg[];
      readonly dryRun: readonly { readonly metricName: string }[];
      readonly measurementRetention: readonly { readonly metricName: string; readonly limit: number }[];
      /** A Flagger-style interval's metric checks: the shell builds the run's metrics from these. */
      readonly checks?: AnalysisRunState["checks"];
    }
  | { readonly kind: "terminateAnalysis"; readonly runId: string }
  /** Flagger-style analysis: a webhook call (awaited ones are re-sent until answered; same id, one call). */
  | WebhookCall
  /** Flagger-style analysis: Ramp's load generator runs against the canary while this is wanted. */
  | LoadTest
  /** Tear `version` down at `at` (now, if that has passed): the platform's delayed teardown. */
  | { readonly kind: "teardown"; readonly version: string; readonly at: string }
  | { readonly kind: "notify"; readonly event: RolloutEvent; readonly message: string; readonly seq: number }
  /** Decide again at `at` at the latest (the next pause deadline or teardown). */
  | { readonly kind: "wakeAt"; readonly at: string };

export interface DecideResult {
  readonly status: RolloutStatus;
  readonly effects: Effect[];
  /** Set when the command did not apply; the rollout still progressed as without it. */
  readonly refused?: CommandRefusal;
}

/**
 * Decides the next status of a rollout and the effects that realise it.
 *
 * @example
 * let status = initialStatus();
 * const { status: next, effects } = decide(spec, status, { canaryReady: false, stableReady: false, analysis: {} }, new Date());
 * // persist `next` (one transaction), then apply `effects`
 */
export function decide(
  spec: RolloutSpec,
  status: RolloutStatus,
  observations: Observations,
  now: Date,
  command?: RolloutCommand,
): DecideResult {
  const ctx = new DecisionContext(spec, status, observations, now);
  refreshRuns(ctx);
  reconcileSpec(ctx);
  const refused = command === undefined ? undefined : applyCommand(ctx, command);
  const strategy = spec.strategy;
  // Each pass makes one transition; a step cannot be entered twice, so this ends well before the bound.
  const bound = 4 * (strategy.kind === "canary" ? strategy.steps.length : 10) + 20;
  for (let i = 0; i < bound; i++) {
    const moved =
      strategy.kind === "canary"
        ? progressCanary(ctx, strategy)
        : strategy.kind === "flagger"
          ? progressFlagger(ctx, strategy)
          : progressBlueGreen(ctx, strategy);
    if (!moved) break;
  }
  const [phase, message] = phaseOf(ctx);
  ctx.st.phase = phase;
  ctx.st.message = message;
  ctx.st.teardowns = ctx.st.teardowns.filter((t) => now.getTime() - Date.parse(t.at) < TEARDOWN_RETENTION_MS);
  return { status: ctx.st, effects: effectsOf(ctx), ...(refused !== undefined && { refused }) };
}

/** Copies the observed run phases into the status, recording each run's completion once. */
function refreshRuns(ctx: DecisionContext): void {
  ctx.st.analysisRuns = ctx.st.analysisRuns.map((run) => {
    const observed = ctx.obs.analysis[run.id];
    if (observed === undefined || observed === run.phase || isCompleted(run.phase)) return run;
    if (isCompleted(observed)) ctx.record("AnalysisCompleted", `analysis run ${run.id} ${observed}`);
    return { ...run, phase: observed };
  });
}

/** A new version in the spec is a request for it; new canary steps restart the update (Argo). */
function reconcileSpec(ctx: DecisionContext): void {
  const { st, spec } = ctx;
  if (spec.version !== st.observedVersion) {
    st.observedVersion = spec.version;
    if (spec.version !== (st.canaryVersion ?? st.stableVersion)) requestVersion(ctx, spec.version, "spec");
  }
  const hash = stepsHash(spec);
  if (hash !== st.stepsHash) {
    if (st.canaryVersion !== null && st.stepsHash !== null) {
      restartRevision(ctx, `the steps changed: ${st.canaryVersion} starts over`);
    }
    st.stepsHash = hash;
  }
}

function phaseOf(ctx: DecisionContext): [RolloutPhase, string] {
  const { st } = ctx;
  if (st.aborted) return ["Degraded", `RolloutAborted: ${st.abortMessage ?? "aborted"}`];
  if (ctx.hasPause("UserPause")) return ["Paused", "UserPause: paused by a user; resume continues"];
  const pause = st.pauseConditions[0];
  if (pause !== undefined) return ["Paused", `${pause.reason}: ${ctx.waiting ?? "waiting"}`];
  const held = st.flagger?.revision === st.revision ? st.flagger.heldBy : null;
  if (st.canaryVersion !== null && held !== null && held !== undefined)
    return ["Paused", `waiting for ${held.type} webhook ${held.name}: ${held.message}`];
  if (st.canaryVersion !== null) return ["Progressing", ctx.waiting ?? `rolling out ${st.canaryVersion}`];
  if (st.stableVersion === null) return ["Progressing", "no version yet"];
  if (!ctx.stableReady()) {
    return ["Progressing", `waiting for ${st.stableVersion} (${ctx.spec.replicas} replicas) to be ready`];
  }
  return ["Healthy", `${st.stableVersion} serves all traffic`];
}

function effectsOf(ctx: DecisionContext): Effect[] {
  const { st, spec, now } = ctx;
  const effects: Effect[] = [];
  const flagger = flaggerEffects(ctx);
  // An aborted canary keeps running only with abortScaleDownDelaySeconds 0, and never gets traffic.
  const keepAborted = spec.strategy.abortScaleDownDelaySeconds === 0;
  const running =
    st.canaryVersion !== null && !ctx.tearingDown(st.canaryVersion) && (!st.aborted || keepAborted)
      ? st.canaryVersion
      : null;
  const routed = st.aborted ? null : running;
  if (st.stableVersion !== null) {
    effects.push({ kind: "deploy", version: st.stableVersion, replicas: spec.replicas, role: "stable" });
  }
  if (running !== null)
    effects.push({ kind: "deploy", version: running, replicas: st.canaryReplicas, role: "canary" });
  if (st.stableVersion !== null) {
    effects.push({
      kind: "route",
      stableVersion: st.stableVersion,
      canaryVersion: routed,
      weight: routed === null ? 0 : st.canaryWeight,
      headerRoutes: routed === null ? [] : [...st.headerRoutes, ...flagger.headerRoutes],
      mirrorRoutes: routed === null ? [] : st.mirrorRoutes,
    });
  }
  for (const run of st.analysisRuns) {
    if (isCompleted(run.phase)) continue;
    effects.push({
      kind: "startAnalysis",
      runId: run.id,
      analysisKind: run.kind,
      templates: run.templates,
      args: run.args,
      dryRun: run.dryRun,
      measurementRetention: run.measurementRetention,
      ...(run.checks !== undefined && { checks: run.checks }),
    });
  }
  effects.push(...flagger.calls, ...flagger.loadTests);
  for (const runId of ctx.terminated) effects.push({ kind: "terminateAnalysis", runId });
  for (const t of st.teardowns) effects.push({ kind: "teardown", version: t.version, at: t.at });
  for (const entry of ctx.notifications) {
    effects.push({ kind: "notify", event: entry.event, message: entry.message, seq: entry.seq });
  }
  const deadlines = [
    ...st.pauseConditions.map((p) => p.until),
    ...st.teardowns.map((t) => t.at),
    ...(st.canaryVersion !== null && st.flagger !== undefined ? [st.flagger.nextAt] : []),
  ].filter((at): at is string => at !== null && Date.parse(at) > now.getTime());
  if (deadlines.length > 0) {
    const at = deadlines.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
    effects.push({ kind: "wakeAt", at });
  }
  return effects;
}
