import { describe, expect, it } from "vitest";
import type { RolloutAnalysisManifest } from "../../api/types.js";
import {
  describeMatch,
  durationSeconds,
  type FlaggerPlan,
  flaggerPlan,
  formatSeconds,
  isFlaggerAnalysis,
  type PlanState,
  type PlanStep,
  planPosition,
  planSummary,
} from "./flagger-plan.js";

/** The plan's steps in a compact form, so each case reads as the sequence docs/flagger.md describes. */
function sequence(plan: FlaggerPlan): string[] {
  return plan.steps.map(label);
}

function label(p: PlanStep): string {
  switch (p.kind) {
    case "mirror":
      return `mirror ${p.percentage}%`;
    case "weight":
      return `${p.weight}%${p.max ? " (max)" : ""}`;
    case "iterations":
      return `${p.count} iterations`;
    case "switch":
      return "switch";
    case "promotion-step":
      return `promote ${p.weight}%`;
    case "promotion":
      return "promotion";
  }
}

const state = (phase: PlanState["phase"], weight: number, iterations = 0, mirroring = false): PlanState => ({
  phase,
  weight,
  iterations,
  mirroring,
});

describe("isFlaggerAnalysis", () => {
  it("is true for any Flagger field, false for Argo's run history limits alone or no analysis", () => {
    expect(isFlaggerAnalysis(undefined)).toBe(false);
    expect(isFlaggerAnalysis({})).toBe(false);
    expect(isFlaggerAnalysis({ successfulRunHistoryLimit: 5, unsuccessfulRunHistoryLimit: 2 })).toBe(false);
    expect(isFlaggerAnalysis({ stepWeights: [10] })).toBe(true);
    expect(isFlaggerAnalysis({ iterations: 3 })).toBe(true);
    expect(isFlaggerAnalysis({ webhooks: [] })).toBe(true);
  });
});

describe("flaggerPlan", () => {
  it("takes stepWeights in order; the last one is the maximum (maxWeight is ignored beside them)", () => {
    const plan = flaggerPlan({ stepWeights: [1, 5, 10, 25, 50], maxWeight: 80 });
    expect(plan.mode).toBe("canary");
    expect(plan.maxWeight).toBe(50);
    expect(sequence(plan)).toEqual(["1%", "5%", "10%", "25%", "50% (max)", "promotion"]);
  });

  it("grows by stepWeight capped at 100, not at maxWeight, and promotes the round after reaching it", () => {
    expect(sequence(flaggerPlan({ stepWeight: 20, maxWeight: 50 }))).toEqual([
      "20%",
      "40%",
      "60% (max)",
      "promotion",
    ]);
    expect(sequence(flaggerPlan({ stepWeight: 30 }))).toEqual([
      "30%",
      "60%",
      "90%",
      "100% (max)",
      "promotion",
    ]);
    expect(sequence(flaggerPlan({ stepWeight: 10, maxWeight: 30 }))).toEqual([
      "10%",
      "20%",
      "30% (max)",
      "promotion",
    ]);
  });

  it("with stepWeightPromotion moves the rest of the traffic in steps to 100", () => {
    expect(sequence(flaggerPlan({ stepWeights: [10, 50], stepWeightPromotion: 20 }))).toEqual([
      "10%",
      "50% (max)",
      "promote 70%",
      "promote 90%",
      "promote 100%",
      "promotion",
    ]);
  });

  it("mirrors for one interval before the first weight when mirror is set", () => {
    expect(sequence(flaggerPlan({ stepWeight: 50, mirror: true, mirrorWeight: 30 }))).toEqual([
      "mirror 30%",
      "50%",
      "100% (max)",
      "promotion",
    ]);
  });

  it("blue/green: iterations, the switch to all traffic, the promotion (stepWeightPromotion ignored)", () => {
    const plan = flaggerPlan({ iterations: 10, stepWeightPromotion: 20 });
    expect(plan.mode).toBe("blueGreen");
    expect(plan.iterations).toBe(10);
    expect(sequence(plan)).toEqual(["10 iterations", "switch", "promotion"]);
  });

  it("A/B: iterations on the matched requests, then the promotion, in steps when asked", () => {
    const match = [{ headers: { "x-canary": { exact: "insider" } } }];
    expect(flaggerPlan({ iterations: 5, match }).mode).toBe("abTesting");
    expect(sequence(flaggerPlan({ iterations: 5, match }))).toEqual(["5 iterations", "promotion"]);
    expect(sequence(flaggerPlan({ iterations: 5, match, stepWeightPromotion: 50 }))).toEqual([
      "5 iterations",
      "promote 50%",
      "promote 100%",
      "promotion",
    ]);
  });

  it("fills in Flagger's defaults: interval 1m, threshold 1; reads Go durations and numbers of seconds", () => {
    expect(flaggerPlan({ stepWeight: 10 })).toMatchObject({
      intervalSeconds: 60,
      threshold: 1,
      maxWeight: 100,
    });
    expect(flaggerPlan({ stepWeight: 10, interval: "1m30s", threshold: 5 })).toMatchObject({
      intervalSeconds: 90,
      threshold: 5,
    });
    expect(flaggerPlan({ stepWeight: 10, interval: 2 }).intervalSeconds).toBe(2);
  });
});

describe("durationSeconds and formatSeconds", () => {
  it("read Go durations as whole seconds and write them back short", () => {
    expect(durationSeconds("2s")).toBe(2);
    expect(durationSeconds("1h2m3s")).toBe(3723);
    expect(durationSeconds("1500ms")).toBe(1);
    expect(durationSeconds("45")).toBe(45);
    expect(durationSeconds("1x")).toBeUndefined();
    expect(durationSeconds("s")).toBeUndefined();
    expect(durationSeconds("1m junk")).toBeUndefined();
    expect(formatSeconds(90)).toBe("1m30s");
    expect(formatSeconds(3600)).toBe("1h");
    expect(formatSeconds(0)).toBe("0s");
  });
});

describe("planPosition", () => {
  const canary = flaggerPlan({ stepWeights: [20, 50] });

  it("places a canary by its weight: before the first step, on a weight, past the end once promoted", () => {
    expect(planPosition(canary, state("Waiting", 0))).toBe(-1);
    expect(planPosition(canary, state("Progressing", 0))).toBe(-1);
    expect(planPosition(canary, state("Progressing", 20))).toBe(0);
    expect(planPosition(canary, state("WaitingPromotion", 50))).toBe(1);
    expect(planPosition(canary, state("Succeeded", 100))).toBe(3);
    // A failed analysis is placed at the highest weight it reached.
    expect(planPosition(canary, state("Failed", 20))).toBe(0);
  });

  it("places the promotion steps by the new version's share, and the mirror interval by the mirror", () => {
    const promoting = flaggerPlan({ stepWeights: [10, 50], stepWeightPromotion: 20 });
    // Promotion begun, no promotion step taken yet: still at the last weight.
    expect(planPosition(promoting, state("Promoting", 50))).toBe(1);
    expect(planPosition(promoting, state("Promoting", 90))).toBe(3);
    const mirrored = flaggerPlan({ stepWeight: 50, mirror: true });
    expect(planPosition(mirrored, state("Progressing", 0, 0, true))).toBe(0);
    expect(planPosition(mirrored, state("Progressing", 50))).toBe(1);
  });

  it("places blue/green on the iterations until the switch, A/B on the iterations until promoting", () => {
    const blueGreen = flaggerPlan({ iterations: 3 });
    expect(planPosition(blueGreen, state("Waiting", 0))).toBe(-1);
    expect(planPosition(blueGreen, state("Progressing", 0, 2))).toBe(0);
    expect(planPosition(blueGreen, state("WaitingPromotion", 0, 3))).toBe(0);
    expect(planPosition(blueGreen, state("Progressing", 100, 4))).toBe(1);
    const ab = flaggerPlan({
      iterations: 3,
      match: [{ headers: { x: { exact: "1" } } }],
      stepWeightPromotion: 50,
    });
    expect(planPosition(ab, state("Progressing", 0, 1))).toBe(0);
    expect(planPosition(ab, state("Promoting", 50, 3))).toBe(1);
  });
});

describe("planSummary and describeMatch", () => {
  it("says how each mode moves traffic, how often it checks and when it rolls back", () => {
    const canary = { stepWeights: [20, 50], interval: "2s", threshold: 3 };
    expect(planSummary(flaggerPlan(canary), canary)).toBe(
      "Canary: every 2s one round of checks, then the next weight; after 50%, the promotion. 3 failed checks roll back.",
    );
    const blueGreen = { iterations: 10, mirror: true };
    expect(planSummary(flaggerPlan(blueGreen), blueGreen)).toBe(
      "Blue/green: every 1m one round of checks, 10 iterations with no user traffic on the new version, 100% of requests mirrored to it; then all traffic to it, one more round of checks, and the promotion. 1 failed check rolls back.",
    );
    const ab: RolloutAnalysisManifest = {
      iterations: 4,
      match: [
        { headers: { "x-canary": { exact: "insider" } } },
        { headers: { cookie: { regex: "^(.*?;)?(canary=always)(;.*)?$" } } },
      ],
      stepWeightPromotion: 50,
    };
    expect(planSummary(flaggerPlan(ab), ab)).toBe(
      'A/B: every 1m one round of checks, 4 iterations in which requests with header x-canary = "insider", or header cookie matches "^(.*?;)?(canary=always)(;.*)?$" go to the new version; then the promotion in steps of 50%. 1 failed check rolls back.',
    );
    expect(describeMatch([{ headers: { a: { prefix: "b" }, c: { exact: "d" } } }])).toBe(
      'header a starts with "b" and header c = "d"',
    );
  });
});
