import { describe, expect, it } from "vitest";
import { canaryReplicasAt, weightAt } from "./canary.js";
import {
  afterCommand,
  canarySpec,
  effectsOf,
  entries,
  load,
  only,
  outcomeBy,
  pausedIndefinitely,
  rollOut,
  seconds,
  withVersion,
} from "./fixtures.shared-test.js";
import { events, quiet, type SimulationResult, simulate } from "./simulator.shared-test.js";

describe("canary: examples/rollout.yaml", () => {
  const spec = load("rollout.yaml");

  it("deploys the first version at once (Argo's initial deploy), then reports it Healthy once ready", () => {
    const sim = simulate({ spec, until: (s) => s.phase === "Healthy" });
    // Tick 0 deploys it; tick 1 sees it ready.
    const phaseByTick = new Map(sim.steps.map((s) => [s.tick, s.result.status.phase]));
    expect([...phaseByTick]).toEqual([
      [0, "Progressing"],
      [1, "Healthy"],
    ]);
    expect(sim.status).toMatchObject({
      revision: 1,
      stableVersion: "v2.0.0",
      canaryVersion: null,
      stepIndex: null,
    });
    expect(only(sim.steps[0]?.result.effects ?? [], "deploy")).toEqual([
      { kind: "deploy", version: "v2.0.0", replicas: 10, role: "stable" },
    ]);
  });

  it("walks a healthy version through every step, then promotes it and tears the old stable down", () => {
    const sim = rollOut(spec, "v2.1.0", { until: quiet });
    const { status } = sim;
    expect(events(status, "StepStarted")).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `StepStarted:${i}`));
    expect(entries(status, "WeightChanged").map((h) => h.weight)).toEqual([5, 25, 50, 100]);
    // The pauses last what the steps say.
    const started = entries(status, "StepStarted");
    const completed = entries(status, "StepCompleted");
    expect(seconds(started[1], completed[1])).toBe(600);
    expect(seconds(started[4], completed[4])).toBe(1800);
    expect(seconds(started[7], completed[7])).toBe(1800);
    // The analysis steps ran the templates the seed names.
    expect(entries(status, "AnalysisStarted").map((h) => h.message)).toEqual([
      "step 3 analysis run payment-service-r2-step2 (success-rate)",
      "step 6 analysis run payment-service-r2-step5 (success-rate, latency)",
    ]);
    const promoted = entries(status, "Promoted")[0];
    expect(promoted?.message).toBe("v2.1.0 is stable (completed all 9 steps); v2.0.0 torn down in 30s");
    expect(status).toMatchObject({
      phase: "Healthy",
      revision: 2,
      stableVersion: "v2.1.0",
      previousStableVersion: "v2.0.0",
      canaryVersion: null,
      stepIndex: null,
      canaryWeight: 0,
    });
    expect(sim.world.tornDown).toEqual(["v2.0.0"]);
    expect(sim.world.route).toEqual({
      kind: "route",
      stableVersion: "v2.1.0",
      canaryVersion: null,
      weight: 0,
      headerRoutes: [],
      mirrorRoutes: [],
    });
    expect(sim.world.notifications.map((n) => n.message)).toEqual([
      "initial deploy of v2.0.0",
      "rolling out v2.1.0 (stable v2.0.0)",
      "v2.1.0 is stable (completed all 9 steps); v2.0.0 torn down in 30s",
    ]);
  });

  it("scales the canary to ceil(weight × replicas) and moves the weight only once those replicas are ready", () => {
    const sim = rollOut(spec, "v2.1.0", { readyTicks: 3 });
    const canaryDeploys = sim.steps.flatMap((s) =>
      only(s.result.effects, "deploy")
        .filter((d) => d.role === "canary")
        .map((d) => d.replicas),
    );
    expect([...new Set(canaryDeploys)]).toEqual([1, 3, 5, 10]);
    // When step 4 (setWeight 25) is entered, the route still says 5% while 3 replicas come up.
    const entering = sim.steps.find((s) =>
      s.result.status.history.some((h) => h.event === "StepStarted" && h.stepIndex === 3),
    );
    const route = only(entering?.result.effects ?? [], "route")[0];
    expect(route?.weight).toBe(5);
    const weight25 = entries(sim.status, "WeightChanged")[1];
    expect(seconds(entries(sim.status, "StepStarted")[3], weight25)).toBe(3 * 30);
  });

  it("aborts on a failed step analysis: weight 0 at once, canary torn down after 30 s, Degraded", () => {
    const sim = rollOut(spec, "v2.1.0-bad", {
      outcome: outcomeBy({ step5: { phase: "Failed", afterTicks: 2 } }),
    });
    const { status } = sim;
    const aborted = entries(status, "Aborted")[0];
    expect(status).toMatchObject({
      phase: "Degraded",
      message: "RolloutAborted: step 6: analysis run payment-service-r2-step5 Failed",
      aborted: true,
      canaryVersion: "v2.1.0-bad",
      stableVersion: "v2.0.0",
      canaryWeight: 0,
      stepIndex: 0,
      headerRoutes: [],
      mirrorRoutes: [],
      analysisRuns: [],
      teardowns: [
        { version: "v2.1.0-bad", at: new Date(Date.parse(aborted?.at ?? "") + 30_000).toISOString() },
      ],
    });
    const effects = effectsOf(sim);
    expect(only(effects, "route")).toEqual([
      {
        kind: "route",
        stableVersion: "v2.0.0",
        canaryVersion: null,
        weight: 0,
        headerRoutes: [],
        mirrorRoutes: [],
      },
    ]);
    expect(only(effects, "deploy").map((d) => d.version)).toEqual(["v2.0.0"]);
    expect(sim.world.notifications.map((n) => n.event)).toContain("Aborted");
    const later = simulate({ spec: withVersion(spec, "v2.1.0-bad"), status, world: sim.world, maxTicks: 3 });
    expect(later.world.tornDown).toEqual(["v2.1.0-bad"]);
    expect(later.status.phase).toBe("Degraded");
  });

  it("an Error from the analysis aborts like a failure", () => {
    const sim = rollOut(spec, "v2.1.0", { outcome: outcomeBy({ step2: { phase: "Error", afterTicks: 1 } }) });
    expect(sim.status.message).toBe("RolloutAborted: step 3: analysis run payment-service-r2-step2 Error");
  });

  it("pauses on an Inconclusive analysis until promote, which skips the step", () => {
    const inconclusive = { outcome: outcomeBy({ step2: { phase: "Inconclusive", afterTicks: 1 } }) };
    const paused = rollOut(spec, "v2.1.0", {
      ...inconclusive,
      until: (s) => s.phase === "Paused" && s.stepIndex === 2,
    });
    expect(paused.status.pauseConditions).toMatchObject([{ reason: "InconclusiveAnalysis", until: null }]);
    expect(paused.status.message).toMatch(/^InconclusiveAnalysis: /);
    const waiting = simulate({
      ...inconclusive,
      spec: withVersion(spec, "v2.1.0"),
      status: paused.status,
      world: paused.world,
      maxTicks: 50,
    });
    expect(waiting.status).toMatchObject({ phase: "Paused", stepIndex: 2, canaryWeight: 5 });
    const promoted = afterCommand(
      waiting,
      withVersion(spec, "v2.1.0"),
      { kind: "promote", by: "ana" },
      inconclusive,
    );
    expect(entries(promoted.status, "StepCompleted")[2]?.message).toBe(
      "step 3/9: analysis Inconclusive, skipped by promote by ana",
    );
    expect(promoted.status).toMatchObject({ phase: "Healthy", stableVersion: "v2.1.0" });
  });

  it("resume runs an Inconclusive analysis again instead of skipping it", () => {
    const outcome = outcomeBy({ step2$: { phase: "Inconclusive", afterTicks: 1 } });
    const paused = rollOut(spec, "v2.1.0", {
      outcome,
      until: (s) => s.phase === "Paused" && s.stepIndex === 2,
    });
    const resumed = afterCommand(paused, withVersion(spec, "v2.1.0"), { kind: "resume" }, { outcome });
    expect(entries(resumed.status, "AnalysisStarted").map((h) => h.message.split(" ")[4])).toEqual([
      "payment-service-r2-step2",
      "payment-service-r2-step2-a2",
      "payment-service-r2-step5",
    ]);
    expect(resumed.status.phase).toBe("Healthy");
  });
});

describe("canary: replicas and weight follow the step index (Argo's traffic-routed canary)", () => {
  const strategyOf = (steps: unknown[], canary: Record<string, unknown> = {}) => {
    const strategy = canarySpec(steps, canary, 10).strategy;
    if (strategy.kind !== "canary") throw new Error("not a canary");
    return strategy;
  };
  it.each([
    { steps: [{ setWeight: 5 }], index: 0, replicas: 1, weight: 5 },
    { steps: [{ setWeight: 41 }], index: 0, replicas: 5, weight: 41 },
    { steps: [{ pause: {} }, { setWeight: 30 }], index: 0, replicas: 0, weight: 0 },
    { steps: [{ setWeight: 20 }, { pause: {} }], index: 1, replicas: 2, weight: 20 },
    { steps: [{ setCanaryScale: { replicas: 3 } }, { setWeight: 90 }], index: 1, replicas: 3, weight: 90 },
    { steps: [{ setCanaryScale: { weight: 25 } }, { setWeight: 0 }], index: 1, replicas: 3, weight: 0 },
    {
      steps: [
        { setCanaryScale: { replicas: 3 } },
        { setCanaryScale: { matchTrafficWeight: true } },
        { setWeight: 60 },
      ],
      index: 2,
      replicas: 6,
      weight: 60,
    },
    { steps: [{ setWeight: 5 }], index: 0, replicas: 4, weight: 5, canary: { minPodsPerReplicaSet: 4 } },
    { steps: [{ setWeight: 0 }], index: 0, replicas: 0, weight: 0, canary: { minPodsPerReplicaSet: 4 } },
  ])("$steps at step $index: $replicas replicas, $weight%", ({ steps, index, replicas, weight, canary }) => {
    const strategy = strategyOf(steps, canary);
    expect(canaryReplicasAt(10, strategy, index)).toBe(replicas);
    expect(weightAt(strategy, index)).toBe(weight);
  });
});

describe("canary: background analysis", () => {
  const spec = canarySpec(
    [{ setWeight: 20 }, { pause: { duration: "5m" } }, { setWeight: 50 }, { pause: { duration: "5m" } }],
    {
      analysis: {
        templates: [{ templateName: "error-rate" }],
        startingStep: 1,
        args: [{ name: "v", valueFrom: { podTemplateHashValue: "Latest" } }],
      },
    },
  );

  it("starts at startingStep and aborts the rollout when it fails", () => {
    const sim = rollOut(spec, "v2", {
      outcome: outcomeBy({ background: { phase: "Failed", afterTicks: 4 } }),
    });
    const started = entries(sim.status, "AnalysisStarted")[0];
    expect(started).toMatchObject({
      stepIndex: 1,
      message: "background analysis run web-r2-background (error-rate)",
    });
    expect(sim.status).toMatchObject({ phase: "Degraded", canaryWeight: 0, stepIndex: 0 });
    expect(sim.status.message).toBe("RolloutAborted: background analysis run web-r2-background Failed");
  });

  it("runs beside the steps with the canary version as argument, and is terminated at promotion", () => {
    const sim = rollOut(spec, "v2", { outcome: () => "forever" });
    expect(sim.status).toMatchObject({ phase: "Healthy", stableVersion: "v2" });
    const starts = sim.steps.flatMap((s) => only(s.result.effects, "startAnalysis"));
    expect(starts[0]).toMatchObject({
      runId: "web-r2-background",
      analysisKind: "background",
      args: [{ name: "v", value: "v2" }],
    });
    const terminated = sim.steps.flatMap((s) => only(s.result.effects, "terminateAnalysis"));
    expect(terminated).toEqual([{ kind: "terminateAnalysis", runId: "web-r2-background" }]);
  });

  it("pauses when it is Inconclusive; promote starts it again", () => {
    const outcome = outcomeBy({ background$: { phase: "Inconclusive", afterTicks: 1 } }, "forever");
    const paused = rollOut(spec, "v2", { outcome, until: pausedIndefinitely });
    // It went Inconclusive during the pause step: both hold the rollout; promote lifts both.
    expect(paused.status.pauseConditions.map((p) => p.reason)).toEqual([
      "CanaryPauseStep",
      "InconclusiveAnalysis",
    ]);
    const resumed = afterCommand(paused, withVersion(spec, "v2"), { kind: "promote" }, { outcome });
    expect(resumed.status.phase).toBe("Healthy");
    expect(entries(resumed.status, "AnalysisStarted").map((h) => h.message)).toContain(
      "background analysis run web-r2-background-a2 (error-rate)",
    );
  });
});

describe("canary: header and mirror routes", () => {
  const spec = canarySpec([
    { setWeight: 10 },
    { setHeaderRoute: { name: "beta", match: [{ headerName: "x-beta", headerValue: { exact: "1" } }] } },
    {
      setMirrorRoute: {
        name: "shadow",
        percentage: 50,
        match: [{ headers: { "x-shadow": { exact: "1" } } }],
      },
    },
    { pause: {} },
    { setHeaderRoute: { name: "beta" } },
    { pause: {} },
    { setMirrorRoute: { name: "shadow" } },
    { pause: {} },
  ]);
  const v2 = withVersion(spec, "v2");
  const header = { name: "beta", match: [{ headerName: "x-beta", headerValue: { exact: "1" } }] };
  const mirror = { name: "shadow", percentage: 50, match: [{ headers: { "x-shadow": { exact: "1" } } }] };
  const route = (sim: SimulationResult) => only(effectsOf(sim), "route")[0];

  it("sets and removes them as the steps say", () => {
    const first = rollOut(spec, "v2", { until: pausedIndefinitely });
    expect(first.status.stepIndex).toBe(3);
    expect(route(first)).toMatchObject({
      canaryVersion: "v2",
      weight: 10,
      headerRoutes: [header],
      mirrorRoutes: [mirror],
    });
    const second = afterCommand(first, v2, { kind: "promote" }, { until: pausedIndefinitely });
    expect(second.status.stepIndex).toBe(5);
    expect(route(second)).toMatchObject({ headerRoutes: [], mirrorRoutes: [mirror] });
    const third = afterCommand(second, v2, { kind: "promote" }, { until: pausedIndefinitely });
    expect(third.status.stepIndex).toBe(7);
    expect(route(third)).toMatchObject({ headerRoutes: [], mirrorRoutes: [] });
  });

  it("clears them at once on abort and on promoteFull", () => {
    const first = rollOut(spec, "v2", { until: pausedIndefinitely });
    const aborted = afterCommand(first, v2, { kind: "abort", by: "ops" });
    expect(only(aborted.steps[0]?.result.effects ?? [], "route")[0]).toMatchObject({
      weight: 0,
      headerRoutes: [],
      mirrorRoutes: [],
    });
    expect(aborted.status.message).toBe("RolloutAborted: aborted by ops");
    const full = afterCommand(
      first,
      v2,
      { kind: "promoteFull" },
      { until: (s) => s.phase === "Progressing" },
    );
    expect(only(full.steps[0]?.result.effects ?? [], "route")[0]).toMatchObject({
      weight: 10,
      headerRoutes: [],
      mirrorRoutes: [],
    });
  });
});
