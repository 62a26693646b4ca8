/**
 * The canary strategy (argo-rollouts rollout/canary.go): one step at a time; replicas and traffic
 * weight follow the step index; a step is entered once, when the previous one completes.
 */
import type { DecisionContext } from "./context.js";
import { formatSeconds } from "./duration.js";
import type { CanaryStep, CanaryStrategy } from "./rollout.js";
import { abort, promote } from "./transitions.js";

/** Advances the canary by one transition; false when it has to wait (ctx.waiting says why). */
export function progressCanary(ctx: DecisionContext, strategy: CanaryStrategy): boolean {
  const { st } = ctx;
  const canary = st.canaryVersion;
  if (canary === null || st.aborted) return false;
  const steps = strategy.steps;
  if (st.stepIndex === null) {
    enterStep(ctx, strategy, 0);
    return true;
  }
  if (progressBackground(ctx, strategy)) return true;
  const userPaused = ctx.hasPause("UserPause");
  const index = st.stepIndex;
  const step = steps[index];

  if (st.promoteFull || step === undefined) {
    if (userPaused) return ctx.wait("paused by user");
    if (ctx.setCanaryReplicas(ctx.spec.replicas)) return true;
    if (!(ctx.canaryReady() && ctx.stableReady())) {
      return ctx.wait(`waiting for ${canary} to run all ${ctx.spec.replicas} replicas, ready`);
    }
    if (st.promoteFull) {
      promote(ctx, "full promotion");
      return true;
    }
    if (st.canaryWeight !== 100) {
      ctx.setWeight(100, `all ${steps.length} steps completed`);
      return true;
    }
    if (!ctx.routed()) return ctx.wait(`waiting for the router to send 100% to ${canary}`);
    promote(ctx, `completed all ${steps.length} steps`);
    return true;
  }

  // A run's failure aborts even while the user holds the rollout (Argo evaluates it regardless).
  if (step.kind === "analysis" && judgeStepAnalysis(ctx, index)) return true;
  if (userPaused) return ctx.wait("paused by user");
  if (ctx.hasPause("InconclusiveAnalysis"))
    return ctx.wait("analysis inconclusive: promote to go on, resume to re-run");

  // Level rules: replicas, then (once they are ready) weight, follow the current index.
  if (ctx.setCanaryReplicas(canaryReplicasAt(ctx.spec.replicas, strategy, index))) return true;
  const ready = ctx.canaryReady() && ctx.stableReady();
  const weight = weightAt(strategy, index);
  if (ready && st.canaryWeight !== weight) {
    ctx.setWeight(weight, `step ${index + 1}/${steps.length}`);
    return true;
  }

  switch (step.kind) {
    case "setWeight":
    case "setCanaryScale":
      if (!ready) return ctx.wait(`waiting for ${canary} (${st.canaryReplicas} replicas) to be ready`);
      if (!ctx.routed()) return ctx.wait(`waiting for the router to send ${st.canaryWeight}% to ${canary}`);
      completeStep(
        ctx,
        strategy,
        step.kind === "setWeight" ? `canary at ${step.weight}%` : `canary at ${st.canaryReplicas} replicas`,
      );
      return true;
    case "pause": {
      const pause = ctx.pauseOf("CanaryPauseStep");
      if (pause === undefined) {
        completeStep(ctx, strategy, "pause ended by promote");
        return true;
      }
      if (pause.until !== null && ctx.reached(pause.until)) {
        ctx.unpause("CanaryPauseStep");
        completeStep(ctx, strategy, `paused for ${formatSeconds(step.durationSeconds ?? 0)}`);
        return true;
      }
      return ctx.wait(pause.until === null ? "paused: promote to continue" : `paused until ${pause.until}`);
    }
    case "analysis": {
      const run = ctx.runOf("step", index);
      if (run?.phase === "Successful") {
        completeStep(ctx, strategy, `analysis run ${run.id} Successful`);
        return true;
      }
      return ctx.wait(`analysis run ${run?.id ?? "?"} ${run?.phase ?? "Pending"}`);
    }
    case "setHeaderRoute":
    case "setMirrorRoute":
      completeStep(ctx, strategy, `${step.kind} ${step.name} ${step.match.length === 0 ? "removed" : "set"}`);
      return true;
  }
}

/** Aborts on a failed step run, pauses on an inconclusive one; true when it did either. */
function judgeStepAnalysis(ctx: DecisionContext, index: number): boolean {
  const run = ctx.runOf("step", index);
  if (run === undefined || ctx.hasPause("InconclusiveAnalysis")) return false;
  if (run.phase === "Failed" || run.phase === "Error") {
    abort(ctx, `step ${index + 1}: analysis run ${run.id} ${run.phase}`);
    return true;
  }
  if (run.phase === "Inconclusive") {
    ctx.pause("InconclusiveAnalysis", null);
    ctx.record(
      "Paused",
      `InconclusiveAnalysis: run ${run.id}; promote skips the step, resume runs it again`,
      true,
    );
    return true;
  }
  return false;
}

/** The background run: started at startingStep, aborts on failure, pauses when inconclusive. */
function progressBackground(ctx: DecisionContext, strategy: CanaryStrategy): boolean {
  const bg = strategy.background;
  const index = ctx.st.stepIndex;
  if (bg === null || index === null || ctx.st.promoteFull) return false;
  const run = ctx.runOf("background");
  if (run === undefined) {
    if (index < bg.startingStep || index >= strategy.steps.length) return false;
    ctx.startRun("background", null, bg);
    return true;
  }
  if (run.phase === "Failed" || run.phase === "Error") {
    abort(ctx, `background analysis run ${run.id} ${run.phase}`);
    return true;
  }
  if (run.phase === "Inconclusive" && !ctx.hasPause("InconclusiveAnalysis")) {
    ctx.pause("InconclusiveAnalysis", null);
    ctx.record(
      "Paused",
      `InconclusiveAnalysis: background run ${run.id}; promote or resume runs it again`,
      true,
    );
    return true;
  }
  return false;
}

export function enterStep(ctx: DecisionContext, strategy: CanaryStrategy, index: number): void {
  const { st } = ctx;
  st.stepIndex = index;
  const step = strategy.steps[index];
  if (step === undefined) return;
  ctx.record("StepStarted", `step ${index + 1}/${strategy.steps.length}: ${describeStep(step)}`);
  switch (step.kind) {
    case "pause":
      ctx.pause("CanaryPauseStep", step.durationSeconds === null ? null : ctx.after(step.durationSeconds));
      ctx.record(
        "Paused",
        step.durationSeconds === null
          ? "CanaryPauseStep: waiting for promote"
          : `CanaryPauseStep for ${formatSeconds(step.durationSeconds)}`,
        step.durationSeconds === null,
      );
      return;
    case "analysis":
      ctx.startRun("step", index, step.analysis);
      return;
    case "setHeaderRoute": {
      const others = st.headerRoutes.filter((r) => r.name !== step.name);
      st.headerRoutes =
        step.match.length === 0 ? others : [...others, { name: step.name, match: step.match }];
      return;
    }
    case "setMirrorRoute": {
      const others = st.mirrorRoutes.filter((r) => r.name !== step.name);
      st.mirrorRoutes =
        step.match.length === 0
          ? others
          : [...others, { name: step.name, percentage: step.percentage, match: step.match }];
      return;
    }
    case "setWeight":
    case "setCanaryScale":
      return;
  }
}

/** Records the completion of the current step and enters the next (steps.length: all done). */
export function completeStep(ctx: DecisionContext, strategy: CanaryStrategy, message: string): void {
  const index = ctx.st.stepIndex ?? 0;
  ctx.record("StepCompleted", `step ${index + 1}/${strategy.steps.length}: ${message}`);
  ctx.unpause("CanaryPauseStep");
  ctx.dropRuns((r) => r.kind === "step");
  enterStep(ctx, strategy, index + 1);
}

/** Argo's GetCurrentSetWeight: the last setWeight at or before the index, else 0. */
export function weightAt(strategy: CanaryStrategy, index: number): number {
  for (let i = Math.min(index, strategy.steps.length - 1); i >= 0; i--) {
    const step = strategy.steps[i];
    if (step?.kind === "setWeight") return step.weight;
  }
  return 0;
}

/**
 * Argo's CalculateReplicaCountsForTrafficRoutedCanary: the last setCanaryScale at or before the index
 * (unless it says matchTrafficWeight), else ceil(weight × replicas / 100); minPodsPerReplicaSet
 * (capped at spec.replicas) raises a non-zero count that comes from a weight.
 */
export function canaryReplicasAt(replicas: number, strategy: CanaryStrategy, index: number): number {
  const fromWeight = (weight: number) => {
    const n = Math.ceil((weight * replicas) / 100);
    const min = strategy.minPodsPerReplicaSet;
    return n > 0 && min !== null ? Math.max(n, Math.min(min, replicas)) : n;
  };
  for (let i = Math.min(index, strategy.steps.length - 1); i >= 0; i--) {
    const step = strategy.steps[i];
    if (step?.kind !== "setCanaryScale") continue;
    if ("replicas" in step.scale) return step.scale.replicas;
    if ("weight" in step.scale) return fromWeight(step.scale.weight);
    break;
  }
  return fromWeight(weightAt(strategy, index));
}

export function describeStep(step: CanaryStep): string {
  switch (step.kind) {
    case "setWeight":
      return `setWeight ${step.weight}%`;
    case "pause":
      return step.durationSeconds === null
        ? "pause until promoted"
        : `pause ${formatSeconds(step.durationSeconds)}`;
    case "analysis":
      return `analysis (${step.analysis.templates.map((t) => t.templateName).join(", ")})`;
    case "setCanaryScale":
      return "replicas" in step.scale
        ? `setCanaryScale ${step.scale.replicas} replicas`
        : "weight" in step.scale
          ? `setCanaryScale ${step.scale.weight}%`
          : "setCanaryScale matchTrafficWeight";
    case "setHeaderRoute":
      return `setHeaderRoute ${step.name}${step.match.length === 0 ? " (remove)" : ""}`;
    case "setMirrorRoute":
      return `setMirrorRoute ${step.name}${step.match.length === 0 ? " (remove)" : ` ${step.percentage}%`}`;
  }
}
