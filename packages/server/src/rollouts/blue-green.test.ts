import { describe, expect, it } from "vitest";
import { compileRollout } from "./compile.js";
import {
  afterCommand,
  blueGreenSpec,
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
import { events, quiet, simulate } from "./simulator.shared-test.js";

describe("blue-green", () => {
  it("examples/rollout-bluegreen.yaml: preview, pre-promotion analysis, 60 s, switch, post-promotion analysis, promote", () => {
    const spec = load("rollout-bluegreen.yaml");
    const sim = rollOut(spec, "v1.5.0", { until: quiet });
    expect(sim.status.history.map((h) => h.event)).toEqual([
      "RevisionStarted",
      "RevisionStarted",
      "AnalysisStarted",
      "AnalysisCompleted",
      "Paused",
      "Resumed",
      "WeightChanged",
      "ActiveSwitched",
      "AnalysisStarted",
      "AnalysisCompleted",
      "Promoted",
    ]);
    const paused = entries(sim.status, "Paused")[0];
    expect(seconds(paused, entries(sim.status, "Resumed")[0])).toBe(60);
    const previewDeploys = sim.steps.flatMap((s) =>
      only(s.result.effects, "deploy")
        .filter((d) => d.role === "canary")
        .map((d) => d.replicas),
    );
    expect([...new Set(previewDeploys)]).toEqual([1, 2]);
    const runs = sim.steps.flatMap((s) => only(s.result.effects, "startAnalysis"));
    expect(runs[0]).toMatchObject({
      runId: "checkout-r2-pre",
      args: [{ name: "service-name", value: "checkout-preview" }],
    });
    expect(runs.at(-1)).toMatchObject({
      runId: "checkout-r2-post",
      templates: [{ templateName: "success-rate" }, { templateName: "latency" }],
    });
    expect(sim.status).toMatchObject({
      phase: "Healthy",
      stableVersion: "v1.5.0",
      activeVersion: "v1.5.0",
      previewVersion: "v1.5.0",
    });
    expect(sim.world.tornDown).toEqual(["v1.4.0"]);
  });

  it("switches all traffic at once, and only after the preview passed its analysis", () => {
    const spec = blueGreenSpec({ prePromotionAnalysis: { templates: [{ templateName: "smoke" }] } });
    const sim = rollOut(spec, "v2", { outcome: outcomeBy({ pre: { phase: "Successful", afterTicks: 3 } }) });
    const weights = sim.steps.map((s) => only(s.result.effects, "route")[0]?.weight);
    const switched = weights.indexOf(100);
    expect(weights.slice(0, switched).every((w) => w === 0)).toBe(true);
    const completed = entries(sim.status, "AnalysisCompleted")[0];
    expect(Date.parse(entries(sim.status, "ActiveSwitched")[0]?.at ?? "")).toBeGreaterThanOrEqual(
      Date.parse(completed?.at ?? ""),
    );
  });

  it("with autoPromotionEnabled false, waits for promote", () => {
    const spec = blueGreenSpec({ autoPromotionEnabled: false });
    const waiting = rollOut(spec, "v2", { until: pausedIndefinitely });
    const still = simulate({
      spec: withVersion(spec, "v2"),
      status: waiting.status,
      world: waiting.world,
      maxTicks: 30,
    });
    expect(still.status).toMatchObject({
      phase: "Paused",
      activeVersion: "v1",
      previewVersion: "v2",
      blueGreenStage: "AwaitingPromotion",
    });
    const promoted = afterCommand(still, withVersion(spec, "v2"), { kind: "promote" });
    expect(promoted.status).toMatchObject({ phase: "Healthy", stableVersion: "v2", activeVersion: "v2" });
  });

  it("rolls back when post-promotion analysis fails: active back to the old version, preview torn down", () => {
    const spec = blueGreenSpec({ postPromotionAnalysis: { templates: [{ templateName: "errors" }] } });
    const sim = rollOut(spec, "v2", { outcome: outcomeBy({ post: { phase: "Failed", afterTicks: 2 } }) });
    expect(events(sim.status).slice(-4)).toEqual([
      "ActiveSwitched:-",
      "AnalysisStarted:-",
      "AnalysisCompleted:-",
      "Aborted:-",
    ]);
    expect(sim.status).toMatchObject({
      phase: "Degraded",
      message: "RolloutAborted: post-promotion analysis run web-r2-post Failed",
      stableVersion: "v1",
      activeVersion: "v1",
      canaryWeight: 0,
    });
    expect(only(effectsOf(sim), "route")[0]).toMatchObject({
      stableVersion: "v1",
      weight: 0,
      canaryVersion: null,
    });
    expect(sim.status.teardowns.map((t) => t.version)).toEqual(["v2"]);
  });

  it("aborts without switching when pre-promotion analysis fails", () => {
    const spec = blueGreenSpec({ prePromotionAnalysis: { templates: [{ templateName: "smoke" }] } });
    const sim = rollOut(spec, "v2", { outcome: outcomeBy({ pre: { phase: "Failed", afterTicks: 1 } }) });
    expect(sim.status.phase).toBe("Degraded");
    expect(sim.steps.every((s) => only(s.result.effects, "route")[0]?.weight === 0)).toBe(true);
    expect(entries(sim.status, "ActiveSwitched")).toEqual([]);
  });

  it("undo within the scale-down delay switches back at once (Argo's fast rollback)", () => {
    const spec = blueGreenSpec({
      prePromotionAnalysis: { templates: [{ templateName: "smoke" }] },
      scaleDownDelaySeconds: 600,
    });
    const promoted = rollOut(spec, "v2", { until: (s) => s.stableVersion === "v2" });
    const undone = afterCommand(promoted, withVersion(spec, "v2"), { kind: "undo" });
    expect(undone.status).toMatchObject({ stableVersion: "v1", activeVersion: "v1", phase: "Healthy" });
    expect(undone.status.history.filter((h) => h.revision === 3).map((h) => h.event)).toEqual([
      "RevisionStarted",
      "WeightChanged",
      "ActiveSwitched",
      "Promoted",
    ]);
  });
});

describe("blue-green trafficRouting.proxy preview entry points (Ramp extension)", () => {
  const compileWith = (proxy: Record<string, unknown>) =>
    compileRollout({
      apiVersion: "ramp.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: "web" },
      spec: {
        replicas: 1,
        version: "v1",
        strategy: { blueGreen: { activeService: "active", trafficRouting: { proxy } } },
      },
    });
  const routerOf = (proxy: Record<string, unknown>) => {
    const result = compileWith(proxy);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const strategy = result.rollout.strategy;
    return strategy.kind === "blueGreen" ? strategy.router : undefined;
  };
  const errorsOf = (proxy: Record<string, unknown>) =>
    compileWith(proxy).issues.filter((i) => i.severity === "error");

  it("compiles previewListen and previewHeader into the proxy router's preview", () => {
    expect(
      routerOf({
        listen: "127.0.0.1:8080",
        previewListen: "127.0.0.1:8081",
        previewHeader: "X-Ramp-Preview: 1",
      }),
    ).toEqual({
      kind: "proxy",
      listen: "127.0.0.1:8080",
      sticky: null,
      preview: { listen: "127.0.0.1:8081", header: { name: "x-ramp-preview", value: "1" } },
    });
    expect(routerOf({ listen: ":8080", previewHeader: "x-qa:yes" })?.preview).toEqual({
      listen: null,
      header: { name: "x-qa", value: "yes" },
    });
    expect(routerOf({ listen: "127.0.0.1:8080" })).toEqual({
      kind: "proxy",
      listen: "127.0.0.1:8080",
      sticky: null,
    });
  });

  it("examples/rollout-bluegreen.yaml opens a preview listener beside the active one", () => {
    const strategy = load("rollout-bluegreen.yaml").strategy;
    expect(strategy.kind === "blueGreen" && strategy.router?.preview?.listen).toBe("127.0.0.1:8082");
  });

  it.each([
    ["127.0.0.1:8080", "127.0.0.1:8080"],
    [":8080", "127.0.0.1:8080"],
    ["localhost:8080", "127.0.0.1:8080"],
    ["0.0.0.0:8080", "127.0.0.1:8080"],
    ["127.0.0.1:8080", "[::]:8080"],
  ])("rejects listen %s with previewListen %s (the same socket)", (listen, previewListen) => {
    const errors = errorsOf({ listen, previewListen });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: "spec.strategy.blueGreen.trafficRouting.proxy.previewListen",
      message: `is the same address as listen (${listen})`,
    });
    expect(errors[0]?.suggestion).toMatch(/^use another port, e\.g\. "[^"]+:8081"$/);
  });

  it.each([
    ["127.0.0.1:8080", "127.0.0.1:8081"],
    ["127.0.0.1:8080", "127.0.0.2:8080"],
    ["127.0.0.1:0", "127.0.0.1:0"],
  ])("accepts listen %s with previewListen %s", (listen, previewListen) => {
    expect(errorsOf({ listen, previewListen })).toEqual([]);
  });

  it("rejects a malformed previewListen or previewHeader with its path and the expected shape", () => {
    const listenErrors = errorsOf({ listen: "127.0.0.1:8080", previewListen: "http://127.0.0.1:8081" });
    expect(listenErrors.map((i) => i.path)).toEqual([
      "spec.strategy.blueGreen.trafficRouting.proxy.previewListen",
    ]);
    expect(JSON.stringify(listenErrors)).toContain("host:port");
    for (const bad of ["x-ramp-preview", "x ramp: 1", "x-ramp-preview: ", ": 1"]) {
      const errors = errorsOf({ listen: "127.0.0.1:8080", previewHeader: bad });
      expect(
        errors.map((i) => i.path),
        bad,
      ).toEqual(["spec.strategy.blueGreen.trafficRouting.proxy.previewHeader"]);
      expect(JSON.stringify(errors)).toContain("x-ramp-preview: 1");
    }
  });

  it("keeps previewListen out of canary rollouts: unknown there", () => {
    const result = compileRollout({
      apiVersion: "ramp.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: "web" },
      spec: {
        replicas: 1,
        version: "v1",
        strategy: {
          canary: {
            steps: [{ setWeight: 50 }],
            trafficRouting: { proxy: { listen: "127.0.0.1:8080", previewListen: "127.0.0.1:8081" } },
          },
        },
      },
    });
    expect(result.ok).toBe(false);
    expect(result.issues.map((i) => i.path)).toContain(
      "spec.strategy.canary.trafficRouting.proxy.previewListen",
    );
  });
});
