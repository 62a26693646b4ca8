import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, until } from "../../test/http-harness.js";
import { type Backend, sendBatch, startBackend } from "../../test/rollouts/traffic.js";
import { createMetricProviderFactory } from "../plugins/metrics/factory.js";
import { createPlatform } from "../plugins/platforms/factory.js";
import { NoopRouter } from "../plugins/traffic/noop/noop-router.js";
import { ProxyTrafficRouter } from "../plugins/traffic/proxy/proxy-router.js";
import { RolloutController } from "../rollouts/shell/controller.js";
import type { RolloutTraffic } from "../rollouts/shell/traffic.js";
import { TrafficHistory } from "./traffic-history.js";

const nan = { p50: Number.NaN, p90: Number.NaN, p95: Number.NaN, p99: Number.NaN };

describe("TrafficHistory (a scripted router, an injected clock)", () => {
  it("keeps one point per version per step for the retention, rates over the router's own period", async () => {
    let now = 1_000_000_000;
    let running = ["payment"];
    let reply: RolloutTraffic | undefined;
    const asked: number[] = [];
    const history = new TrafficHistory(
      {
        running: () => running,
        traffic: async (_name, sinceMs) => {
          asked.push(sinceMs);
          return reply;
        },
      },
      { stepMs: 2_000, keepSeconds: 10, now: () => now },
    );
    const window = (requests: number, errors5xx: number, p99: number, fromMs: number) => ({
      requests,
      errors5xx,
      successRate: requests === 0 ? Number.NaN : 1 - errors5xx / requests,
      latency: requests === 0 ? nan : { ...nan, p99 },
      fromMs,
    });
    reply = {
      url: "http://proxy",
      versions: [
        // The router counted 4 s (its windows start before the asked 2 s).
        { role: "stable", version: "v1", window: window(400, 4, 12.5, now - 4_000) },
        { role: "canary", version: "v2", window: window(0, 0, 0, now - 2_000) },
      ],
    };
    await history.sample();
    expect(asked).toEqual([now - 2_000]);
    const first = history.series("payment", 300);
    expect(first).toEqual({
      name: "payment",
      measured: true,
      stepSeconds: 2,
      versions: [
        {
          role: "stable",
          version: "v1",
          points: [{ t: 1_000_000, requestsPerSecond: 100, errorRate: 0.01, p99Ms: 12.5 }],
        },
        {
          role: "canary",
          version: "v2",
          points: [{ t: 1_000_000, requestsPerSecond: 0, errorRate: null, p99Ms: null }],
        },
      ],
    });
    // v2 promoted: it keeps its history under its new role, listed first.
    for (let i = 1; i <= 6; i++) {
      now += 2_000;
      reply = {
        url: "http://proxy",
        versions: [{ role: "stable", version: "v2", window: window(20, 0, 5, now - 2_000) }],
      };
      await history.sample();
    }
    const later = history.series("payment", 300);
    expect(later.versions.map((v) => [v.role, v.version])).toEqual([["stable", "v2"]]);
    // 10 s kept: the samples at +4 … +12 s; v1's single point and v2's first ones aged out.
    expect(later.versions[0]?.points.map((p) => p.t - 1_000_000)).toEqual([4, 6, 8, 10, 12]);
    expect(history.series("payment", 4).versions[0]?.points.map((p) => p.t - 1_000_000)).toEqual([10, 12]);

    // A router that measures nothing, then a rollout this replica stops running.
    reply = undefined;
    await history.sample();
    expect(history.series("payment", 300)).toMatchObject({ measured: false, versions: [] });
    running = [];
    await history.sample();
    expect(history.series("payment", 300).measured).toBe(false);
    expect(history.series("other", 300)).toEqual({
      name: "other",
      measured: false,
      stepSeconds: 2,
      versions: [],
    });
  });
});

describe("GET /api/v1/rollouts/:name/traffic/series (a real built-in proxy)", () => {
  let h: Harness;
  let controller: RolloutController;
  let backend: Backend;
  const platform = createPlatform({ type: "static" });

  beforeAll(async () => {
    backend = await startBackend("v1");
    h = await startHarness({
      app: { trafficSeries: { stepMs: 250 } },
      deps: (deps) => {
        controller = new RolloutController({
          store: deps.store,
          projectId: 1,
          platform: () => platform,
          router: (spec) => {
            const r = spec.strategy.router;
            return r?.kind === "proxy"
              ? new ProxyTrafficRouter({ service: spec.name, spec: r })
              : new NoopRouter();
          },
          metrics: () => createMetricProviderFactory({}),
          log: () => undefined,
        });
        return { ...deps, rollouts: controller };
      },
    });
    controller.start();
  });
  afterAll(async () => {
    await controller?.stop();
    await platform.close();
    await h?.close();
    await backend?.close();
  });

  const api = (url: string, body?: object) =>
    h.app.inject({
      method: body === undefined ? "GET" : "POST",
      url,
      headers: { authorization: `Bearer ${h.tokens.admin}` },
      ...(body !== undefined && { payload: body }),
    });

  it("plots requests per second, error rate and p99 of the traffic the proxy carried", async () => {
    const applied = await api("/api/v1/rollouts", {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name: "payment" },
      spec: {
        replicas: 1,
        version: "v1",
        strategy: {
          canary: { steps: [{ setWeight: 50 }], trafficRouting: { proxy: { listen: "127.0.0.1:0" } } },
        },
        workload: { platform: "static", urls: { stable: [backend.url], canary: [backend.url] } },
      },
    });
    expect(applied.statusCode, applied.body).toBe(200);
    const proxy = await until(
      async () => {
        const t = (await api("/api/v1/rollouts/payment/traffic")).json() as { proxy: string | null };
        return t.proxy ?? undefined;
      },
      "the proxy to listen",
      15_000,
    );
    const sent = await sendBatch(proxy, "series", 60, () => ({}));
    expect(sent.every((s) => s.status === 200)).toBe(true);
    const series = await until(
      async () => {
        const r = (await api("/api/v1/rollouts/payment/traffic/series?seconds=60")).json() as {
          measured: boolean;
          stepSeconds: number;
          versions: {
            role: string;
            version: string;
            points: {
              t: number;
              requestsPerSecond: number;
              errorRate: number | null;
              p99Ms: number | null;
            }[];
          }[];
        };
        return r.versions[0]?.points.some((p) => p.requestsPerSecond > 0) ? r : undefined;
      },
      "a point with traffic",
      10_000,
    );
    expect(series.measured).toBe(true);
    expect(series.stepSeconds).toBe(0.25);
    expect(series.versions.map((v) => [v.role, v.version])).toEqual([["stable", "v1"]]);
    const busy = series.versions[0]?.points.find((p) => p.requestsPerSecond > 0);
    expect(busy?.errorRate).toBe(0);
    expect(busy?.p99Ms).toEqual(expect.any(Number));
    const now = Math.floor(Date.now() / 1000);
    expect(busy?.t).toBeGreaterThan(now - 60);
    expect(backend.received()).toBeGreaterThanOrEqual(60);
    expect((await api("/api/v1/rollouts/nope/traffic/series")).statusCode).toBe(404);
    expect((await api("/api/v1/rollouts/payment/traffic/series?seconds=301")).statusCode).toBe(400);
  });
});
