/**
 * The Flagger-style canary (fluxcd/flagger pkg/controller/scheduler.go, as it maps onto Ramp:
 * Flagger's primary is Ramp's stable). Every analysis interval: the rollback webhooks, then the
 * checks (pre-rollout webhooks before any traffic, else rollout webhooks and the metrics), then
 * the next weight behind confirm-traffic-increase, or the promotion behind confirm-promotion.
 * A failed check counts toward `threshold` for the whole revision; reaching it rolls back.
 * Webhook answers and metric runs come in as observations: each stage waits for its own.
 */
import type { DecisionContext } from "./context.js";
import { gate, hooksOf } from "./flagger-calls.js";
import type { FlaggerAnalysis, FlaggerWebhook } from "./flagger-types.js";
import type { FlaggerStrategy } from "./rollout.js";
import { analysisRunId } from "./run-ids.js";
import type { AnalysisRunState, FlaggerStage, FlaggerStatus } from "./status.js";
import { abort, promote } from "./transitions.js";

/** The header route an A/B analysis sends its matched requests through. */
export const AB_ROUTE = "flagger-ab";
/** The mirror route of a Flagger analysis with `mirror: true`. */
export const MIRROR_ROUTE = "flagger-mirror";

/** Advances the analysis by one transition; false when it has to wait (ctx.waiting says why). */
export function progressFlagger(ctx: DecisionContext, strategy: FlaggerStrategy): boolean {
  const { st } = ctx;
  if (st.canaryVersion === null) return false;
  const f = st.flagger;
  if (f === undefined || f.revision !== st.revision) {
    st.flagger = {
      revision: st.revision,
      phase: "Waiting",
      failedChecks: 0,
      iterations: 0,
      interval: 0,
      stage: null,
      intervalStartedAt: null,
      nextAt: ctx.nowIso,
      heldBy: null,
    };
    return true;
  }
  if (st.aborted) {
    if (f.phase === "Failed") return false;
    update(ctx, { phase: "Failed", stage: null, nextAt: null, heldBy: null });
    return true;
  }
  if (st.promoteFull) {
    if (ctx.setCanaryReplicas(ctx.spec.replicas)) return true;
    if (!(ctx.canaryReady() && ctx.stableReady()))
      return ctx.wait(`waiting for ${st.canaryVersion} to run all ${ctx.spec.replicas} replicas, ready`);
    succeed(ctx, "full promotion");
    return true;
  }
  return f.stage === null ? startInterval(ctx, strategy, f) : advance(ctx, strategy, f, f.stage);
}

function update(ctx: DecisionContext, patch: Partial<FlaggerStatus>): FlaggerStatus {
  const current = ctx.st.flagger;
  if (current === undefined) throw new Error("no Flagger status to update");
  const next = { ...current, ...patch };
  ctx.st.flagger = next;
  return next;
}

function startInterval(ctx: DecisionContext, strategy: FlaggerStrategy, f: FlaggerStatus): boolean {
  const { st } = ctx;
  if (f.phase === "Succeeded" || f.phase === "Failed") return false;
  if (ctx.hasPause("UserPause")) return ctx.wait("paused by user: resume continues the analysis");
  if (f.phase !== "Waiting") {
    if (ctx.setCanaryReplicas(ctx.spec.replicas)) return true;
    if (!(ctx.canaryReady() && ctx.stableReady()))
      return ctx.wait(`waiting for ${st.canaryVersion} (${ctx.spec.replicas} replicas) to be ready`);
  }
  if (f.nextAt !== null && !ctx.reached(f.nextAt)) return ctx.wait(heldOr(f, "analysing"));
  ctx.dropRuns((r) => r.kind === "iteration");
  const next = update(ctx, { interval: f.interval + 1, intervalStartedAt: ctx.nowIso, nextAt: null });
  if (f.phase === "Promoting") {
    promotionStep(ctx, strategy.analysis, next);
    return true;
  }
  enter(ctx, strategy, next, f.phase === "Waiting" ? "confirm-rollout" : "rollback");
  return true;
}

function heldOr(f: FlaggerStatus, what: string): string {
  return f.heldBy === null
    ? `${what}: interval ${f.interval}, ${f.failedChecks} failed check(s)`
    : `waiting for ${f.heldBy.type} webhook ${f.heldBy.name}`;
}

/** Enters `stage`, skipping the stages with nothing to ask. */
function enter(ctx: DecisionContext, strategy: FlaggerStrategy, f: FlaggerStatus, stage: FlaggerStage): void {
  const analysis = strategy.analysis;
  if (stage === "metrics") {
    if (analysis.metrics.length === 0) {
      strategyStep(ctx, strategy, f);
      return;
    }
    startChecks(ctx, analysis, f);
  } else if (hooksOf(analysis, stage).length === 0) {
    pass(ctx, strategy, f, stage);
    return;
  }
  update(ctx, { stage });
}

function advance(
  ctx: DecisionContext,
  strategy: FlaggerStrategy,
  f: FlaggerStatus,
  stage: FlaggerStage,
): boolean {
  if (stage === "metrics") {
    const run = ctx.runOf("iteration", f.interval);
    if (run === undefined) {
      startChecks(ctx, strategy.analysis, f);
      return true;
    }
    if (run.phase === "Successful") {
      strategyStep(ctx, strategy, f);
      return true;
    }
    if (run.phase === "Pending" || run.phase === "Running")
      return ctx.wait(`metric checks of interval ${f.interval}`);
    failCheck(ctx, strategy, f, `metric checks ${run.phase} (analysis run ${run.id})`);
    return true;
  }
  const answer = gate(ctx, strategy.analysis, f, stage);
  if (answer.kind === "pending")
    return ctx.wait(`waiting for the ${stage} webhook ${answer.hook.name} to answer`);
  if (stage === "rollback") {
    if (answer.kind === "passed") {
      abortFlagger(ctx, `rollback webhook ${answer.hook.name} signalled a rollback: ${answer.message}`);
      return true;
    }
    enter(ctx, strategy, f, checksStage(ctx, strategy.analysis, f));
    return true;
  }
  if (answer.kind === "passed") {
    pass(ctx, strategy, f, stage);
    return true;
  }
  if (stage === "pre-rollout" || stage === "rollout") {
    failCheck(ctx, strategy, f, `${stage} webhook ${answer.hook.name}: ${answer.message}`);
    return true;
  }
  hold(ctx, f, stage, answer.hook, answer.message);
  return true;
}

/** What follows a stage whose webhooks all passed (or that had none). */
function pass(ctx: DecisionContext, strategy: FlaggerStrategy, f: FlaggerStatus, stage: FlaggerStage): void {
  const released = f.heldBy !== null && f.heldBy.type === stage;
  if (released) ctx.record("Resumed", `${stage} webhook ${f.heldBy?.name ?? ""} passed`);
  pastGate(ctx, strategy, released ? update(ctx, { heldBy: null }) : f, stage);
}

function pastGate(
  ctx: DecisionContext,
  strategy: FlaggerStrategy,
  f: FlaggerStatus,
  stage: FlaggerStage,
): void {
  switch (stage) {
    case "confirm-rollout":
      // Flagger scales the canary up only once the rollout is confirmed.
      ctx.setCanaryReplicas(ctx.spec.replicas);
      endInterval(ctx, update(ctx, { phase: "Progressing" }));
      return;
    case "rollback":
      enter(ctx, strategy, f, checksStage(ctx, strategy.analysis, f));
      return;
    case "pre-rollout":
      strategyStep(ctx, strategy, f);
      return;
    case "rollout":
      enter(ctx, strategy, f, "metrics");
      return;
    case "metrics":
      strategyStep(ctx, strategy, f);
      return;
    case "confirm-traffic-increase":
      increaseWeight(ctx, strategy, f);
      return;
    case "confirm-promotion":
      confirmedPromotion(ctx, strategy, f);
      return;
  }
}

/** Flagger checks with pre-rollout webhooks until traffic (or a mirror) reaches the canary. */
function checksStage(ctx: DecisionContext, analysis: FlaggerAnalysis, f: FlaggerStatus): FlaggerStage {
  const mirrored = analysis.mirror && ctx.st.mirrorRoutes.length > 0;
  return ctx.st.canaryWeight === 0 && f.iterations === 0 && !mirrored ? "pre-rollout" : "rollout";
}

/** After the checks passed: the strategy's move for this interval (Flagger's runCanary/runBlueGreen/runAB). */
function strategyStep(ctx: DecisionContext, strategy: FlaggerStrategy, f: FlaggerStatus): void {
  const { st } = ctx;
  const a = strategy.analysis;
  if (a.mode === "canary") {
    const mirrored = st.mirrorRoutes.length > 0;
    if (!mirrored && f.phase !== "WaitingPromotion") enter(ctx, strategy, f, "confirm-traffic-increase");
    else increaseWeight(ctx, strategy, f);
    return;
  }
  if (f.iterations < a.iterations) {
    if (a.mode === "abTesting" && !st.headerRoutes.some((r) => r.name === AB_ROUTE))
      st.headerRoutes = [...st.headerRoutes, { name: AB_ROUTE, match: a.match }];
    if (a.mode === "blueGreen" && a.mirror && st.mirrorRoutes.length === 0)
      st.mirrorRoutes = [{ name: MIRROR_ROUTE, percentage: a.mirrorWeight, match: [] }];
    const next = update(ctx, { iterations: f.iterations + 1 });
    ctx.record(
      "StepCompleted",
      `interval ${f.interval}: checks passed, iteration ${next.iterations}/${a.iterations}`,
    );
    endInterval(ctx, next);
    return;
  }
  if (f.iterations === a.iterations) {
    enter(ctx, strategy, f, "confirm-promotion");
    return;
  }
  // Blue/green after the switch: the checks passed with all traffic on the new version.
  beginPromotion(ctx, a, f);
}

/** Flagger's runCanary: the next weight, or at maxWeight the promotion gate. */
function increaseWeight(ctx: DecisionContext, strategy: FlaggerStrategy, f: FlaggerStatus): void {
  const { st } = ctx;
  const a = strategy.analysis;
  if (st.canaryWeight >= a.maxWeight) {
    enter(ctx, strategy, f, "confirm-promotion");
    return;
  }
  const step = nextStepWeight(a, st.canaryWeight);
  if (a.mirror && st.canaryWeight === 0) {
    // One interval of mirroring before the first weight, as Flagger does.
    if (st.mirrorRoutes.length === 0) {
      st.mirrorRoutes = [{ name: MIRROR_ROUTE, percentage: a.mirrorWeight, match: [] }];
      ctx.record(
        "StepCompleted",
        `interval ${f.interval}: mirroring ${a.mirrorWeight}% of requests to the canary`,
      );
      endInterval(ctx, f);
      return;
    }
    st.mirrorRoutes = [];
  }
  ctx.setWeight(Math.min(100, st.canaryWeight + step), `interval ${f.interval}`);
  endInterval(ctx, f);
}

/** Flagger's nextStepWeight: stepWeight, else the distance to the next stepWeights entry. */
export function nextStepWeight(a: FlaggerAnalysis, weight: number): number {
  if (a.stepWeight > 0 || a.stepWeights.length === 0) return a.stepWeight;
  const maxStep = 100 - weight;
  if (maxStep === 0) return 1;
  const first = a.stepWeights[0] ?? maxStep;
  if (weight === 0) return Math.min(maxStep, first);
  for (let i = 0; i < a.stepWeights.length - 1; i++) {
    const here = a.stepWeights[i];
    const next = a.stepWeights[i + 1];
    if (here === weight && next !== undefined) return Math.min(maxStep, next - weight);
  }
  return maxStep;
}

function confirmedPromotion(ctx: DecisionContext, strategy: FlaggerStrategy, f: FlaggerStatus): void {
  const a = strategy.analysis;
  if (a.mode === "blueGreen") {
    // Flagger's blue/green: all traffic to the new version, one more interval of checks, then promotion.
    ctx.st.mirrorRoutes = [];
    ctx.setWeight(100, `interval ${f.interval}: ${a.iterations} iterations passed, switching`);
    endInterval(ctx, update(ctx, { iterations: f.iterations + 1, phase: "Progressing" }));
    return;
  }
  beginPromotion(ctx, a, f);
}

/** With stepWeightPromotion the new version's share rises step by step; else it is promoted at once. */
function beginPromotion(ctx: DecisionContext, a: FlaggerAnalysis, f: FlaggerStatus): void {
  if (a.mode !== "blueGreen" && a.stepWeightPromotion > 0 && ctx.st.canaryWeight < 100) {
    ctx.record(
      "StepCompleted",
      `interval ${f.interval}: analysis passed, promoting in steps of ${a.stepWeightPromotion}%`,
    );
    endInterval(ctx, update(ctx, { phase: "Promoting" }));
    return;
  }
  succeed(ctx, `analysis passed after ${f.interval} intervals`);
}

function promotionStep(ctx: DecisionContext, a: FlaggerAnalysis, f: FlaggerStatus): void {
  const weight = Math.min(100, ctx.st.canaryWeight + a.stepWeightPromotion);
  ctx.setWeight(weight, `promotion, interval ${f.interval}`);
  if (weight >= 100) succeed(ctx, `analysis passed, promoted in steps of ${a.stepWeightPromotion}%`);
  else endInterval(ctx, f);
}

function succeed(ctx: DecisionContext, reason: string): void {
  update(ctx, { phase: "Succeeded", stage: null, nextAt: null, heldBy: null });
  promote(ctx, reason);
}

function failCheck(ctx: DecisionContext, strategy: FlaggerStrategy, f: FlaggerStatus, why: string): void {
  const { threshold } = strategy.analysis;
  const next = update(ctx, { failedChecks: f.failedChecks + 1 });
  ctx.record(
    "CheckFailed",
    `interval ${f.interval}: ${why} (failed checks ${next.failedChecks}/${threshold})`,
  );
  // Flagger rolls back at its next tick; Ramp does not keep a failing canary on traffic that long.
  if (next.failedChecks >= threshold)
    abortFlagger(ctx, `failed checks threshold reached (${next.failedChecks}/${threshold}): ${why}`);
  else endInterval(ctx, next);
}

function abortFlagger(ctx: DecisionContext, message: string): void {
  update(ctx, { phase: "Failed", stage: null, nextAt: null, heldBy: null });
  abort(ctx, message);
}

/** A confirm-* webhook said no: the interval ends; it is asked again at the next one. */
function hold(
  ctx: DecisionContext,
  f: FlaggerStatus,
  stage: FlaggerStage,
  hook: FlaggerWebhook,
  message: string,
): void {
  const phase =
    stage === "confirm-rollout" ? "Waiting" : stage === "confirm-promotion" ? "WaitingPromotion" : f.phase;
  const same = f.heldBy?.type === stage && f.heldBy.name === hook.name;
  const next = update(ctx, { phase, heldBy: { type: stage, name: hook.name, message } });
  if (!same)
    ctx.record("WebhookHeld", `${stage} webhook ${hook.name} holds the rollout: ${message}`, !hook.muteAlert);
  endInterval(ctx, next);
}

function endInterval(ctx: DecisionContext, f: FlaggerStatus): void {
  update(ctx, { stage: null, nextAt: nextIntervalAt(ctx, f) });
}

function nextIntervalAt(ctx: DecisionContext, f: FlaggerStatus): string {
  const strategy = ctx.spec.strategy;
  const seconds = strategy.kind === "flagger" ? strategy.analysis.intervalSeconds : 60;
  const from = f.intervalStartedAt === null ? ctx.now.getTime() : Date.parse(f.intervalStartedAt);
  return new Date(from + seconds * 1000).toISOString();
}

function startChecks(ctx: DecisionContext, a: FlaggerAnalysis, f: FlaggerStatus): void {
  const { st, spec } = ctx;
  if (ctx.runOf("iteration", f.interval) !== undefined) return;
  const run: AnalysisRunState = {
    id: analysisRunId(spec.name, st.revision, "iteration", f.interval, 1),
    kind: "iteration",
    stepIndex: f.interval,
    attempt: 1,
    templates: [],
    args: [
      { name: "target", value: spec.name },
      { name: "namespace", value: spec.namespace ?? "default" },
      { name: "canary-version", value: st.canaryVersion ?? "" },
      { name: "stable-version", value: st.stableVersion ?? "" },
    ],
    dryRun: [],
    measurementRetention: [],
    startedAt: ctx.nowIso,
    phase: "Pending",
    checks: a.metrics,
  };
  st.analysisRuns = [...st.analysisRuns, run];
}
