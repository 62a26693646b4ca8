import { describe, expect, it } from "vitest";
import { analysisRunId, revisionOfRun } from "./run-ids.js";

describe("analysis run ids", () => {
  it("name the rollout, the revision, the purpose and a repeat", () => {
    expect(analysisRunId("payment", 3, "step", 2, 1)).toBe("payment-r3-step2");
    expect(analysisRunId("payment", 3, "background", null, 2)).toBe("payment-r3-background-a2");
    expect(analysisRunId("payment", 1, "prePromotion", null, 1)).toBe("payment-r1-pre");
    expect(analysisRunId("payment", 1, "postPromotion", null, 1)).toBe("payment-r1-post");
  });

  it("read back: the revision of the rollout's own runs, nothing for another rollout's", () => {
    expect(revisionOfRun("payment", "payment-r3-step2")).toBe(3);
    expect(revisionOfRun("payment", "payment-r12-background-a2")).toBe(12);
    expect(revisionOfRun("payment", "payment-api-r1-step0")).toBeUndefined();
    // A rollout named like another's run prefix: "demo-r2"'s run is not "demo"'s revision 2.
    expect(revisionOfRun("demo", "demo-r2-r1-step2")).toBeUndefined();
    expect(revisionOfRun("demo-r2", "demo-r2-r1-step2")).toBe(1);
    expect(revisionOfRun("payment", "payment-r3-stepx")).toBeUndefined();
  });
});
