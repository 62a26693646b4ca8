/**
 * The transitions both strategies share: a new revision, the rollback to stable, abort and
 * promotion. Each moves the working status from one consistent state to another in one call.
 */
import { murmur3 } from "@ramp/engine";
import type { DecisionContext } from "./context.js";
import type { RolloutSpec } from "./rollout.js";

/** Why a new version is asked for, for history messages. */
export type VersionCause = "spec" | "setVersion" | "undo";

/** A hash of the canary steps: Argo restarts the steps of an update when they change. */
export function stepsHash(spec: RolloutSpec): string | null {
  if (spec.strategy.kind !== "canary") return null;
  return murmur3(JSON.stringify(spec.strategy.steps)).toString(16).padStart(8, "0");
}

function by(actor: string | undefined): string {
  return actor === undefined ? "" : ` by ${actor}`;
}

/**
 * Rolls out `version`: the first deploy makes it stable at once (Argo's "Initial deploy"); the stable
 * version while a canary is out rolls back to it; anything else starts a new canary or preview.
 */
export function requestVersion(
  ctx: DecisionContext,
  version: string,
  cause: VersionCause,
  actor?: string,
): void {
  const { st } = ctx;
  if (st.stableVersion === null) {
    st.revision += 1;
    st.stableVersion = version;
    st.stepsHash = stepsHash(ctx.spec);
    if (ctx.spec.strategy.kind === "blueGreen") {
      st.activeVersion = version;
      st.previewVersion = version;
    }
    ctx.cancelTeardown(version);
    ctx.record("RevisionStarted", `initial deploy of ${version}${by(actor)}`);
    return;
  }
  if (version === st.stableVersion) {
    if (st.canaryVersion !== null) rollBackToStable(ctx, `${cause}${by(actor)}`);
    return;
  }
  const fastRollback =
    ctx.spec.strategy.kind === "blueGreen" &&
    version === st.previousStableVersion &&
    st.teardowns.some((t) => t.version === version && !ctx.reached(t.at));
  const previous = st.canaryVersion;
  resetForRevision(ctx);
  if (previous !== null && previous !== version && !ctx.tearingDown(previous)) {
    // The interrupted version gets no traffic any more: Argo scales such an intermediate ReplicaSet
    // down at once (an aborted one keeps the deadline it has).
    ctx.scheduleTeardown(previous, ctx.nowIso);
  }
  st.canaryVersion = version;
  ctx.cancelTeardown(version);
  const what = cause === "undo" ? "undo: rolling back to" : "rolling out";
  ctx.record(
    "RevisionStarted",
    `${what} ${version} (stable ${st.stableVersion})${by(actor)}${fastRollback ? ": still running, switching at once" : ""}`,
  );
  if (fastRollback) st.promoteFull = true;
}

/** Starts the current canary version over as a new revision (retry, or the steps changed). */
export function restartRevision(ctx: DecisionContext, message: string): void {
  const { st } = ctx;
  const canary = st.canaryVersion;
  if (canary === null) return;
  resetForRevision(ctx);
  st.canaryVersion = canary;
  ctx.cancelTeardown(canary);
  ctx.record("RevisionStarted", message);
}

/** No step, weight, replicas or managed routes for a canary: where a revision, rollback and promotion all start. */
function clearCanaryTraffic(st: DecisionContext["st"]): void {
  st.stepIndex = null;
  st.canaryWeight = 0;
  st.canaryReplicas = 0;
  st.headerRoutes = [];
  st.mirrorRoutes = [];
  st.promoteFull = false;
}

/** Argo's resetRolloutStatus: a new revision starts clean; only the user's pause survives. */
function resetForRevision(ctx: DecisionContext): void {
  const { st } = ctx;
  ctx.dropRuns(() => true);
  st.revision += 1;
  st.stepsHash = stepsHash(ctx.spec);
  st.aborted = false;
  st.abortedAt = null;
  st.abortMessage = null;
  ctx.clearControllerPauses();
  // The new canary has no ready replica yet: Argo sends it no traffic and removes managed routes.
  clearCanaryTraffic(st);
  if (ctx.spec.strategy.kind === "blueGreen") {
    st.activeVersion = st.stableVersion;
    st.blueGreenStage = "Preview";
  }
}

/** Back to the stable version at once, without an abort (Argo's rollback to the stable ReplicaSet). */
export function rollBackToStable(ctx: DecisionContext, why: string): void {
  const { st } = ctx;
  const canary = st.canaryVersion;
  if (canary === null) return;
  ctx.dropRuns(() => true);
  st.revision += 1;
  st.canaryVersion = null;
  clearCanaryTraffic(st);
  st.aborted = false;
  st.abortedAt = null;
  st.abortMessage = null;
  st.stepsHash = stepsHash(ctx.spec);
  ctx.clearControllerPauses();
  if (ctx.spec.strategy.kind === "blueGreen") {
    st.activeVersion = st.stableVersion;
    st.previewVersion = st.stableVersion;
    st.blueGreenStage = null;
  }
  ctx.scheduleTeardown(canary, ctx.after(ctx.spec.strategy.scaleDownDelaySeconds));
  ctx.record("RolledBack", `back to stable ${st.stableVersion ?? ""} (${why}); ${canary} is torn down`);
}

/**
 * Argo's abort: all traffic back to stable at once, header and mirror routes removed, analysis
 * stopped, the canary torn down after abortScaleDownDelaySeconds (0: kept running). Degraded.
 */
export function abort(ctx: DecisionContext, message: string): void {
  const { st } = ctx;
  const canary = st.canaryVersion;
  if (st.aborted || canary === null) return;
  ctx.dropRuns(() => true);
  st.aborted = true;
  st.abortedAt = ctx.nowIso;
  st.abortMessage = message;
  st.promoteFull = false;
  ctx.clearControllerPauses();
  st.canaryWeight = 0;
  st.headerRoutes = [];
  st.mirrorRoutes = [];
  if (ctx.spec.strategy.kind === "canary") {
    // Argo resets the step index so that a retry starts from the first step.
    st.stepIndex = 0;
  } else if (ctx.spec.strategy.kind === "blueGreen") {
    st.activeVersion = st.stableVersion;
    st.blueGreenStage = null;
  }
  const delay = ctx.spec.strategy.abortScaleDownDelaySeconds;
  if (delay > 0) ctx.scheduleTeardown(canary, ctx.after(delay));
  ctx.record(
    "Aborted",
    `${message}; all traffic back to ${st.stableVersion ?? "stable"}${delay > 0 ? `, ${canary} torn down in ${delay}s` : ""}`,
  );
}

/** The canary becomes stable; the previous stable is torn down after scaleDownDelaySeconds. */
export function promote(ctx: DecisionContext, reason: string): void {
  const { st } = ctx;
  const canary = st.canaryVersion;
  if (canary === null) return;
  const old = st.stableVersion;
  ctx.promotedReady = ctx.canaryReady();
  ctx.dropRuns(() => true);
  st.previousStableVersion = old;
  st.stableVersion = canary;
  st.canaryVersion = null;
  clearCanaryTraffic(st);
  ctx.clearControllerPauses();
  if (ctx.spec.strategy.kind === "blueGreen") {
    st.activeVersion = canary;
    st.previewVersion = canary;
    st.blueGreenStage = null;
  }
  ctx.cancelTeardown(canary);
  if (old !== null) ctx.scheduleTeardown(old, ctx.after(ctx.spec.strategy.scaleDownDelaySeconds));
  ctx.record(
    "Promoted",
    `${canary} is stable (${reason})${old === null ? "" : `; ${old} torn down in ${ctx.spec.strategy.scaleDownDelaySeconds}s`}`,
  );
}
