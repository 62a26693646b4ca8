import { describe, expect, it } from "vitest";
import { trafficReport } from "../../http/routes/rollouts.js";
import type { VersionWindow, VersionWindowQuery } from "../../plugins/metrics/builtin/index.js";
import type { RouteState, TrafficRouter } from "../../plugins/traffic/router.js";
import { combineWindows, readTraffic } from "./traffic.js";

const nan = { p50: Number.NaN, p90: Number.NaN, p95: Number.NaN, p99: Number.NaN };
const w = (requests: number, errors5xx: number, p99: number, fromMs?: number): VersionWindow => ({
  requests,
  errors5xx,
  successRate: requests === 0 ? Number.NaN : (requests - errors5xx) / requests,
  latency: requests === 0 ? nan : { p50: p99 / 2, p90: p99, p95: p99, p99 },
  ...(fromMs !== undefined && { fromMs }),
});

/** A router whose metrics answer from a table keyed by role and version. */
function router(
  state: RouteState | undefined,
  table: Record<string, VersionWindow>,
): TrafficRouter & { asked: VersionWindowQuery[] } {
  const asked: VersionWindowQuery[] = [];
  return {
    type: "fake",
    url: "http://127.0.0.1:9",
    asked,
    apply: async () => {},
    current: () => state,
    close: async () => {},
    metrics: {
      window: (q) => {
        asked.push(q);
        return table[`${q.version}/${q.revision}`] ?? w(0, 0, 0);
      },
    },
  };
}

const state: RouteState = {
  stable: { version: "v2", targets: ["http://a"] },
  canary: { version: "v3", targets: ["http://b"] },
  weight: 10,
  headerRoutes: [],
  mirrorRoutes: [],
};

describe("readTraffic", () => {
  it("reports each routed version, whichever role it held in the window", async () => {
    const r = router(state, {
      "stable/v2": w(300, 0, 20, 1_000),
      "canary/v2": w(100, 0, 30, 2_000),
      "canary/v3": w(40, 4, 25, 3_000),
    });
    const t = await readTraffic(r, 5_000);
    expect(t?.url).toBe("http://127.0.0.1:9");
    expect(
      t?.versions.map((v) => [
        v.role,
        v.version,
        v.window.requests,
        v.window.errors5xx,
        v.window.latency.p99,
      ]),
    ).toEqual([
      ["stable", "v2", 400, 0, 20],
      ["canary", "v3", 40, 4, 25],
    ]);
    expect(t?.versions[0]?.window.fromMs).toBe(1_000);
    expect(r.asked.every((q) => q.sinceMs === 5_000 && q.revision !== undefined)).toBe(true);
  });

  it("nothing before the router routes, or when it measures nothing", async () => {
    expect(await readTraffic(router(undefined, {}), 0)).toBeUndefined();
    expect(await readTraffic({ ...router(state, {}), metrics: undefined }, 0)).toBeUndefined();
  });

  it("combineWindows: no requests, no rates", () => {
    const c = combineWindows([w(0, 0, 0), w(0, 0, 0)]);
    expect(c.requests).toBe(0);
    expect(c.successRate).toBeNaN();
  });
});

describe("trafficReport", () => {
  it("rates per second over the period counted (the window, or more when the router rounded it)", () => {
    const now = 100_000;
    const t = {
      url: "http://127.0.0.1:9",
      previewUrl: "http://127.0.0.1:10",
      versions: [{ role: "stable" as const, version: "v2", window: w(600, 6, 31.5, 88_000) }],
    };
    expect(trafficReport("demo", t, 10, now)).toEqual({
      name: "demo",
      measured: true,
      proxy: "http://127.0.0.1:9",
      preview: "http://127.0.0.1:10",
      windowSeconds: 10,
      versions: [
        {
          role: "stable",
          version: "v2",
          requests: 600,
          errors5xx: 6,
          periodSeconds: 12,
          requestsPerSecond: 50,
          errorRate: 0.01,
          p50Ms: 15.75,
          p99Ms: 31.5,
        },
      ],
    });
  });

  it("null rates without requests; not measured without a router here", () => {
    const idle = {
      url: undefined,
      versions: [{ role: "canary" as const, version: "v3", window: w(0, 0, 0) }],
    };
    expect(trafficReport("demo", idle, 10, 0).versions[0]).toMatchObject({
      requestsPerSecond: 0,
      errorRate: null,
      p99Ms: null,
    });
    expect(trafficReport("demo", undefined, 10, 0)).toEqual({
      name: "demo",
      measured: false,
      proxy: null,
      preview: null,
      windowSeconds: 10,
      versions: [],
    });
  });
});
