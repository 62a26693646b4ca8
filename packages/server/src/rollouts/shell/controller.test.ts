import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMetricProviderFactory } from "../../plugins/metrics/factory.js";
import { NoopMetricProvider } from "../../plugins/metrics/noop/index.js";
import { NoopPlatform } from "../../plugins/platforms/noop/noop-platform.js";
import { NoopRouter } from "../../plugins/traffic/noop/noop-router.js";
import { openStore } from "../../store/index.js";
import type { Store } from "../../store/store.js";
import { type ControllerDeps, RolloutController } from "./controller.js";

const template = (name: string) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name },
  spec: {
    metrics: [
      {
        name: "rate",
        interval: "1s",
        count: 2,
        successCondition: "result >= 0.95",
        provider: { builtin: { metric: "successRate", version: "canary", window: "1m" } },
      },
    ],
  },
});

const rollout = (version: string) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: { name: "payment" },
  spec: {
    replicas: 2,
    version,
    strategy: {
      canary: {
        steps: [
          { setWeight: 20 },
          { pause: { duration: "1s" } },
          { analysis: { templates: [{ templateName: "success-rate" }] } },
          { setWeight: 60 },
        ],
        trafficRouting: { proxy: { listen: "127.0.0.1:0" } },
        scaleDownDelaySeconds: 0,
        abortScaleDownDelaySeconds: 0,
      },
    },
    workload: {
      platform: "static",
      urls: { stable: ["http://127.0.0.1:1"], canary: ["http://127.0.0.1:2"] },
    },
  },
});

let dir: string;
let store: Store;
let controller: RolloutController;
let router: NoopRouter;
let platform: NoopPlatform;
let script: Record<string, number[]>;
let projectId: number;
const logs: string[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "ramp-rollouts-"));
  store = await openStore(join(dir, "ramp.db"));
  const project = await store.createProject("default", "Default", [
    { key: "production", name: "Production" },
  ]);
  projectId = project.id;
  router = new NoopRouter();
  platform = new NoopPlatform();
  script = { rate: [1] };
  controller = newController();
  controller.start();
});

/** A controller (a replica) of the test's project, on the test's store, platform and router. */
function newController(extra: Partial<ControllerDeps> = {}): RolloutController {
  return new RolloutController({
    store,
    projectId,
    platform: () => platform,
    router: () => router,
    metrics: () =>
      createMetricProviderFactory({
        // Read at each measurement, so a test can change what the canary "measures".
        providers: {
          builtin: new NoopMetricProvider({
            get rate() {
              return (script.rate ?? []).map((value) => ({ value }));
            },
          }),
        },
      }),
    log: (m) => logs.push(m),
    ...extra,
  });
}

afterEach(async () => {
  await controller.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const phaseIs = (phase: string, extra: (s: Record<string, unknown>) => boolean = () => true) =>
  until(async () => {
    const s = (await controller.get("payment"))?.status as unknown as Record<string, unknown> | undefined;
    return s !== undefined && s.phase === phase && extra(s) ? s : undefined;
  }, `phase ${phase}`);

describe("the rollout controller (noop platform and router, scripted analysis)", () => {
  it("deploys the first version as stable, then walks a new version through every step to promotion", async () => {
    await controller.apply([template("success-rate"), rollout("v1")], "test");
    await phaseIs("Healthy", (s) => s.stableVersion === "v1");
    await controller.apply([rollout("v2")], "test");
    const done = await phaseIs("Healthy", (s) => s.stableVersion === "v2");
    expect(done.canaryVersion).toBeNull();
    const weights = router.applied.map((a) => a.weight);
    expect(weights).toContain(20);
    expect(
      weights,
      JSON.stringify(router.applied.map((a) => [a.weight, a.canary?.version, a.canary?.targets.length])),
    ).toContain(60);
    expect(router.current()?.weight).toBe(0);
    expect(router.current()?.stable.version).toBe("v2");
    const history = (done.history as { event: string; stepIndex: number | null; revision: number }[]).filter(
      (h) => h.event === "StepStarted",
    );
    const steps = history.filter((h) => h.revision === (done.revision as number)).map((h) => h.stepIndex);
    expect(steps).toEqual([0, 1, 2, 3]);
  }, 30_000);

  it("aborts a version whose analysis fails: weight back to 0, Degraded; retry and promote --full work", async () => {
    await controller.apply([template("success-rate"), rollout("v1")], "test");
    await phaseIs("Healthy", (s) => s.stableVersion === "v1");
    script.rate = [0.5];
    await controller.apply([rollout("v2-bad")], "test");
    const degraded = await phaseIs("Degraded");
    expect(degraded.canaryWeight).toBe(0);
    expect(router.current()?.weight).toBe(0);
    expect(String(degraded.message)).toMatch(/abort/i);
    const answer = await controller.command("payment", { kind: "promote" }, "test");
    expect(answer?.refused?.code).toBe("ABORTED");
    script.rate = [1];
    expect((await controller.command("payment", { kind: "retry" }, "test"))?.refused).toBeUndefined();
    expect((await controller.command("payment", { kind: "promoteFull" }, "test"))?.refused).toBeUndefined();
    await phaseIs("Healthy", (s) => s.stableVersion === "v2-bad");
  }, 30_000);

  it("decides again at once while the status changes: a setWeight step does not wait for the next tick", async () => {
    const steps = [{ setWeight: 10 }, { setWeight: 20 }, { setWeight: 30 }, { setWeight: 40 }];
    const quick = (version: string) => {
      const r = rollout(version);
      return { ...r, spec: { ...r.spec, strategy: { canary: { ...r.spec.strategy.canary, steps } } } };
    };
    await controller.apply([quick("v1")], "test");
    await phaseIs("Healthy", (s) => s.stableVersion === "v1");
    const began = Date.now();
    await controller.apply([quick("v2")], "test");
    await phaseIs("Healthy", (s) => s.stableVersion === "v2");
    // Each step completes once its weight is routed; observed on the 1 s tick, five would take 5 s.
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(router.applied.map((a) => a.weight)).toEqual(expect.arrayContaining([10, 20, 30, 40, 100]));
  });

  it("runs a rollout created through a replica that does not hold the lease", async () => {
    await controller.stop();
    const [leader, standby] = [newController({ leaseTtlMs: 300 }), newController({ leaseTtlMs: 300 })];
    leader.start();
    await until(async () => (leader.leader ? true : undefined), "the first replica to lead");
    standby.start();
    try {
      await standby.apply([template("success-rate"), rollout("v1")], "test");
      await until(async () => {
        const s = (await standby.get("payment"))?.status;
        return s?.phase === "Healthy" && s.stableVersion === "v1" ? s : undefined;
      }, "v1 Healthy");
      expect([leader.leader, standby.leader]).toEqual([true, false]);
    } finally {
      await Promise.all([leader.stop(), standby.stop()]);
    }
  });

  it("rejects an apply that names a missing template, writing nothing", async () => {
    await expect(controller.apply([rollout("v1")], "test")).rejects.toThrow(/success-rate/);
    expect(await controller.get("payment")).toBeUndefined();
  });
});
