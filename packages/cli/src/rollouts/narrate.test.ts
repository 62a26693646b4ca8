import { describe, expect, it } from "vitest";
import { history, run, snapshot, status } from "./fixtures.shared-test.js";
import { narrate } from "./narrate.js";

describe("narrate", () => {
  it("says nothing of a first snapshot's past", () => {
    expect(narrate(undefined, snapshot())).toEqual([]);
  });

  it("tells new history entries, in order", () => {
    const before = snapshot();
    const after = snapshot({
      history: [
        ...status().history,
        ...history([
          [6, "AnalysisCompleted", "analysis run demo-r2-step2 Successful"],
          [7, "StepCompleted", "step 3/5: analysis run demo-r2-step2 Successful"],
        ]),
      ],
    });
    expect(narrate(before, after)).toEqual([
      "AnalysisCompleted: analysis run demo-r2-step2 Successful",
      "StepCompleted: step 3/5: analysis run demo-r2-step2 Successful",
    ]);
  });

  it("tells each newly finished measurement, just before the verdict it led to", () => {
    const before = snapshot(
      {},
      { runs: [run("demo-r2-step2", "Running", { "success-rate": [["1", "Successful"]] })] },
    );
    const after = snapshot(
      {
        history: [
          ...status().history,
          ...history([
            [6, "AnalysisCompleted", "analysis run demo-r2-step2 Failed"],
            [7, "Aborted", "step 3: analysis run demo-r2-step2 Failed"],
          ]),
        ],
      },
      {
        runs: [
          run("demo-r2-step2", "Failed", {
            "success-rate": [
              ["1", "Successful"],
              ["0.951", "Failed"],
            ],
          }),
        ],
      },
    );
    expect(narrate(before, after)).toEqual([
      "analysis demo-r2-step2: success-rate = 0.951 Failed",
      "AnalysisCompleted: analysis run demo-r2-step2 Failed",
      "Aborted: step 3: analysis run demo-r2-step2 Failed",
    ]);
  });

  it("counts measurements over the whole run, not the few kept", () => {
    const kept = (n: number) => {
      const r = run("r", "Running", { m: [["1", "Successful"]] });
      const m = r.status.metricResults[0];
      if (m === undefined) throw new Error("fixture");
      return { ...r, status: { ...r.status, metricResults: [{ ...m, count: n, successful: n }] } };
    };
    expect(narrate(snapshot({}, { runs: [kept(10)] }), snapshot({}, { runs: [kept(10)] }))).toEqual([]);
    expect(narrate(snapshot({}, { runs: [kept(10)] }), snapshot({}, { runs: [kept(11)] }))).toEqual([
      "analysis r: m = 1.000 Successful",
    ]);
  });
});
