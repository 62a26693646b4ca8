/**
 * The blue-green strategy (argo-rollouts rollout/bluegreen.go and docs/features/bluegreen.md): the
 * preview comes up beside the active version, pre-promotion analysis, an optional pause, the switch
 * of all traffic, post-promotion analysis, then the old version is torn down after a delay.
 */
import type { DecisionContext } from "./context.js";
import { formatSeconds } from "./duration.js";
import type { BlueGreenStrategy } from "./rollout.js";
import { abort, promote } from "./transitions.js";

/** Advances the blue-green update by one transition; false when it has to wait. */
export function progressBlueGreen(ctx: DecisionContext, strategy: BlueGreenStrategy): boolean {
  const { st } = ctx;
  const preview = st.canaryVersion;
  if (preview === null || st.aborted) return false;
  if (st.blueGreenStage === null) {
    st.blueGreenStage = "Preview";
    return true;
  }
  if (st.previewVersion !== preview) st.previewVersion = preview;
  const stage = st.blueGreenStage;

  if (stage === "PrePromotionAnalysis" || stage === "PostPromotionAnalysis") {
    const kind = stage === "PrePromotionAnalysis" ? "prePromotion" : "postPromotion";
    const run = ctx.runOf(kind);
    if (run !== undefined && !ctx.hasPause("InconclusiveAnalysis")) {
      if (run.phase === "Failed" || run.phase === "Error") {
        const what = kind === "prePromotion" ? "pre-promotion" : "post-promotion";
        abort(ctx, `${what} analysis run ${run.id} ${run.phase}`);
        return true;
      }
      if (run.phase === "Inconclusive") {
        ctx.pause("InconclusiveAnalysis", null);
        ctx.record("Paused", `InconclusiveAnalysis: run ${run.id}; promote or resume runs it again`, true);
        return true;
      }
    }
  }
  if (ctx.hasPause("UserPause")) return ctx.wait("paused by user");
  if (ctx.hasPause("InconclusiveAnalysis"))
    return ctx.wait("analysis inconclusive: promote or resume to re-run");

  switch (stage) {
    case "Preview": {
      const replicas = st.promoteFull
        ? ctx.spec.replicas
        : (strategy.previewReplicaCount ?? ctx.spec.replicas);
      if (ctx.setCanaryReplicas(replicas)) return true;
      if (!ctx.canaryReady())
        return ctx.wait(`waiting for preview ${preview} (${replicas} replicas) to be ready`);
      if (st.promoteFull) st.blueGreenStage = "ScalingUp";
      else if (strategy.prePromotionAnalysis !== null) {
        st.blueGreenStage = "PrePromotionAnalysis";
        ctx.startRun("prePromotion", null, strategy.prePromotionAnalysis);
      } else awaitPromotion(ctx, strategy);
      return true;
    }
    case "PrePromotionAnalysis": {
      if (st.promoteFull) {
        st.blueGreenStage = "ScalingUp";
        return true;
      }
      const run = ctx.runOf("prePromotion");
      if (run === undefined || run.phase === "Successful") {
        awaitPromotion(ctx, strategy);
        return true;
      }
      return ctx.wait(`pre-promotion analysis run ${run.id} ${run.phase}`);
    }
    case "AwaitingPromotion": {
      const pause = ctx.pauseOf("BlueGreenPause");
      if (st.promoteFull || pause === undefined) {
        ctx.unpause("BlueGreenPause");
        st.blueGreenStage = "ScalingUp";
        return true;
      }
      if (pause.until !== null && ctx.reached(pause.until)) {
        ctx.unpause("BlueGreenPause");
        ctx.record("Resumed", `auto-promotion after ${formatSeconds(strategy.autoPromotionSeconds)}`);
        st.blueGreenStage = "ScalingUp";
        return true;
      }
      return ctx.wait(pause.until === null ? "waiting for promote" : `auto-promotion at ${pause.until}`);
    }
    case "ScalingUp": {
      if (ctx.setCanaryReplicas(ctx.spec.replicas)) return true;
      if (!ctx.canaryReady())
        return ctx.wait(`waiting for ${preview} to run all ${ctx.spec.replicas} replicas, ready`);
      st.activeVersion = preview;
      ctx.setWeight(100, "active switched");
      ctx.record(
        "ActiveSwitched",
        `${preview} is active; ${st.stableVersion ?? "the old version"} serves nothing`,
      );
      if (strategy.postPromotionAnalysis !== null && !st.promoteFull) {
        st.blueGreenStage = "PostPromotionAnalysis";
        ctx.startRun("postPromotion", null, strategy.postPromotionAnalysis);
      } else {
        promote(ctx, st.promoteFull ? "full promotion" : "switched");
      }
      return true;
    }
    case "PostPromotionAnalysis": {
      const run = ctx.runOf("postPromotion");
      if (st.promoteFull || run === undefined || run.phase === "Successful") {
        promote(
          ctx,
          st.promoteFull ? "full promotion" : `post-promotion analysis ${run?.id ?? ""} Successful`,
        );
        return true;
      }
      return ctx.wait(`post-promotion analysis run ${run.id} ${run.phase}`);
    }
  }
}

/** After the preview passed: pause when autoPromotionEnabled is false or autoPromotionSeconds is set. */
function awaitPromotion(ctx: DecisionContext, strategy: BlueGreenStrategy): void {
  ctx.st.blueGreenStage = "AwaitingPromotion";
  if (!strategy.autoPromotionEnabled) {
    ctx.pause("BlueGreenPause", null);
    ctx.record("Paused", "BlueGreenPause: waiting for promote", true);
  } else if (strategy.autoPromotionSeconds > 0) {
    ctx.pause("BlueGreenPause", ctx.after(strategy.autoPromotionSeconds));
    ctx.record("Paused", `BlueGreenPause: auto-promotion in ${formatSeconds(strategy.autoPromotionSeconds)}`);
  }
}
