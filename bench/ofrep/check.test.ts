import { describe, expect, it } from "vitest";
import { generateContexts } from "../eval/contexts.js";
import { type CheckedTarget, checkContexts, judge } from "./check.js";

const checks = checkContexts(generateContexts(1_000, 20_260_630));
const expectedBy = (buckets: "ramp" | "unleash"): boolean[] => checks.map((c) => c.expected[buckets]);

describe("checkContexts", () => {
  it("takes rule-decided contexts and rollout ones where the two sides' buckets agree and differ", () => {
    expect(
      checks.filter((c) => c.decider !== "rollout").every((c) => c.expected.ramp && c.expected.unleash),
    ).toBe(true);
    const rollout = checks
      .filter((c) => c.decider === "rollout")
      .map((c) => [c.expected.ramp, c.expected.unleash]);
    expect(rollout).toContainEqual([false, false]);
    expect(rollout).toContainEqual([true, true]);
    expect(rollout).toContainEqual([true, false]);
    expect(rollout).toContainEqual([false, true]);
    expect(new Set(checks.map((c) => c.context.targetingKey)).size).toBe(checks.length);
  });
});

describe("judge", () => {
  it("accepts each side answering with its own buckets", () => {
    const targets: CheckedTarget[] = [
      { name: "ramp single", buckets: "ramp", answers: expectedBy("ramp") },
      { name: "unleash frontend", buckets: "unleash", answers: expectedBy("unleash") },
    ];
    expect(judge(checks, targets)).toEqual([]);
  });

  it("names the target, the context, its deciding rule, and what was expected", () => {
    const answers = expectedBy("ramp");
    const offByRollout = checks.findIndex((c) => c.decider === "rollout" && !c.expected.ramp);
    answers[offByRollout] = true;
    expect(judge(checks, [{ name: "ramp bulk", buckets: "ramp", answers }])).toEqual([
      expect.stringMatching(/^ramp bulk: \{.*\} \(decided by rollout\) → true, expected false$/),
    ]);
  });

  it("reports errors and missing answers", () => {
    const answers = [{ error: "HTTP 401" }];
    const problems = judge(checks, [{ name: "ramp single", buckets: "ramp", answers }]);
    expect(problems[0]).toMatch(/: HTTP 401$/);
    expect(problems.slice(1).every((p) => p.includes("no answer"))).toBe(true);
    expect(problems).toHaveLength(checks.length);
  });
});
