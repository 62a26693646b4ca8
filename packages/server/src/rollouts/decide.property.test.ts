/**
 * The crash property: a controller that dies after persisting a decision and before applying its
 * effects, then restarts from the persisted status, ends exactly where one that never crashed ends,
 * and no step is ever entered twice or skipped.
 */
import { murmur3 } from "@ramp/engine";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WebhookCall, WebhookOutcome } from "./decide.js";
import { specOf } from "./fixtures.shared-test.js";
import type { RolloutSpec } from "./rollout.js";
import { type RunInfo, type RunOutcome, type SimulationResult, simulate } from "./simulator.shared-test.js";
import type { RolloutStatus } from "./status.js";

const NUM_RUNS = 150;

const step = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((setWeight) => ({ setWeight })),
  fc.constantFrom(null, 0, 30, 60, 600).map((d) => ({ pause: d === null ? {} : { duration: d } })),
  fc.constant({ analysis: { templates: [{ templateName: "t" }] } }),
  fc
    .oneof(
      fc.integer({ min: 0, max: 5 }).map((replicas) => ({ replicas })),
      fc.integer({ min: 0, max: 100 }).map((weight) => ({ weight })),
      fc.constant({ matchTrafficWeight: true }),
    )
    .map((setCanaryScale) => ({ setCanaryScale })),
  fc.boolean().map((on) => ({
    setHeaderRoute: on
      ? { name: "h", match: [{ headerName: "x-canary", headerValue: { exact: "1" } }] }
      : { name: "h" },
  })),
  fc.boolean().map((on) => ({
    setMirrorRoute: on
      ? { name: "m", percentage: 20, match: [{ headers: { "x-mirror": { prefix: "" } } }] }
      : { name: "m" },
  })),
);

const canaryRollout = fc
  .record({
    steps: fc.array(step, { maxLength: 8 }),
    replicas: fc.integer({ min: 1, max: 5 }),
    background: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    scaleDownDelaySeconds: fc.constantFrom(0, 30, 90),
    abortScaleDownDelaySeconds: fc.constantFrom(0, 30),
  })
  .map(({ steps, replicas, background, ...delays }) =>
    specOf({
      replicas,
      version: "v1",
      strategy: {
        canary: {
          steps,
          trafficRouting: { proxy: { listen: "127.0.0.1:8080" } },
          ...delays,
          ...(background !== undefined && {
            analysis: {
              templates: [{ templateName: "bg" }],
              startingStep: Math.min(background, steps.length),
            },
          }),
        },
      },
    }),
  );

const analysis = { templates: [{ templateName: "t" }] };
const blueGreenRollout = fc
  .record({
    pre: fc.boolean(),
    post: fc.boolean(),
    autoPromotionEnabled: fc.boolean(),
    autoPromotionSeconds: fc.constantFrom(0, 30, 90),
    previewReplicaCount: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    replicas: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ pre, post, replicas, previewReplicaCount, ...rest }) =>
    specOf({
      replicas,
      version: "v1",
      strategy: {
        blueGreen: {
          activeService: "active",
          ...rest,
          ...(previewReplicaCount !== undefined && { previewReplicaCount }),
          ...(pre && { prePromotionAnalysis: analysis }),
          ...(post && { postPromotionAnalysis: analysis }),
        },
      },
    }),
  );

const hook = (name: string, type: string) => ({ name, type, url: `http://hooks.test/${name}` });
/** Flagger-shaped analyses: every mode, every webhook type, a threshold from 1 to 4. */
const flaggerRollout = fc
  .record({
    mode: fc.constantFrom("stepWeight", "stepWeights", "blueGreen", "abTesting"),
    stepWeight: fc.integer({ min: 5, max: 60 }),
    maxWeight: fc.option(fc.integer({ min: 10, max: 100 }), { nil: undefined }),
    stepWeightPromotion: fc.constantFrom(0, 0, 25, 40),
    iterations: fc.integer({ min: 1, max: 4 }),
    mirror: fc.boolean(),
    threshold: fc.integer({ min: 1, max: 4 }),
    interval: fc.constantFrom(30, 60, 90),
    hooks: fc.subarray([
      "confirm-rollout",
      "pre-rollout",
      "rollout",
      "confirm-traffic-increase",
      "confirm-promotion",
      "rollback",
      "post-rollout",
      "event",
    ]),
    replicas: fc.integer({ min: 1, max: 3 }),
  })
  .map((r) =>
    specOf({
      replicas: r.replicas,
      version: "v1",
      strategy: {
        canary: { trafficRouting: { proxy: { listen: "127.0.0.1:8080" } }, scaleDownDelaySeconds: 30 },
      },
      analysis: {
        interval: r.interval,
        threshold: r.threshold,
        ...(r.mode === "stepWeight" && {
          stepWeight: r.stepWeight,
          mirror: r.mirror,
          ...(r.maxWeight !== undefined && { maxWeight: r.maxWeight }),
        }),
        ...(r.mode === "stepWeights" && { stepWeights: [r.stepWeight, r.stepWeight + 20] }),
        ...(r.mode === "blueGreen" && { iterations: r.iterations, mirror: r.mirror }),
        ...(r.mode === "abTesting" && {
          iterations: r.iterations,
          match: [{ headers: { "x-canary": { exact: "1" } } }],
        }),
        ...(r.mode !== "blueGreen" &&
          r.stepWeightPromotion > 0 && { stepWeightPromotion: r.stepWeightPromotion }),
        metrics: [{ name: "request-success-rate", thresholdRange: { min: 99 } }],
        webhooks: r.hooks.map((type) => hook(type.replace(/-/g, ""), type)),
      },
    }),
  );

const rollout = fc.oneof(
  { weight: 3, arbitrary: canaryRollout },
  { weight: 1, arbitrary: blueGreenRollout },
  { weight: 2, arbitrary: flaggerRollout },
);

/**
 * Each webhook's answer, fixed by the seed and the call id: gates say no now and then but yes from
 * the 8th interval on (so every rollout ends), rollback webhooks rarely ask for a rollback.
 */
function webhookAnswers(seed: number) {
  return (call: WebhookCall): WebhookOutcome => {
    const h = murmur3(`${seed}:${call.id}`);
    const interval = Number(/-i(\d+)-/.exec(call.id)?.[1] ?? 0);
    const passed = call.webhook.type === "rollback" ? h % 11 === 0 : interval >= 8 || h % 3 !== 0;
    return { passed, message: passed ? "HTTP 200" : "HTTP 403" };
  };
}

/**
 * Each run's fate, fixed by the seed and its id. A repeated attempt succeeds, so every rollout ends.
 * With `steadyBackground`, a background run never ends: its end would land at a different step when
 * the controller was down for a while, which is correct but not the same history.
 */
function outcomes(seed: number, steadyBackground: boolean) {
  const fates: RunOutcome[] = [
    { phase: "Successful", afterTicks: 1 },
    { phase: "Successful", afterTicks: 3 },
    { phase: "Successful", afterTicks: 2 },
    { phase: "Failed", afterTicks: 2 },
    { phase: "Inconclusive", afterTicks: 1 },
    { phase: "Error", afterTicks: 1 },
    "forever",
  ];
  return (run: RunInfo): RunOutcome => {
    if (run.attempt > 1) return { phase: "Successful", afterTicks: 1 };
    const h = murmur3(`${seed}:${run.id}`);
    if (run.kind === "background") {
      if (steadyBackground) return "forever";
      return fates[h % fates.length] ?? "forever";
    }
    return fates[h % (fates.length - 1)] ?? { phase: "Successful", afterTicks: 1 };
  };
}

const promoteWhenStuck = (s: RolloutStatus) =>
  s.phase === "Paused" && s.pauseConditions.some((p) => p.until === null)
    ? ({ kind: "promote" } as const)
    : undefined;

/** v1 healthy, then the spec asks for v2; `crashes` are tick offsets from that moment. */
function run(
  spec: RolloutSpec,
  seed: number,
  crashes: readonly number[],
  restartAfterTicks: number,
  steadyBackground: boolean,
): SimulationResult {
  const base = simulate({ spec });
  const start = base.world.tick;
  const crashAt = new Set(crashes.map((c) => start + c));
  return simulate({
    spec: { ...spec, version: "v2" },
    status: base.status,
    world: base.world,
    outcome: outcomes(seed, steadyBackground),
    webhook: webhookAnswers(seed),
    command: promoteWhenStuck,
    crashAt: (tick) => crashAt.has(tick),
    restartAfterTicks,
    maxTicks: 400,
  });
}

/** Each revision enters its steps 0, 1, 2… once each, in order; history seq counts 1, 2, 3… */
function expectStepsEnteredOnceInOrder(status: RolloutStatus): void {
  const entered = new Map<number, number[]>();
  for (const h of status.history) {
    if (h.event !== "StepStarted") continue;
    entered.set(h.revision, [...(entered.get(h.revision) ?? []), h.stepIndex ?? -1]);
  }
  for (const indexes of entered.values()) expect(indexes).toEqual(indexes.map((_, i) => i));
  expect(status.history.map((h) => h.seq)).toEqual(status.history.map((_, i) => i + 1));
}

/** The status without its clock readings. */
function timeless(status: RolloutStatus) {
  return {
    ...status,
    message: status.phase,
    abortedAt: status.abortedAt === null ? null : "t",
    pauseConditions: status.pauseConditions.map((p) => p.reason),
    analysisRuns: status.analysisRuns.map((r) => ({ ...r, startedAt: "t" })),
    teardowns: status.teardowns.map((t) => t.version),
    history: status.history.map(({ at: _at, ...rest }) => rest),
    ...(status.flagger !== undefined && {
      flagger: {
        ...status.flagger,
        intervalStartedAt: "t",
        nextAt: status.flagger.nextAt === null ? null : "t",
      },
    }),
  };
}

describe("crashes between persisting a decision and applying its effects", () => {
  it("a restart at once ends exactly where the uninterrupted run ends", () => {
    fc.assert(
      fc.property(
        rollout,
        fc.integer(),
        fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { maxLength: 12 }),
        (spec, seed, crashes) => {
          const clean = run(spec, seed, [], 0, false);
          const crashed = run(spec, seed, crashes, 0, false);
          expect(clean.status.phase === "Healthy" || clean.status.phase === "Degraded").toBe(true);
          expect(crashed.status).toEqual(clean.status);
          expectStepsEnteredOnceInOrder(crashed.status);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("after downtime the same transitions happen, later, and no step is entered twice or skipped", () => {
    fc.assert(
      fc.property(
        rollout,
        fc.integer(),
        fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 5 }),
        (spec, seed, crashes, downTicks) => {
          const clean = run(spec, seed, [], 0, true);
          const crashed = run(spec, seed, crashes, downTicks, true);
          expect(crashed.status.phase === "Healthy" || crashed.status.phase === "Degraded").toBe(true);
          expect(timeless(crashed.status)).toEqual(timeless(clean.status));
          expectStepsEnteredOnceInOrder(crashed.status);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("deciding again from a persisted status at the same instant changes nothing", () => {
    fc.assert(
      fc.property(rollout, fc.integer(), fc.integer({ min: 0, max: 60 }), (spec, seed, at) => {
        const sim = run(spec, seed, [], 0, false);
        const decision = sim.steps[Math.min(at, sim.steps.length - 1)];
        if (decision === undefined) return;
        const persisted = JSON.parse(JSON.stringify(decision.result.status)) as RolloutStatus;
        // The same observations that produced it: nothing new was seen, nothing may happen.
        const again = simulate({
          spec: { ...spec, version: "v2" },
          status: persisted,
          maxTicks: 1,
          start: new Date(decision.at),
        });
        const first = again.steps[0]?.result.status;
        expect(first?.history).toEqual(persisted.history.slice(0, first?.history.length));
        expect(first?.revision).toBe(persisted.revision);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
