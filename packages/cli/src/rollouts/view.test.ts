import { describe, expect, it } from "vitest";
import { history, iso, run, SPEC, snapshot, T0, TRAFFIC } from "./fixtures.shared-test.js";
import {
  formatMeasurement,
  metricLine,
  renderRollout,
  stepsOf,
  trafficLine,
  watchKey,
  weightBar,
} from "./view.js";

const utc = (at: string) => at.slice(11, 19);

describe("renderRollout", () => {
  it("draws the steps with the current one marked, the weights, the analysis, the traffic and the events", () => {
    expect(renderRollout(snapshot(), { time: utc, barWidth: 20 })).toBe(
      [
        "Rollout demo   Progressing   revision 2   step 3/5",
        "  analysis run demo-r2-step2 Running",
        "",
        "  stable  v1  ██████████████████░░    90%",
        "  canary  v2  ██░░░░░░░░░░░░░░░░░░    10%",
        "",
        "Steps",
        "  ✓ 1. setWeight 10%",
        "  ✓ 2. pause 10s",
        "  ▶ 3. analysis (demo-success-rate, demo-latency)",
        "    4. setWeight 30%",
        "    5. pause until promoted",
        "",
        "Analysis",
        "  demo-r2-step2  Running",
        "    success-rate  Running     1.000 ✓  …  waiting: 12 canary requests in the last 15s; at least 30 needed",
        "    latency-p99   Running     31.4 ✓  …  waiting: 12 canary requests in the last 15s; at least 30 needed",
        "",
        "Traffic",
        "  over the last 10 s, through http://127.0.0.1:4321",
        "  ROLE    VERSION  REQ/S  5XX    P99",
        "  stable  v1       54.0   0.00%  31 ms",
        "  canary  v2       6.1    0.00%  29 ms",
        "",
        "Events",
        "  10:00:01  RevisionStarted  rolling out v2 (stable v1)",
        "  10:00:02  StepStarted      step 1/5: setWeight 10%",
        "  10:00:03  StepCompleted    step 1/5: canary at 10%",
        "  10:00:04  StepCompleted    step 2/5: paused for 10s",
        "  10:00:05  AnalysisStarted  step 3 analysis run demo-r2-step2 (demo-success-rate, demo-latency)",
      ].join("\n"),
    );
  });

  it("counts a timed pause down from the moment of the snapshot", () => {
    const s = snapshot({
      phase: "Paused",
      message: `CanaryPauseStep: paused until ${iso(10)}`,
      stepIndex: 1,
      pauseConditions: [{ reason: "CanaryPauseStep", since: iso(0), until: iso(10) }],
    });
    expect(renderRollout({ ...s, at: T0 + 3_200 }, { time: utc }).split("\n")[1]).toBe(
      "  CanaryPauseStep: paused until 10:00:10 (7s left)",
    );
    expect(renderRollout({ ...s, at: T0 + 11_000 }).split("\n")[1]).toMatch(/\(0s left\)$/);
  });

  it("an abort starts the step index over; the marks stay where the update was stopped", () => {
    const text = renderRollout(
      snapshot({
        phase: "Degraded",
        message: "RolloutAborted: step 3: analysis run demo-r2-step2 Failed",
        aborted: true,
        stepIndex: 0,
        canaryWeight: 0,
        history: [
          ...history([[5, "AnalysisCompleted", "analysis run demo-r2-step2 Failed"]]).map((h) => ({
            ...h,
            stepIndex: 2,
          })),
          ...history([[6, "Aborted", "step 3: analysis run demo-r2-step2 Failed"]]).map((h) => ({
            ...h,
            stepIndex: 0,
          })),
        ],
      }),
    );
    expect(text).toContain("Degraded (aborted)   revision 2   step 3/5");
    expect(text).toContain("  ✓ 2. pause 10s\n  ✗ 3. analysis");
  });

  it("marks the step an update was aborted at, and shows what failed", () => {
    const s = snapshot(
      {
        phase: "Degraded",
        message: "RolloutAborted: step 3: analysis run demo-r2-step2 Failed",
        aborted: true,
        canaryWeight: 0,
      },
      { runs: [run("demo-r2-step2", "Failed", { "success-rate": [["0.95", "Failed"]] })] },
    );
    const text = renderRollout(s);
    expect(text).toContain("Rollout demo   Degraded (aborted)   revision 2   step 3/5");
    expect(text).toContain("  ✗ 3. analysis (demo-success-rate, demo-latency)");
    expect(text).toContain("  canary  v2  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░     0%");
    expect(text).toContain("    success-rate  Failed      0.950 ✗");
  });

  it("with no update in progress: one version, no marks", () => {
    const text = renderRollout(
      snapshot(
        {
          phase: "Healthy",
          message: "v1 serves all traffic",
          canaryVersion: null,
          stepIndex: null,
          canaryWeight: 0,
        },
        { runs: [] },
      ),
    );
    expect(text.split("\n").slice(0, 4)).toEqual([
      "Rollout demo   Healthy   revision 2",
      "  v1 serves all traffic",
      "",
      "  stable  v1  ██████████████████████████████   100%",
    ]);
    expect(text).toContain("    1. setWeight 10%");
    expect(text).not.toContain("\nAnalysis\n");
  });

  it("a Flagger-style analysis: its interval, failed checks against the threshold and the gate holding it", () => {
    const flagger = {
      ...SPEC,
      spec: {
        ...SPEC.spec,
        strategy: { canary: { trafficRouting: { proxy: { listen: "127.0.0.1:4321" } } } },
        analysis: { interval: "30s", threshold: 5, stepWeight: 10, maxWeight: 30 },
      },
    };
    const s = snapshot(
      {
        phase: "Paused",
        message: "waiting for confirm-promotion webhook approve: HTTP 403: not yet",
        canaryWeight: 30,
        flagger: {
          revision: 2,
          phase: "WaitingPromotion",
          failedChecks: 2,
          iterations: 0,
          interval: 6,
          stage: null,
          intervalStartedAt: iso(0),
          nextAt: iso(30),
          heldBy: { type: "confirm-promotion", name: "approve", message: "HTTP 403: not yet" },
        },
      },
      { runs: [] },
    );
    const text = renderRollout({ ...s, rollout: { ...s.rollout, spec: flagger } });
    expect(text.split("\n").slice(0, 2)).toEqual([
      "Rollout demo   Paused   revision 2   interval 6, failed checks 2/5, held by confirm-promotion webhook approve",
      "  waiting for confirm-promotion webhook approve: HTTP 403: not yet",
    ]);
  });

  it("names the blue-green preview entry point beside the proxy", () => {
    const traffic = { ...TRAFFIC, preview: "http://127.0.0.1:4322" };
    expect(renderRollout(snapshot({}, { traffic }))).toContain(
      "  over the last 10 s, through http://127.0.0.1:4321 (preview: http://127.0.0.1:4322)",
    );
  });

  it("says when the traffic is not measured by the server it asked", () => {
    expect(renderRollout(snapshot({}, { traffic: { ...TRAFFIC, measured: false } }))).toContain(
      "  not measured here",
    );
    expect(renderRollout(snapshot({}, { traffic: undefined }))).toContain("Traffic\n  not available");
  });

  it("compact: the steps on a line, for short terminals", () => {
    const text = renderRollout(snapshot(), { compact: true });
    expect(text).toContain(
      "Steps\n  ✓1. setWeight 10% · ✓2. pause 10s · ▶3. analysis · 4. setWeight 30% · 5. pause until promoted\n",
    );
  });
});

describe("view helpers", () => {
  it("weightBar fills a cell per 100/width percent, rounded, clamped", () => {
    expect(weightBar(0, 10)).toBe("░░░░░░░░░░");
    expect(weightBar(25, 10)).toBe("███░░░░░░░");
    expect(weightBar(100, 4)).toBe("████");
    expect(weightBar(140, 4)).toBe("████");
  });

  it("formatMeasurement rounds numbers for a glance and keeps the rest", () => {
    expect(formatMeasurement("0.98765")).toBe("0.988");
    expect(formatMeasurement("31.44")).toBe("31.4");
    expect(formatMeasurement("1234.5")).toBe("1235");
    expect(formatMeasurement("NaN")).toBe("NaN");
    expect(formatMeasurement("[0.97]")).toBe("[0.97]");
    expect(formatMeasurement('{"ok":true,"detail":"long"}')).toBe('{"ok":true,"d…');
  });

  it("metricLine shows the last three measurements", () => {
    const r = run("r", "Successful", {
      m: [
        ["1", "Successful"],
        ["0.5", "Failed"],
        ["0.99", "Successful"],
        ["0.995", "Successful"],
      ],
    });
    const m = r.status.metricResults[0];
    expect(m === undefined ? "" : metricLine(m)).toBe("Failed      0.500 ✗  0.990 ✓  0.995 ✓");
  });

  it("stepsOf describes a canary's steps; other shapes have none", () => {
    expect(stepsOf(snapshot().rollout.spec)).toEqual([
      "setWeight 10%",
      "pause 10s",
      "analysis (demo-success-rate, demo-latency)",
      "setWeight 30%",
      "pause until promoted",
    ]);
    expect(stepsOf({ kind: "Rollout" })).toBeUndefined();
  });

  it("trafficLine: one line per version for logs", () => {
    expect(
      trafficLine(
        snapshot().traffic ?? { name: "", measured: false, proxy: null, windowSeconds: 10, versions: [] },
      ),
    ).toBe("stable v1 54.0 req/s, 0.00% 5xx, p99 31 ms · canary v2 6.1 req/s, 0.00% 5xx, p99 29 ms");
  });

  it("watchKey changes with the rollout and its runs, not with traffic or time", () => {
    const s = snapshot();
    const busier = { ...s, at: s.at + 5000, traffic: { ...TRAFFIC, versions: [] } };
    expect(watchKey(busier)).toBe(watchKey(s));
    expect(watchKey(snapshot({ canaryWeight: 30 }))).not.toBe(watchKey(s));
    expect(
      watchKey({
        ...s,
        runs: [run("demo-r2-step2", "Successful", { "success-rate": [["1", "Successful"]] })],
      }),
    ).not.toBe(watchKey(s));
  });
});
