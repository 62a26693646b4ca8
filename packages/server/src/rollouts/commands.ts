/**
 * User intents (kubectl argo rollouts promote [--full] / pause / abort / retry / undo / set image),
 * applied to the working status before the rollout progresses. A command that does not apply is
 * refused with a code and a message; the status is then left as it was.
 */
import { completeStep } from "./canary.js";
import type { DecisionContext } from "./context.js";
import type { AnalysisSpec } from "./rollout.js";
import { VERSION_NAME } from "./spec.js";
import type { AnalysisRunState } from "./status.js";
import { abort, requestVersion, restartRevision } from "./transitions.js";

export type RolloutCommand =
  | {
      readonly kind: "promote" | "promoteFull" | "pause" | "resume" | "abort" | "retry" | "undo";
      /** Who asked, for history messages. */
      readonly by?: string;
    }
  | { readonly kind: "setVersion"; readonly version: string; readonly by?: string };

export const REFUSAL_CODES = [
  "NOTHING_TO_PROMOTE",
  "ABORTED",
  "ALREADY_PAUSED",
  "NOT_PAUSED",
  "NOTHING_TO_ABORT",
  "NOT_ABORTED",
  "NOTHING_TO_UNDO",
  "NO_CHANGE",
  "INVALID_VERSION",
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface CommandRefusal {
  readonly code: RefusalCode;
  readonly message: string;
}

const refuse = (code: RefusalCode, message: string): CommandRefusal => ({ code, message });

export function applyCommand(ctx: DecisionContext, command: RolloutCommand): CommandRefusal | undefined {
  const { st } = ctx;
  const by = command.by === undefined ? "" : ` by ${command.by}`;
  switch (command.kind) {
    case "promote":
      return promoteCommand(ctx, by);
    case "promoteFull": {
      if (st.canaryVersion === null)
        return refuse("NOTHING_TO_PROMOTE", `nothing to promote: ${st.stableVersion ?? "nothing"} is stable`);
      // Argo's promote --full: lifts every pause and the abort, stops analysis and header/mirror routes.
      if (st.aborted) {
        st.aborted = false;
        st.abortedAt = null;
        st.abortMessage = null;
        ctx.cancelTeardown(st.canaryVersion);
      }
      st.pauseConditions = [];
      st.promoteFull = true;
      st.headerRoutes = [];
      st.mirrorRoutes = [];
      ctx.dropRuns(() => true);
      if (ctx.spec.strategy.kind === "canary") st.stepIndex = ctx.spec.strategy.steps.length;
      else if (st.blueGreenStage !== "PostPromotionAnalysis") st.blueGreenStage = "ScalingUp";
      ctx.record(
        "Resumed",
        `full promotion of ${st.canaryVersion} requested${by}: remaining steps, pauses and analysis skipped`,
      );
      return undefined;
    }
    case "pause":
      if (ctx.hasPause("UserPause")) return refuse("ALREADY_PAUSED", "already paused by a user");
      ctx.pause("UserPause", null);
      ctx.record("Paused", `UserPause: paused${by}`, true);
      return undefined;
    case "resume": {
      const user = ctx.unpause("UserPause");
      const inconclusive = ctx.unpause("InconclusiveAnalysis");
      if (!user && !inconclusive) {
        return refuse(
          "NOT_PAUSED",
          ctx.hasPause("CanaryPauseStep") || ctx.hasPause("BlueGreenPause")
            ? "not paused by a user: the rollout waits at a pause step; promote continues it"
            : "not paused",
        );
      }
      if (inconclusive) ctx.rerunInconclusive((run) => analysisOf(ctx, run));
      ctx.record("Resumed", `resumed${by}${inconclusive ? ": inconclusive analysis runs again" : ""}`);
      return undefined;
    }
    case "abort":
      if (st.canaryVersion === null)
        return refuse("NOTHING_TO_ABORT", "nothing to abort: no update in progress");
      if (st.aborted) return refuse("NOTHING_TO_ABORT", "already aborted");
      abort(ctx, `aborted${by}`);
      return undefined;
    case "retry":
      if (!st.aborted || st.canaryVersion === null)
        return refuse("NOT_ABORTED", "retry restarts an aborted update; this one is not aborted");
      restartRevision(ctx, `retry of ${st.canaryVersion}${by}`);
      return undefined;
    case "undo": {
      const target = st.canaryVersion !== null ? st.stableVersion : st.previousStableVersion;
      if (target === null) return refuse("NOTHING_TO_UNDO", "no previous version to go back to");
      requestVersion(ctx, target, "undo", command.by);
      return undefined;
    }
    case "setVersion": {
      if (!new RegExp(VERSION_NAME).test(command.version)) {
        return refuse(
          "INVALID_VERSION",
          `'${command.version}' is not a version name (letters, digits, '_', '.', '+', ':', '-')`,
        );
      }
      if (command.version === (st.canaryVersion ?? st.stableVersion)) {
        return refuse(
          "NO_CHANGE",
          st.aborted
            ? `${command.version} was aborted; retry restarts it`
            : `${command.version} is already the version rolled out`,
        );
      }
      requestVersion(ctx, command.version, "setVersion", command.by);
      return undefined;
    }
  }
}

/**
 * Argo's `promote` (kubectl-argo-rollouts cmd/promote): lifts the user's pause; at an inconclusive
 * step analysis it skips the step; otherwise it lifts the controller's pauses (a pause step then
 * completes); with nothing paused it skips the current step.
 */
function promoteCommand(ctx: DecisionContext, by: string): CommandRefusal | undefined {
  const { st } = ctx;
  if (st.canaryVersion === null)
    return refuse("NOTHING_TO_PROMOTE", `nothing to promote: ${st.stableVersion ?? "nothing"} is stable`);
  if (st.aborted)
    return refuse("ABORTED", "the update was aborted: retry restarts it, promoteFull forces it");
  const strategy = ctx.spec.strategy;
  const user = ctx.unpause("UserPause");
  const controllerPaused = st.pauseConditions.length > 0;
  if (strategy.kind === "blueGreen") {
    if (!user && !controllerPaused) {
      return refuse(
        "NOTHING_TO_PROMOTE",
        `nothing waits for promote: ${ctx.input.message || "the update is progressing"}`,
      );
    }
    const inconclusive = ctx.unpause("InconclusiveAnalysis");
    ctx.unpause("BlueGreenPause");
    if (inconclusive) ctx.rerunInconclusive((run) => analysisOf(ctx, run));
    ctx.record("Resumed", `promoted${by}`);
    return undefined;
  }
  if (strategy.kind === "flagger") {
    // Flagger has no manual promotion: the analysis and its confirm-* webhooks decide.
    if (user) {
      ctx.record("Resumed", `promoted${by}`);
      return undefined;
    }
    return refuse(
      "NOTHING_TO_PROMOTE",
      "a Flagger-style analysis promotes on its own once its checks and confirm-* webhooks pass; promoteFull skips them",
    );
  }
  const index = st.stepIndex ?? 0;
  const step = strategy.steps[index];
  const stepRun = ctx.runOf("step", index);
  if (
    step?.kind === "analysis" &&
    ctx.hasPause("InconclusiveAnalysis") &&
    stepRun?.phase === "Inconclusive"
  ) {
    ctx.clearControllerPauses();
    ctx.rerunInconclusive((run) => (run.kind === "background" ? analysisOf(ctx, run) : null));
    completeStep(ctx, strategy, `analysis Inconclusive, skipped by promote${by}`);
    return undefined;
  }
  if (controllerPaused) {
    const atPauseStep = ctx.hasPause("CanaryPauseStep");
    const inconclusive = ctx.hasPause("InconclusiveAnalysis");
    ctx.clearControllerPauses();
    if (inconclusive) ctx.rerunInconclusive((run) => analysisOf(ctx, run));
    if (atPauseStep && step?.kind === "pause") completeStep(ctx, strategy, `promoted${by}`);
    else ctx.record("Resumed", `promoted${by}`);
    return undefined;
  }
  if (step === undefined) {
    if (user) ctx.record("Resumed", `promoted${by}`);
    return user ? undefined : refuse("NOTHING_TO_PROMOTE", "all steps are done; the promotion is under way");
  }
  completeStep(ctx, strategy, `skipped by promote${by}`);
  return undefined;
}

/** The analysis a run was started from, to start it again. */
function analysisOf(ctx: DecisionContext, run: AnalysisRunState): AnalysisSpec | null {
  const strategy = ctx.spec.strategy;
  if (strategy.kind === "canary") {
    if (run.kind === "background") return strategy.background;
    const step = strategy.steps[run.stepIndex ?? -1];
    return step?.kind === "analysis" ? step.analysis : null;
  }
  if (strategy.kind === "flagger") return null;
  return run.kind === "prePromotion"
    ? strategy.prePromotionAnalysis
    : run.kind === "postPromotion"
      ? strategy.postPromotionAnalysis
      : null;
}
