import { describe, expect, it } from "vitest";
import { moved, placeProblems, SPLIT, toDraft, toRule } from "./rule-draft.js";

const variants = ["on", "off"];

describe("rule drafts", () => {
  it("round-trips the rule shapes of the flag format, keeping fields the editor does not show", () => {
    const rules = [
      { name: "enterprise", segment: "enterprise", variant: "on" },
      { if: 'user.country in ["US"]', rollout: { percentage: 50 }, variant: "on" },
      { if: 'request.path.startsWith("/beta")', split: { on: 50, off: 50 } },
      { segment: ["a", "b"], variant: "off", description: "kept" },
    ];
    expect(rules.map((r) => toRule(toDraft(r, variants)))).toEqual(rules);
  });

  it("sends what was typed, so the engine reports it: a non-number share stays a string", () => {
    const d = { ...toDraft({ variant: "on" }, variants), serve: SPLIT, split: { on: "6O", off: "40" } };
    expect(toRule(d)).toEqual({ split: { on: "6O", off: 40 } });
  });

  it("moves a rule up and down, and not past either end", () => {
    expect(moved(["a", "b", "c"], 2, 1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
  });

  it("places the engine's problems on their rule, the rest apart", () => {
    const placed = placeProblems(
      [
        { path: "flags.f.environments.production.rules[1].if", message: "does not compile" },
        { path: "flags.f.environments.production.rules[0]", message: "needs a variant" },
        { path: "flags.f.environments.staging.rules[0].if", message: "elsewhere" },
        { path: "flags.f.offVariant", message: "unknown" },
      ],
      "production",
    );
    expect(placed.byRule.get(1)).toEqual([
      { path: "flags.f.environments.production.rules[1].if", message: "does not compile", field: "if" },
    ]);
    expect(placed.byRule.get(0)?.[0]?.field).toBe("");
    expect(placed.other.map((p) => p.message)).toEqual(["elsewhere", "unknown"]);
  });
});
