/**
 * The setting of the nginx and HAProxy rollout suites: Ramp's server in this process, two upstreams
 * you "run yourself" (the static platform) that count what they receive, and a real data plane the
 * rollout steers. At every step the split the upstreams counted is checked against the step's weight.
 */
import { afterAll, beforeAll, expect } from "vitest";
import {
  failures,
  sendRequests,
  startUpstream,
  type Upstream,
  withinBinomial,
} from "../../src/plugins/traffic/data-planes.shared-test.js";
import { canaryRollout, staticWorkload, successRate } from "./rollout-docs.js";
import { startRampServer } from "./rollout-server.js";
import { isHealthyAt, type RolloutsApi, waitUntil } from "./rollouts-api.js";
import { TrafficGenerator } from "./traffic.js";

export const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];

export interface RouterRollout {
  readonly api: RolloutsApi;
  readonly v1: Upstream;
  readonly v2: Upstream;
  close(): Promise<void>;
}

async function startRolloutServer(): Promise<RouterRollout> {
  const ramp = await startRampServer("ramp-router-rollout-");
  const [v1, v2] = await Promise.all([startUpstream("v1"), startUpstream("v2")]);
  return {
    api: ramp.api,
    v1,
    v2,
    close: async () => {
      await ramp.close();
      await Promise.all([v1.close(), v2.close()]);
    },
  };
}

/**
 * Registers the hooks that start the server, its two upstreams and a data plane (`startDataPlane`)
 * once for the file, and stop them after it; read the fields inside tests.
 */
export function useRouterRollout<P extends { stop(): Promise<void> }>(
  startDataPlane: () => Promise<P>,
): { readonly r: RouterRollout; readonly plane: P } {
  let r: RouterRollout | undefined;
  let plane: P | undefined;
  beforeAll(async () => {
    const [server, dataPlane] = await Promise.allSettled([startRolloutServer(), startDataPlane()]);
    // Whatever started is stopped by afterAll, even when the other failed.
    if (server.status === "fulfilled") r = server.value;
    if (dataPlane.status === "fulfilled") plane = dataPlane.value;
    if (server.status === "rejected") throw server.reason;
    if (dataPlane.status === "rejected") throw dataPlane.reason;
  });
  afterAll(async () => {
    await r?.close();
    await plane?.stop();
  });
  return {
    get r() {
      if (r === undefined) throw new Error("no server: use it inside a test");
      return r;
    },
    get plane() {
      if (plane === undefined) throw new Error("no data plane: use it inside a test");
      return plane;
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
  return canaryRollout(
    name,
    version,
    { steps: STEPS, scaleDownDelaySeconds: 0, trafficRouting },
    staticWorkload(upstreams.map((u) => ({ version: u.name, url: u.url }))),
  );
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

const CANARY_SUCCESS = successRate("canary-success", "canary");

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
