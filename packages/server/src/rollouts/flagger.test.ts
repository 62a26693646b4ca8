import { describe, expect, it } from "vitest";
import type { WebhookCall, WebhookOutcome } from "./decide.js";
import { entries, outcomeBy, rollOut, specOf } from "./fixtures.shared-test.js";
import type { RolloutSpec } from "./rollout.js";
import { type RunOutcome, type SimulationResult, settled, simulate } from "./simulator.shared-test.js";
import type { RolloutStatus } from "./status.js";

const ok: RunOutcome = { phase: "Successful", afterTicks: 0 };
const bad: RunOutcome = { phase: "Failed", afterTicks: 0 };

/** A Flagger-shaped rollout at v1; its analysis interval is one simulator tick (60 s). */
function flagger(analysis: Record<string, unknown>, replicas = 2): RolloutSpec {
  return specOf({
    replicas,
    version: "v1",
    strategy: { canary: { trafficRouting: { proxy: { listen: "127.0.0.1:8080" } } } },
    analysis: {
      interval: "1m",
      threshold: 2,
      metrics: [{ name: "request-success-rate", thresholdRange: { min: 99 }, interval: "1m" }],
      ...analysis,
    },
  });
}

const hook = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  url: `http://hooks.test/${name}`,
  ...extra,
});

function run(spec: RolloutSpec, options: Parameters<typeof rollOut>[2] = {}): SimulationResult {
  return rollOut(spec, "v2", { tickSeconds: 60, outcome: () => ok, maxTicks: 60, ...options });
}

const weights = (s: RolloutStatus) => entries(s, "WeightChanged").map((h) => h.weight);
const calls = (sim: SimulationResult, name: string) =>
  sim.world.calls.filter((c) => c.call.webhook.name === name);
/** The analysis interval a call belongs to (its id says, `web-r2-i5-approve`). */
const intervalOf = (call: WebhookCall) => Number(/-i(\d+)-/.exec(call.id)?.[1] ?? -1);
const answer = (passed: boolean, message = passed ? "HTTP 200" : "HTTP 403: not yet"): WebhookOutcome => ({
  passed,
  message,
});

describe("Flagger canary weights", () => {
  it("stepWeight 10 / maxWeight 50: 10, 20, 30, 40, 50, then one more passing interval promotes", () => {
    const sim = run(flagger({ stepWeight: 10, maxWeight: 50 }));
    expect(weights(sim.status)).toEqual([10, 20, 30, 40, 50]);
    expect(sim.status).toMatchObject({ phase: "Healthy", stableVersion: "v2", canaryVersion: null });
    expect(sim.status.flagger).toMatchObject({ phase: "Succeeded", failedChecks: 0 });
    // Interval 1 confirms the rollout, 2 runs the pre-rollout checks and sets 10%, 3–7 analyse.
    const runs = entries(sim.status, "AnalysisCompleted").map((h) => h.message);
    expect(runs).toEqual([3, 4, 5, 6, 7].map((i) => `analysis run web-r2-check${i} Successful`));
    const promoted = entries(sim.status, "Promoted")[0];
    const last = entries(sim.status, "WeightChanged").at(-1);
    expect(Date.parse(promoted?.at ?? "") - Date.parse(last?.at ?? "")).toBe(60_000);
  });

  it("stepWeights [1, 5, 10, 25, 50] are taken in order; the last is the maximum", () => {
    const sim = run(flagger({ stepWeights: [1, 5, 10, 25, 50] }));
    expect(weights(sim.status)).toEqual([1, 5, 10, 25, 50]);
    expect(sim.status.stableVersion).toBe("v2");
  });

  it("like Flagger, the last stepWeight step may pass maxWeight (capped at 100), then promotes", () => {
    expect(weights(run(flagger({ stepWeight: 20, maxWeight: 50 })).status)).toEqual([20, 40, 60]);
    expect(weights(run(flagger({ stepWeight: 40 })).status)).toEqual([40, 80, 100]);
  });

  it("with mirror: one interval of mirroring before the first weight, as Flagger does", () => {
    const sim = run(flagger({ stepWeight: 50, mirror: true, mirrorWeight: 30 }));
    const routes = sim.steps.flatMap((s) => s.result.effects.filter((e) => e.kind === "route"));
    const firstMirror = routes.findIndex((r) => r.kind === "route" && r.mirrorRoutes.length > 0);
    const firstWeight = routes.findIndex((r) => r.kind === "route" && r.weight > 0);
    expect(firstMirror).toBeGreaterThanOrEqual(0);
    expect(firstWeight).toBeGreaterThan(firstMirror);
    expect(routes[firstWeight]).toMatchObject({ weight: 50, mirrorRoutes: [] });
    expect(entries(sim.status, "StepCompleted").map((h) => h.message)).toEqual([
      "interval 2: mirroring 30% of requests to the canary",
    ]);
    // The mirrored interval is analysed (no pre-rollout any more), then 50, 100, promotion.
    expect(weights(sim.status)).toEqual([50, 100]);
    expect(entries(sim.status, "AnalysisCompleted")).toHaveLength(3);
  });

  it("stepWeightPromotion 20: after maxWeight the new version's share rises 20 per interval to 100", () => {
    const sim = run(flagger({ stepWeight: 10, maxWeight: 50, stepWeightPromotion: 20 }));
    expect(weights(sim.status)).toEqual([10, 20, 30, 40, 50, 70, 90, 100]);
    expect(sim.status.flagger?.phase).toBe("Succeeded");
    // No checks while promoting, as in Flagger's Promoting phase.
    expect(entries(sim.status, "AnalysisCompleted")).toHaveLength(5);
  });
});

describe("Flagger blue/green and A/B", () => {
  it("blue/green: `iterations` intervals of checks without traffic, then the switch, one more check, promotion", () => {
    const sim = run(flagger({ iterations: 3 }));
    const steps = sim.steps.map((s) => s.result.status.canaryWeight);
    expect(weights(sim.status)).toEqual([100]);
    expect(entries(sim.status, "StepCompleted").map((h) => h.message)).toEqual([
      "interval 2: checks passed, iteration 1/3",
      "interval 3: checks passed, iteration 2/3",
      "interval 4: checks passed, iteration 3/3",
    ]);
    expect(entries(sim.status, "AnalysisCompleted")).toHaveLength(4);
    expect(steps.filter((w) => w > 0 && w < 100)).toEqual([]);
    expect(sim.status.stableVersion).toBe("v2");
  });

  it("blue/green with mirror: the canary gets a mirror of mirrorWeight% during the iterations", () => {
    const sim = run(flagger({ iterations: 2, mirror: true, mirrorWeight: 40 }));
    const mirrors = sim.steps.flatMap((s) =>
      s.result.effects.flatMap((e) => (e.kind === "route" ? e.mirrorRoutes : [])),
    );
    expect(mirrors[0]).toEqual({ name: "flagger-mirror", percentage: 40, match: [] });
    expect(sim.status.stableVersion).toBe("v2");
  });

  it("A/B: the matched requests go to the canary for `iterations` intervals, then promotion", () => {
    const sim = run(flagger({ iterations: 2, match: [{ headers: { "x-canary": { exact: "insider" } } }] }));
    const routes = sim.steps.flatMap((s) =>
      s.result.effects.flatMap((e) => (e.kind === "route" ? e.headerRoutes : [])),
    );
    expect(routes[0]).toEqual({
      name: "flagger-ab",
      match: [{ headerName: "x-canary", headerValue: { exact: "insider" } }],
    });
    expect(weights(sim.status)).toEqual([]);
    expect(entries(sim.status, "AnalysisCompleted")).toHaveLength(2);
    expect(sim.status.stableVersion).toBe("v2");
  });
});

describe("Flagger failed checks", () => {
  it("are counted over the run and never reset: fail, pass, pass, fail, fail with threshold 3 rolls back on the 5th", () => {
    const outcome = outcomeBy({ check3$: bad, check6$: bad, check7$: bad }, ok);
    const sim = run(flagger({ stepWeight: 10, maxWeight: 50, threshold: 3 }), { outcome });
    expect(entries(sim.status, "CheckFailed").map((h) => h.message)).toEqual([
      "interval 3: metric checks Failed (analysis run web-r2-check3) (failed checks 1/3)",
      "interval 6: metric checks Failed (analysis run web-r2-check6) (failed checks 2/3)",
      "interval 7: metric checks Failed (analysis run web-r2-check7) (failed checks 3/3)",
    ]);
    expect(weights(sim.status)).toEqual([10, 20, 30]);
    expect(sim.status).toMatchObject({
      phase: "Degraded",
      aborted: true,
      canaryWeight: 0,
      stableVersion: "v1",
    });
    expect(sim.status.flagger).toMatchObject({ phase: "Failed", failedChecks: 3 });
    const aborted = entries(sim.status, "Aborted")[0];
    expect(aborted?.message).toMatch(/^failed checks threshold reached \(3\/3\)/);
    expect(aborted?.at).toBe(entries(sim.status, "CheckFailed")[2]?.at);
  });

  it("threshold 1 (Flagger's default) rolls back at the first failed check", () => {
    const sim = run(flagger({ stepWeight: 25, threshold: 1 }), { outcome: outcomeBy({ check4$: bad }, ok) });
    expect(weights(sim.status)).toEqual([25, 50]);
    expect(sim.status).toMatchObject({ phase: "Degraded", canaryWeight: 0 });
  });

  it("a failing pre-rollout webhook counts as a failed check and keeps the weight at 0", () => {
    const spec = flagger({ stepWeight: 50, threshold: 2, webhooks: [hook("smoke", "pre-rollout")] });
    const sim = run(spec, { webhook: (c) => answer(c.webhook.name !== "smoke") });
    expect(entries(sim.status, "CheckFailed").map((h) => h.message)).toEqual([
      "interval 2: pre-rollout webhook smoke: HTTP 403: not yet (failed checks 1/2)",
      "interval 3: pre-rollout webhook smoke: HTTP 403: not yet (failed checks 2/2)",
    ]);
    expect(weights(sim.status)).toEqual([]);
    expect(sim.status.phase).toBe("Degraded");
  });

  it("a new version starts with no failed checks", () => {
    const spec = flagger({ stepWeight: 50, threshold: 2 });
    const first = run(spec, { outcome: outcomeBy({ "r2-check3$": bad }, ok) });
    expect(first.status.flagger?.failedChecks).toBe(1);
    expect(first.status.stableVersion).toBe("v2");
    const next = simulate({
      spec: { ...spec, version: "v3" },
      status: first.status,
      world: first.world,
      tickSeconds: 60,
      outcome: () => ok,
    });
    expect(next.status.flagger).toMatchObject({ revision: 3, failedChecks: 0, phase: "Succeeded" });
  });
});

describe("Flagger webhook gates", () => {
  it("confirm-promotion holds at maxWeight, analysis going on, until it answers 2xx", () => {
    const spec = flagger({ stepWeight: 25, maxWeight: 50, webhooks: [hook("approve", "confirm-promotion")] });
    const sim = run(spec, { webhook: (c) => answer(c.webhook.name !== "approve" || intervalOf(c) >= 7) });
    expect(weights(sim.status)).toEqual([25, 50]);
    const held = sim.steps.find((s) => s.result.status.phase === "Paused")?.result.status;
    expect(held?.message).toBe("waiting for confirm-promotion webhook approve: HTTP 403: not yet");
    expect(held?.flagger).toMatchObject({ phase: "WaitingPromotion", heldBy: { type: "confirm-promotion" } });
    // Interval 2 set 25%, 3 set 50%; from 4 on it was asked once per interval until it said yes (7).
    expect(calls(sim, "approve").map((c) => intervalOf(c.call))).toEqual([4, 5, 6, 7]);
    const ticks = calls(sim, "approve").map((c) => c.tick);
    expect(ticks.map((t) => t - (ticks[0] ?? 0))).toEqual([0, 1, 2, 3]);
    // The checks ran in each held interval too (intervals 3–7).
    expect(entries(sim.status, "AnalysisCompleted")).toHaveLength(5);
    expect(entries(sim.status, "WebhookHeld")).toHaveLength(1);
    expect(entries(sim.status, "Resumed").map((h) => h.message)).toEqual([
      "confirm-promotion webhook approve passed",
    ]);
    expect(sim.status).toMatchObject({ phase: "Healthy", stableVersion: "v2" });
    expect(calls(sim, "approve")[0]?.call.payload).toEqual({
      name: "web",
      namespace: "default",
      phase: "Progressing",
      checksum: expect.stringMatching(/^[0-9a-f]{8}$/),
      metadata: {},
    });
  });

  it("confirm-traffic-increase holds the weight", () => {
    const spec = flagger({ stepWeight: 50, webhooks: [hook("more", "confirm-traffic-increase")] });
    const sim = run(spec, {
      webhook: (c) => answer(c.webhook.name !== "more" || intervalOf(c) === 2 || intervalOf(c) >= 5),
    });
    // Interval 2 goes to 50%; 3 and 4 hold; 5 goes to 100%.
    const at = (w: number) => entries(sim.status, "WeightChanged").find((h) => h.weight === w)?.at;
    expect(weights(sim.status)).toEqual([50, 100]);
    expect((Date.parse(at(100) ?? "") - Date.parse(at(50) ?? "")) / 60_000).toBe(3);
    expect(entries(sim.status, "WebhookHeld").map((h) => h.message)).toEqual([
      "confirm-traffic-increase webhook more holds the rollout: HTTP 403: not yet",
    ]);
  });

  it("confirm-rollout holds before the canary is deployed", () => {
    const spec = flagger({ stepWeight: 50, webhooks: [hook("go", "confirm-rollout")] });
    const sim = run(spec, { webhook: (c) => answer(c.webhook.name !== "go" || intervalOf(c) >= 3) });
    const confirmed = sim.steps.findIndex((s) => s.result.status.canaryReplicas > 0);
    const waiting = sim.steps.slice(0, confirmed).map((s) => s.result.status);
    expect(calls(sim, "go").map((c) => intervalOf(c.call))).toEqual([1, 2, 3]);
    expect(waiting.every((s) => s.canaryReplicas === 0 && s.canaryWeight === 0)).toBe(true);
    expect(waiting.at(-1)?.message).toBe("waiting for confirm-rollout webhook go: HTTP 403: not yet");
    expect(calls(sim, "go")[0]?.call.payload.phase).toBe("Waiting");
    expect(sim.status.stableVersion).toBe("v2");
  });

  it("a rollback webhook answering 2xx aborts: weight 0, Degraded, post-rollout told Failed", () => {
    const spec = flagger({
      stepWeight: 20,
      webhooks: [hook("stop", "rollback"), hook("after", "post-rollout"), hook("events", "event")],
    });
    const sim = run(spec, { webhook: (c) => answer(c.webhook.name !== "stop" || intervalOf(c) >= 4) });
    expect(weights(sim.status)).toEqual([20, 40]);
    expect(sim.status).toMatchObject({ phase: "Degraded", aborted: true, canaryWeight: 0 });
    expect(entries(sim.status, "Aborted")[0]?.message).toMatch(
      /^rollback webhook stop signalled a rollback: HTTP 200; all traffic back to v1/,
    );
    expect(calls(sim, "after").map((c) => [c.call.awaited, c.call.payload.phase])).toEqual([
      [false, "Failed"],
    ]);
    const events = calls(sim, "events").map((c) => c.call.payload.metadata);
    // One event call per history entry, the initial deploy's included.
    expect(events.map((m) => m.eventMessage)).toEqual(
      sim.status.history.map((h) => `${h.event}: ${h.message}`),
    );
    expect(events.at(-1)).toMatchObject({
      eventType: "Warning",
      eventMessage: expect.stringMatching(/^Aborted: /),
    });
  });

  it("post-rollout hears Succeeded after a promotion; load tests run only while the canary is analysed", () => {
    const spec = flagger({
      stepWeight: 50,
      webhooks: [
        hook("after", "post-rollout"),
        { name: "load", type: "rollout", url: "ramp:load-test", metadata: { cmd: "hey -z 1m -q 5 -c 2" } },
      ],
    });
    const sim = run(spec);
    expect(calls(sim, "after").map((c) => c.call.payload.phase)).toEqual(["Succeeded"]);
    const wanted = sim.steps.map((s) => s.result.effects.filter((e) => e.kind === "loadTest").length);
    expect(wanted.some((n) => n === 1)).toBe(true);
    expect(sim.world.loadTests).toEqual([]);
    const routed = sim.steps
      .flatMap((s) => s.result.effects)
      .find((e) => e.kind === "route" && e.headerRoutes.length > 0);
    expect(routed).toMatchObject({
      headerRoutes: [
        {
          name: "ramp-load-test",
          match: [{ headerName: "x-ramp-load-test", headerValue: { exact: "web-r2" } }],
        },
      ],
    });
  });
});

describe("Flagger and the commands", () => {
  it("abort stops the analysis; promoteFull skips it", () => {
    const spec = flagger({ stepWeight: 10 });
    const sim = run(spec, { until: (s) => s.canaryWeight === 20 });
    expect(sim.status.flagger?.phase).toBe("Progressing");
    const full = simulate({
      spec: { ...spec, version: "v2" },
      status: sim.status,
      world: sim.world,
      tickSeconds: 60,
      outcome: () => ok,
      command: (_: RolloutStatus, t: number) => (t === sim.world.tick ? { kind: "promoteFull" } : undefined),
      until: settled,
    });
    expect(entries(full.status, "Promoted")[0]?.message).toMatch(/full promotion/);
  });
});
