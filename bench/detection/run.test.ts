/**
 * Smoke test of the detection benchmark: one quick trial end to end (a real server in a child process,
 * the demo service as both versions, the example template, 200 req/s on each rollout). It asserts the
 * behaviour only: the bad canary is aborted and gets nothing afterwards, the healthy one passes. No timing
 * is asserted. The server's process runs the compiled bench/dist/detection/server.js: build first
 * (`npx tsc -b`; npm test does).
 */
import { describe, expect, it } from "vitest";
import { QUICK } from "./options.js";
import { problemsOf } from "./report.js";
import { runTrials } from "./run-trials.js";
import { loadExampleTemplates } from "./template.js";

describe("bench:detection quick trial", () => {
  it("aborts the bad canary and lets the healthy one pass its analysis", async () => {
    const [result] = await runTrials(QUICK, loadExampleTemplates());
    if (result === undefined) throw new Error("no trial ran");
    const bad = result.cases.find((c) => c.kind === "bad");
    const healthy = result.cases.find((c) => c.kind === "healthy");

    expect(bad?.aborted).toBe(true);
    expect(bad?.analysisPhase).toBe("Failed");
    expect(bad?.canary.requests).toBeGreaterThan(0);
    expect(bad?.afterAbort?.requests).toBeGreaterThan(0);
    expect(bad?.afterAbort?.canary).toBe(0);

    expect(healthy?.aborted).toBe(false);
    expect(healthy?.analysisPhase).toBe("Successful");
    expect(problemsOf([result])).toEqual([]);
  }, 120_000);
});
