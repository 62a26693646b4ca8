import { describe, expect, it } from "vitest";
import { type Answers, judgeAnswers } from "./check.js";
import { generateContexts } from "./contexts.js";
import { deciderOf } from "./scenario.js";

const contexts = generateContexts(2_000, 7);

/** Answers with rule-decided users on and every fourth rollout user on, the fourth chosen by `shift`. */
function answersWithRollout(shift: number): Uint8Array {
  return Uint8Array.from(contexts, (context, i) =>
    deciderOf(context) !== "rollout" || (i + shift) % 4 === 0 ? 1 : 0,
  );
}

const floorValues = answersWithRollout(0);
const floor: Answers = { name: "floor", sameBucketsAsFloor: true, values: floorValues };

describe("judgeAnswers", () => {
  it("accepts a peer that differs only inside the rollout", () => {
    const peer: Answers = { name: "peer", sameBucketsAsFloor: false, values: answersWithRollout(1) };
    expect(judgeAnswers(contexts, floor, [floor, peer]).problems).toEqual([]);
  });

  it("rejects a rollout difference from an implementation that shares the floor's buckets", () => {
    const ramp: Answers = { name: "ramp", sameBucketsAsFloor: true, values: answersWithRollout(1) };
    expect(judgeAnswers(contexts, floor, [ramp]).problems).toEqual([
      expect.stringMatching(/^ramp: disagrees with the floor on \d+ context\(s\); first: /),
    ]);
  });

  it("rejects a wrong answer outside the rollout, naming the deciding rule", () => {
    const at = contexts.findIndex((context) => deciderOf(context) === "plan");
    const values = floorValues.slice();
    values[at] = 0;
    const problems = judgeAnswers(contexts, floor, [
      { name: "peer", sameBucketsAsFloor: false, values },
    ]).problems;
    expect(problems).toEqual([expect.stringContaining("(decided by plan) → false, floor → true")]);
  });

  it("rejects an on-rate outside the tolerance", () => {
    const values = Uint8Array.from(contexts, (context) => (deciderOf(context) === "rollout" ? 0 : 1));
    const problems = judgeAnswers(contexts, floor, [
      { name: "peer", sameBucketsAsFloor: false, values },
    ]).problems;
    expect(problems).toEqual([expect.stringMatching(/^peer: on-rate .* > tolerance/)]);
  });
});
