/**
 * The setting of the nginx and HAProxy rollout suites: Ramp's server in this process, two upstreams
 * you "run yourself" (the static platform) that count what they receive, and a real data plane the
 * rollout steers. At every step the split the upstreams counted is checked against the step's weight.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import {
  failures,
  sendRequests,
  startUpstream,
  type Upstream,
  withinBinomial,
} from "../../src/plugins/traffic/data-planes.shared-test.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { ADMIN_TOKEN, isHealthyAt, RolloutsApi, waitUntil } from "./rollouts-api.js";
import { TrafficGenerator } from "./traffic.js";

export const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];

export interface RouterRollout {
  readonly api: RolloutsApi;
  readonly v1: Upstream;
  readonly v2: Upstream;
  close(): Promise<void>;
}

export async function startRolloutServer(): Promise<RouterRollout> {
  const dir = mkdtempSync(join(tmpdir(), "ramp-router-rollout-"));
  const server: RunningServer = await startServer({
    port: 0,
    data: dir,
    database: join(dir, "ramp.db"),
    adminToken: ADMIN_TOKEN,
    log: () => undefined,
  });
  const [v1, v2] = await Promise.all([startUpstream("v1"), startUpstream("v2")]);
  return {
    api: new RolloutsApi(server.url),
    v1,
    v2,
    close: async () => {
      await server.close();
      await Promise.all([v1.close(), v2.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A canary Rollout of `version` over the two upstreams, routed by `trafficRouting`. */
export function rollout(
  name: string,
  version: string,
  trafficRouting: Record<string, unknown>,
  upstreams: readonly Upstream[],
) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: {
      replicas: 1,
      version,
      strategy: { canary: { steps: STEPS, scaleDownDelaySeconds: 0, trafficRouting } },
      workload: {
        platform: "static",
        readiness: { path: "/healthz", intervalMs: 20 },
        versions: Object.fromEntries(upstreams.map((u) => [u.name, { urls: [u.url] }])),
      },
    },
  };
}

/**
 * Sends `n` requests through the data plane and checks the share the canary's upstream counted
 * (its own count) against `weight` within 4 binomial standard deviations (exactly, at 0 and 100).
 */
export async function expectSplit(r: RouterRollout, url: string, weight: number, n = 1_000): Promise<void> {
  const before = [r.v1.received(), r.v2.received()];
  const sent = await sendRequests(url, n);
  const stable = r.v1.received() - (before[0] ?? 0);
  const canary = r.v2.received() - (before[1] ?? 0);
  expect(failures(sent.answers), "failed requests").toEqual({});
  expect(stable + canary).toBe(n);
  if (weight === 0 || weight === 100) expect(canary).toBe((n * weight) / 100);
  else expect(withinBinomial(canary, n, weight / 100), `${weight}%: v2 got ${canary} of ${n}`).toBe(true);
}

/** Walks v1 → v2 through STEPS, checking the split at every step; `settled` waits for the data plane. */
export async function walkRollout(
  r: RouterRollout,
  name: string,
  routing: Record<string, unknown>,
  url: string,
  settled: () => Promise<void>,
): Promise<number[]> {
  const shares: number[] = [];
  const doc = (v: string) => rollout(name, v, routing, [r.v1, r.v2]);
  await r.api.apply([doc("v1")]);
  await r.api.waitFor(name, "v1 Healthy", isHealthyAt("v1"));
  await settled();
  await expectSplit(r, url, 0, 300);
  shares.push(0);

  await r.api.apply([doc("v2")]);
  const pausedAt = (stepIndex: number) =>
    r.api.waitFor(
      name,
      `paused at step ${stepIndex}`,
      (s) => s.phase === "Paused" && s.stepIndex === stepIndex,
    );
  for (const [stepIndex, weight] of [
    [1, 20],
    [3, 50],
  ] as const) {
    if (stepIndex === 3) expect((await r.api.command(name, "promote")).status).toBe(200);
    const status = await pausedAt(stepIndex);
    expect(status.canaryWeight).toBe(weight);
    await settled();
    await expectSplit(r, url, weight);
    shares.push(weight);
  }
  expect((await r.api.command(name, "promote")).status).toBe(200);
  await r.api.waitFor(name, "v2 promoted", isHealthyAt("v2"));
  // Healthy is recorded before the router is told; wait until the data plane routes it.
  await waitUntil(async () => {
    const probe = await sendRequests(url, 20);
    return probe.answers.get("v2") === 20 ? true : undefined;
  }, "the data plane to route v2 only");
  await settled();
  await expectSplit(r, url, 100, 300);
  shares.push(100);
  return shares;
}

const CANARY_SUCCESS = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "canary-success" },
  spec: {
    metrics: [
      {
        name: "success-rate",
        interval: "1s",
        count: 2,
        failureLimit: 0,
        successCondition: "result >= 0.95",
        provider: { builtin: { metric: "successRate", version: "canary", window: "2s", minRequests: 5 } },
      },
    ],
  },
};

/**
 * The builtin provider behind a router's own metrics: v1 → a canary that fails every second request,
 * under steady traffic. The analysis must fail on the success rate the data plane counted and the
 * abort must send everything back to v1.
 */
export async function abortsOnAnalysis(
  r: RouterRollout,
  name: string,
  routing: Record<string, unknown>,
  url: string,
  settled: () => Promise<void> = async () => undefined,
): Promise<void> {
  const bad = await startUpstream("v3-bad", 2);
  const load = new TrafficGenerator({ url, prefix: name, intervalMs: 10, maxRequests: 3_000 });
  try {
    const steps = [
      { setWeight: 40 },
      { analysis: { templates: [{ templateName: CANARY_SUCCESS.metadata.name }] } },
      { setWeight: 80 },
    ];
    const doc = (version: string) => {
      const d = rollout(name, version, routing, [r.v1, bad]);
      return { ...d, spec: { ...d.spec, strategy: { canary: { ...d.spec.strategy.canary, steps } } } };
    };
    await r.api.apply([CANARY_SUCCESS, doc("v1")]);
    await r.api.waitFor(name, "v1 Healthy", isHealthyAt("v1"));
    await r.api.apply([doc("v3-bad")]);
    const aborted = await r.api.waitFor(name, "Degraded", (s) => s.phase === "Degraded");
    expect(aborted).toMatchObject({ aborted: true, stableVersion: "v1", canaryWeight: 0 });
    const [run] = await r.api.analysisRuns(name, 2);
    expect(run?.status.phase).toBe("Failed");
    // The success rate the data plane counted: every second request failed (a window of at least 5
    // requests, so between 0.3 and 0.7 whatever the phase of the alternation).
    const measured = run?.status.metricResults[0]?.measurements ?? [];
    const values = measured.flatMap((m) => (m.value === undefined ? [] : [Number(m.value)]));
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(0.3);
      expect(v).toBeLessThanOrEqual(0.7);
    }
    await load.stop();
    await waitUntil(async () => {
      const probe = await sendRequests(url, 20);
      return probe.answers.get("v1") === 20 ? true : undefined;
    }, "the data plane to route v1 only");
    await settled();
    const before = bad.received();
    await expectSplit(r, url, 0, 200);
    expect(bad.received()).toBe(before);
  } finally {
    await load.stop();
    await bad.close();
  }
}
