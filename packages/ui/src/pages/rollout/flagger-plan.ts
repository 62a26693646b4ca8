/**
 * The plan of a Flagger-style analysis, computed from `spec.analysis` as docs/flagger.md describes it,
 * and where a rollout stands on it. Pure: the Flagger panel renders what these return.
 */
import type { FlaggerPhase, RolloutAnalysisManifest } from "../../api/types.js";

/**
 * The keys that make `spec.analysis` Flagger-shaped (Argo's run history limits alone do not). The server's
 * list is FLAGGER_ANALYSIS_KEYS in packages/server/src/rollouts/flagger-spec.ts; the dashboard talks to
 * the server only over HTTP, so it keeps its own (packages/ui/test/flagger-keys.test.ts holds them equal).
 */
export const FLAGGER_KEYS = [
  "interval",
  "threshold",
  "maxWeight",
  "stepWeight",
  "stepWeights",
  "stepWeightPromotion",
  "iterations",
  "match",
  "mirror",
  "mirrorWeight",
  "primaryReadyThreshold",
  "canaryReadyThreshold",
  "metrics",
  "webhooks",
  "alerts",
  "sessionAffinity",
] as const;

/** Flagger's defaults (CanaryAnalysis): one interval is a minute, one failed check rolls back. */
const DEFAULT_INTERVAL_SECONDS = 60;
const DEFAULT_THRESHOLD = 1;

export function isFlaggerAnalysis(
  analysis: RolloutAnalysisManifest | undefined,
): analysis is RolloutAnalysisManifest {
  return (
    analysis !== undefined && FLAGGER_KEYS.some((k) => (analysis as Record<string, unknown>)[k] !== undefined)
  );
}

/** How the analysis moves traffic: progressive weights, blue/green, or A/B on matched requests. */
export type FlaggerMode = "canary" | "blueGreen" | "abTesting";

/** One entry of the plan, in the order the analysis goes through them. */
export type PlanStep =
  /** Canary with `mirror`: one interval mirroring requests to the canary before the first weight. */
  | { readonly kind: "mirror"; readonly percentage: number }
  /** The canary's share of traffic for one interval of checks. */
  | { readonly kind: "weight"; readonly weight: number; readonly max: boolean }
  /** Blue/green and A/B: `count` intervals of checks without moving user traffic by weight. */
  | { readonly kind: "iterations"; readonly count: number }
  /** Blue/green after the iterations: all traffic to the new version, one more interval of checks. */
  | { readonly kind: "switch" }
  /** `stepWeightPromotion`: the new version's share during the promotion. */
  | { readonly kind: "promotion-step"; readonly weight: number }
  /** The new version becomes stable. */
  | { readonly kind: "promotion" };

export interface FlaggerPlan {
  readonly mode: FlaggerMode;
  readonly intervalSeconds: number;
  readonly threshold: number;
  /** The weight after which the promotion starts: the last stepWeights entry, else maxWeight, else 100. */
  readonly maxWeight: number;
  readonly iterations: number;
  readonly steps: readonly PlanStep[];
}

/**
 * Seconds of a Go duration ("30s", "1m30s", "500ms") or a number of seconds, cut to whole seconds as
 * the server does; undefined when it is not one.
 */
export function durationSeconds(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const terms = [...text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
  if (terms.length === 0 || terms.map((t) => t[0]).join("") !== text) return undefined;
  const seconds = terms.reduce((sum, [, n = "0", u = "s"]) => sum + Number(n) * (unit[u] ?? 0), 0);
  return Math.trunc(seconds + 1e-9);
}

/** The weights of a progressive canary: stepWeights in order, or stepWeight increments up to maxWeight. */
function canaryWeights(a: RolloutAnalysisManifest, maxWeight: number): number[] {
  if (a.stepWeights !== undefined) return [...a.stepWeights];
  const step = a.stepWeight ?? 0;
  if (step <= 0) return [];
  // Capped at 100, not at maxWeight (stepWeight 20, maxWeight 50 → 20, 40, 60): Flagger's runCanary.
  const weights: number[] = [];
  for (let w = 0; w < maxWeight; ) {
    w = Math.min(100, w + step);
    weights.push(w);
  }
  return weights;
}

/** The new version's share in each promotion interval, from `from` up to 100. */
function promotionWeights(from: number, step: number): number[] {
  const weights: number[] = [];
  if (step <= 0) return weights;
  for (let w = from; w < 100; ) {
    w = Math.min(100, w + step);
    weights.push(w);
  }
  return weights;
}

/**
 * The plan of a Flagger-shaped `spec.analysis`, with the server's defaults.
 *
 * @example flaggerPlan({ stepWeights: [20, 50] }).steps // 20%, 50% (max), promotion
 */
export function flaggerPlan(a: RolloutAnalysisManifest): FlaggerPlan {
  const iterations = a.iterations ?? 0;
  const mode: FlaggerMode = a.match !== undefined ? "abTesting" : iterations > 0 ? "blueGreen" : "canary";
  const last = a.stepWeights?.at(-1);
  const maxWeight =
    last !== undefined
      ? Math.min(100, last)
      : a.maxWeight !== undefined && a.maxWeight > 0
        ? a.maxWeight
        : 100;
  const steps: PlanStep[] = [];
  const promotionStep = a.stepWeightPromotion ?? 0;
  if (mode === "canary") {
    if (a.mirror === true) steps.push({ kind: "mirror", percentage: a.mirrorWeight ?? 100 });
    const weights = canaryWeights(a, maxWeight);
    for (const weight of weights) steps.push({ kind: "weight", weight, max: weight >= maxWeight });
    for (const weight of promotionWeights(weights.at(-1) ?? 0, promotionStep))
      steps.push({ kind: "promotion-step", weight });
  } else {
    steps.push({ kind: "iterations", count: iterations });
    if (mode === "blueGreen") steps.push({ kind: "switch" });
    else
      for (const weight of promotionWeights(0, promotionStep)) steps.push({ kind: "promotion-step", weight });
  }
  steps.push({ kind: "promotion" });
  const interval = a.interval === undefined ? undefined : durationSeconds(a.interval);
  return {
    mode,
    intervalSeconds: interval ?? DEFAULT_INTERVAL_SECONDS,
    threshold: a.threshold ?? DEFAULT_THRESHOLD,
    maxWeight,
    iterations,
    steps,
  };
}

/** What the plan needs of the rollout's status to place it. */
export interface PlanState {
  readonly phase: FlaggerPhase;
  /**
   * The canary's weight; for a failed analysis the highest it reached in the revision (an abort puts it
   * back to 0 at once).
   */
  readonly weight: number;
  /** Iterations passed (blue/green and A/B); blue/green counts the switch as one more. */
  readonly iterations: number;
  /** Whether requests are mirrored to the canary now. */
  readonly mirroring: boolean;
}

/**
 * The index of the step the rollout is at: -1 before the first one, `steps.length` once promoted.
 * A failed analysis is placed where it stopped.
 */
export function planPosition(plan: FlaggerPlan, s: PlanState): number {
  const { steps } = plan;
  if (s.phase === "Succeeded") return steps.length;
  const lastIndex = (ok: (step: PlanStep) => boolean) => steps.findLastIndex(ok);
  if (s.phase === "Promoting") {
    const at = lastIndex((p) => p.kind === "promotion-step" && p.weight === s.weight);
    if (at >= 0) return at;
  }
  if (plan.mode === "canary") {
    if (s.weight === 0) return s.mirroring ? lastIndex((p) => p.kind === "mirror") : -1;
    return lastIndex((p) => p.kind === "weight" && p.weight <= s.weight);
  }
  if (s.phase === "Waiting" && s.iterations === 0) return -1;
  if (plan.mode === "blueGreen" && s.iterations > plan.iterations)
    return lastIndex((p) => p.kind === "switch");
  return lastIndex((p) => p.kind === "iterations");
}

/** Seconds as a short duration: 90 → "1m30s". */
export function formatSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const text = `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${sec > 0 ? `${sec}s` : ""}`;
  return text === "" ? "0s" : text;
}

/** The requests an A/B analysis sends to the new version, in words: `header x-canary = "insider"`. */
export function describeMatch(match: RolloutAnalysisManifest["match"]): string {
  const alternatives = (match ?? []).map((m) =>
    Object.entries(m.headers ?? {})
      .map(([name, how]) => {
        const [kind = "exact", value = ""] = Object.entries(how)[0] ?? [];
        const op = kind === "exact" ? "=" : kind === "prefix" ? "starts with" : "matches";
        return `header ${name} ${op} ${JSON.stringify(value)}`;
      })
      .join(" and "),
  );
  return alternatives.filter((a) => a !== "").join(", or ") || "the matched requests";
}

/** The plan in one sentence: how the mode moves traffic, how often it checks, when it rolls back. */
export function planSummary(plan: FlaggerPlan, a: RolloutAnalysisManifest): string {
  const every = `every ${formatSeconds(plan.intervalSeconds)} one round of checks`;
  const promoting = plan.steps.some((p) => p.kind === "promotion-step")
    ? `the promotion in steps of ${a.stepWeightPromotion ?? 0}%`
    : "the promotion";
  const rollback = `${plan.threshold} failed check${plan.threshold === 1 ? "" : "s"} roll${plan.threshold === 1 ? "s" : ""} back.`;
  const n = `${plan.iterations} iteration${plan.iterations === 1 ? "" : "s"}`;
  switch (plan.mode) {
    case "canary":
      return `Canary: ${every}, then the next weight; after ${plan.maxWeight}%, ${promoting}. ${rollback}`;
    case "blueGreen": {
      const mirror = a.mirror === true ? `, ${a.mirrorWeight ?? 100}% of requests mirrored to it` : "";
      return `Blue/green: ${every}, ${n} with no user traffic on the new version${mirror}; then all traffic to it, one more round of checks, and the promotion. ${rollback}`;
    }
    case "abTesting":
      return `A/B: ${every}, ${n} in which requests with ${describeMatch(a.match)} go to the new version; then ${promoting}. ${rollback}`;
  }
}
