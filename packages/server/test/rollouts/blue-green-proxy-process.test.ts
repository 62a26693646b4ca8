/**
 * Blue-green rollouts end to end, for real (see process-rollouts.ts): the built-in proxy switches all
 * traffic after the pre-promotion analysis, and switches it back when the post-promotion analysis fails.
 */
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/testing/index.js";
import { answeredBy, blueGreen, ids, useRolloutServer } from "./process-rollouts.js";
import { historyOf, isHealthyAt, sleep, timeOf } from "./rollouts-api.js";
import { requestsReceived } from "./traffic.js";

const e2e = useRolloutServer();

describe("blue-green with the built-in proxy and the process platform", () => {
  it("switches after the pre-promotion analysis and promotes after the post-promotion analysis", async () => {
    const port = await freePort();
    await e2e.deployFirst(blueGreen(e2e.logDir, "bg", port, "v1"));
    const load = e2e.traffic(`http://127.0.0.1:${port}`, "g");
    await e2e.api.apply([blueGreen(e2e.logDir, "bg", port, "v2")]);
    const done = await e2e.api.waitFor("bg", "v2 promoted", isHealthyAt("v2"));
    const promoted = await e2e.routesOnly("bg", ["v2"]);
    await sleep(300);
    const sent = await load.stop();

    const order = historyOf(done, 2)
      .filter((h) =>
        ["AnalysisStarted", "AnalysisCompleted", "ActiveSwitched", "Promoted", "Aborted"].includes(h.event),
      )
      .map((h) =>
        h.event.startsWith("Analysis") ? `${h.event} ${/bg-r2-(pre|post)/.exec(h.message)?.[1]}` : h.event,
      );
    expect(order).toEqual([
      "AnalysisStarted pre",
      "AnalysisCompleted pre",
      "ActiveSwitched",
      "AnalysisStarted post",
      "AnalysisCompleted post",
      "Promoted",
    ]);
    const runs = await e2e.api.analysisRuns("bg", 2);
    expect(runs.map((r) => [r.name, r.status.phase]).sort()).toEqual([
      ["bg-r2-post", "Successful"],
      ["bg-r2-pre", "Successful"],
    ]);

    // The preview got nothing before the switch; after it, v2 served; nothing failed.
    const switched = timeOf(done, 2, "ActiveSwitched");
    expect(sent.filter((r) => r.status !== 200).map((r) => `${r.id}: ${r.status}`)).toEqual([]);
    expect(answeredBy(sent, "v2").filter((r) => (r.endedAt ?? 0) < switched)).toEqual([]);
    expect(answeredBy(sent, "v2").length).toBeGreaterThan(20);
    expect(
      answeredBy(
        sent.filter((r) => r.startedAt > promoted),
        "v1",
      ),
    ).toEqual([]);
    expect(requestsReceived(e2e.logDir, "v2").sort()).toEqual(ids(answeredBy(sent, "v2")));
  }, 60_000);

  it("rolls back to the old version when the post-promotion analysis fails", async () => {
    const port = await freePort();
    await e2e.deployFirst(blueGreen(e2e.logDir, "bgbad", port, "v1"));
    const load = e2e.traffic(`http://127.0.0.1:${port}`, "x");
    await e2e.api.apply([blueGreen(e2e.logDir, "bgbad", port, "v3-bad")]);
    const aborted = await e2e.api.waitFor("bgbad", "Degraded", (s) => s.phase === "Degraded");
    const abortDone = await e2e.routesOnly("bgbad", ["v1"]);
    await sleep(1000);
    const sent = await load.stop();

    expect(aborted).toMatchObject({
      aborted: true,
      stableVersion: "v1",
      activeVersion: "v1",
      canaryWeight: 0,
    });
    const events = historyOf(aborted, 2).map((h) => h.event);
    expect(events.indexOf("ActiveSwitched")).toBeGreaterThan(-1);
    expect(events.indexOf("Aborted")).toBeGreaterThan(events.indexOf("ActiveSwitched"));
    expect(events).not.toContain("Promoted");
    const runs = await e2e.api.analysisRuns("bgbad", 2);
    expect(runs.map((r) => [r.name, r.status.phase]).sort()).toEqual([
      ["bgbad-r2-post", "Failed"],
      ["bgbad-r2-pre", "Successful"],
    ]);

    const after = sent.filter((r) => r.startedAt > abortDone);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((r) => r.status !== 200 || r.version !== "v1")).toEqual([]);
    const reachedBad = new Set(requestsReceived(e2e.logDir, "v3-bad"));
    expect(reachedBad.size, "v3-bad served after the switch").toBeGreaterThan(5);
    expect(after.filter((r) => reachedBad.has(r.id)).map((r) => r.id)).toEqual([]);
  }, 60_000);
});
