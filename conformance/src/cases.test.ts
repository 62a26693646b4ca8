import { describe, expect, it } from "vitest";
import { loadCases } from "./cases.js";
import { referenceMurmur3 } from "./reference-hash.js";

const cases = loadCases();

describe("conformance case files", () => {
  it("hold at least 200 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it("have unique case ids", () => {
    const ids = cases.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  // The hash notes document how each expected bucket was derived; they must agree with the reference hash.
  it.each(cases.filter((c) => c.hash !== undefined))("hash note of $id", (c) => {
    expect(referenceMurmur3(c.hash?.input ?? "", c.hash?.seed ?? 0)).toBe(c.hash?.murmur3);
  });
});

describe("engine against the conformance cases", () => {
  it.each(cases)("$id", (c) => {
    const outcome = c.run();
    expect(outcome.diff, outcome.diff.join("\n")).toEqual([]);
  });
});
