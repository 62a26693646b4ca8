/** Smoke test of the benchmark: the quick mode's correctness gate passes (no timing is asserted). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUICK } from "./options.js";
import { closeAll, type Prepared, prepare, verify } from "./prepare.js";

describe("bench:eval quick correctness check", () => {
  let prepared: Prepared | undefined;

  beforeAll(async () => {
    prepared = await prepare(QUICK);
  });

  afterAll(async () => {
    if (prepared !== undefined) await closeAll(prepared);
  });

  it("every implementation agrees with the floor", async () => {
    if (prepared === undefined) throw new Error("prepare() did not run");
    const report = await verify(prepared);
    expect(report.problems).toEqual([]);
    expect(report.ruleDecided).toBeGreaterThan(QUICK.contexts / 4);
    expect([...report.onRates.keys()]).toEqual(prepared.contenders.map((contender) => contender.name));
  });
});
