/**
 * The names of a rollout's AnalysisRuns: `<rollout>-r<revision>-<purpose>[-a<attempt>]`, e.g.
 * `payment-service-r3-step2`. Made in one place and read back here, so a run's owner is its name.
 */
import type { AnalysisRunKind } from "./status.js";

const PURPOSE: Record<Exclude<AnalysisRunKind, "step" | "iteration">, string> = {
  background: "background",
  prePromotion: "pre",
  postPromotion: "post",
};

export function analysisRunId(
  rollout: string,
  revision: number,
  kind: AnalysisRunKind,
  stepIndex: number | null,
  attempt: number,
): string {
  const purpose =
    kind === "step"
      ? `step${stepIndex ?? 0}`
      : kind === "iteration"
        ? `check${stepIndex ?? 0}`
        : PURPOSE[kind];
  return `${rollout}-r${revision}-${purpose}${attempt > 1 ? `-a${attempt}` : ""}`;
}

/** The revision of `rollout` that made the run named `id`, or undefined when another rollout made it. */
export function revisionOfRun(rollout: string, id: string): number | undefined {
  if (!id.startsWith(`${rollout}-r`)) return undefined;
  const m = /^(\d+)-(?:step\d+|check\d+|background|pre|post)(?:-a\d+)?$/.exec(id.slice(rollout.length + 2));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
