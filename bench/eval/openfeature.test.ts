/** Smoke test of the OpenFeature section: its contenders agree with the minimal provider (no timing). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateContexts } from "./contexts.js";
import {
  closeOpenFeature,
  formatOpenFeature,
  type OpenFeatureSection,
  prepareOpenFeature,
  verifyOpenFeature,
} from "./openfeature.js";
import { QUICK } from "./options.js";

const contexts = generateContexts(2_000, QUICK.seed);

describe("bench:eval OpenFeature section", () => {
  let section: OpenFeatureSection | undefined;

  beforeAll(async () => {
    section = await prepareOpenFeature(contexts);
  });

  afterAll(async () => {
    if (section !== undefined) await closeOpenFeature(section);
  });

  it("RampProvider, connected or not, and the fast path answer exactly like the minimal provider", async () => {
    if (section === undefined) throw new Error("prepareOpenFeature() did not run");
    const report = await verifyOpenFeature(contexts, section);
    expect(report.problems).toEqual([]);
    expect([...report.onRates.keys()]).toHaveLength(4);
  });

  it("prints the overhead line", () => {
    if (section === undefined) throw new Error("prepareOpenFeature() did not run");
    const samples = new Map(section.contenders.map((c, i) => [c.name, [100 + i * 5]]));
    expect(formatOpenFeature(samples, section)).toContain(
      "openfeature provider overhead: +5.0% over a minimal provider (goal ≤ 10%)",
    );
  });
});
