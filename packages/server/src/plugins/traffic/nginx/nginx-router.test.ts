import { readFileSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NginxRouterSpec } from "../../../rollouts/rollout.js";
import {
  generationIn,
  type NginxProcess,
  nginxServes,
  sendRequests,
  startNginx,
  startUpstream,
  type Upstream,
} from "../data-planes.shared-test.js";
import type { RouteState } from "../router.js";
import { routerSuite } from "../router.shared-test.js";
import { NginxTrafficRouter } from "./nginx-router.js";
import { matchPattern, nginxNames, renderNginxConfig, weightedServers } from "./render.js";

const spec = (n: NginxProcess): NginxRouterSpec => ({
  kind: "nginx",
  configFile: n.configFile,
  upstream: n.upstream,
  reload: n.reload,
  test: n.test,
  accessLog: n.accessLog,
});

routerSuite("nginx", {
  async start() {
    const n = await startNginx();
    const router = new NginxTrafficRouter({ service: "web", spec: spec(n) });
    return {
      router,
      url: () => n.url,
      settled: () => nginxServes(n, router.generation),
      changes: () => router.reloads,
      stop: async () => {
        await router.close();
        await n.stop();
      },
    };
  },
});

const state = (stable: string[], canary: string[] | null, weight: number): RouteState => ({
  stable: { version: "v1", targets: stable },
  canary: canary === null ? null : { version: "v2", targets: canary },
  weight,
  headerRoutes: [],
  mirrorRoutes: [],
});

describe("nginx rendering", () => {
  it("renders weights in thousandths, reduced, spread over each version's targets", () => {
    const a = "http://127.0.0.1:1";
    const b = "http://127.0.0.1:2";
    const c = "http://127.0.0.1:3";
    expect(weightedServers(state([a], [b], 20))).toEqual([
      { address: "127.0.0.1:1", weight: 4 },
      { address: "127.0.0.1:2", weight: 1 },
    ]);
    expect(weightedServers(state([a], [b], 0.1))).toEqual([
      { address: "127.0.0.1:1", weight: 999 },
      { address: "127.0.0.1:2", weight: 1 },
    ]);
    // Two stable targets share 75%, one canary has 25%: 37.5 / 37.5 / 25.
    expect(weightedServers(state([a, c], [b], 25))).toEqual([
      { address: "127.0.0.1:1", weight: 3 },
      { address: "127.0.0.1:3", weight: 3 },
      { address: "127.0.0.1:2", weight: 2 },
    ]);
    expect(weightedServers(state([a], [b], 0))).toEqual([{ address: "127.0.0.1:1", weight: 1 }]);
    expect(weightedServers(state([a], null, 40))).toEqual([{ address: "127.0.0.1:1", weight: 1 }]);
    expect(weightedServers(state([a], [b], 100))).toEqual([{ address: "127.0.0.1:2", weight: 1 }]);
    expect(() => weightedServers(state(["https://x:1"], null, 0))).toThrow(/must be http/);
  });

  it("anchors matches as Argo means them and escapes literals for PCRE", () => {
    expect(matchPattern({ exact: "a.b" })).toBe("^a\\.b$");
    expect(matchPattern({ prefix: "qa-(1)" })).toBe("^qa\\-\\(1\\)");
    expect(matchPattern({ regex: "a|b" })).toBe("^(?:a|b)$");
  });

  it("renders header routes as chained maps, and the same state as the same text", () => {
    const s: RouteState = {
      ...state(["http://127.0.0.1:1"], ["http://127.0.0.1:2"], 10),
      headerRoutes: [
        { name: "r", match: [{ headerName: "X-A", headerValue: { exact: 'say "hi" \\o/' } }] },
        { name: "s", match: [{ headerName: "x-b", headerValue: { prefix: "p" } }] },
      ],
    };
    const names = nginxNames("my.app");
    const { text, generation } = renderNginxConfig(s, names, "my-app");
    expect(text).toContain("map $http_x_a $ramp_my_app_upstream_1 {\n    default my.app;");
    expect(text).toContain('    "~^say \\"hi\\" \\\\\\\\o\\\\/$" my.app_canary;');
    expect(text).toContain("map $http_x_b $ramp_my_app_upstream {\n    default $ramp_my_app_upstream_1;");
    expect(renderNginxConfig(s, names, "my-app")).toEqual({ text, generation });
    expect(renderNginxConfig({ ...s, weight: 11 }, names, "my-app").generation).not.toBe(generation);
  });
});

describe("nginx router against real nginx", () => {
  let n: NginxProcess;
  let v1: Upstream;
  let v2: Upstream;
  let router: NginxTrafficRouter;
  beforeAll(async () => {
    [n, v1, v2] = await Promise.all([startNginx("shop"), startUpstream("v1"), startUpstream("v2")]);
    router = new NginxTrafficRouter({ service: "shop", spec: spec(n) });
  });
  afterAll(async () => {
    await router?.close();
    await Promise.all([n?.stop(), v1?.close(), v2?.close()]);
  });
  const at = (weight: number): RouteState => ({
    stable: { version: "v1", targets: [v1.url] },
    canary: { version: "v2", targets: [v2.url] },
    weight,
    headerRoutes: [],
    mirrorRoutes: [],
  });

  it("keeps the previous file and routing when nginx rejects the new one, and says why", async () => {
    await router.apply(at(0));
    await nginxServes(n, router.generation);
    const good = readFileSync(n.configFile, "utf8");
    const reloads = router.reloads;
    const bad: RouteState = {
      ...at(50),
      headerRoutes: [{ name: "broken", match: [{ headerName: "x-a", headerValue: { regex: "(unclosed" } }] }],
    };
    await expect(router.apply(bad)).rejects.toThrow(
      /nginx rejected the routing for upstream 'shop' \(the previous routing stays in force\): .*pcre2?_compile\(\) failed/,
    );
    expect(readFileSync(n.configFile, "utf8")).toBe(good);
    expect(router.reloads).toBe(reloads);
    expect(router.current()).toEqual(at(0));
    const sent = await sendRequests(n.url, 100);
    expect(Object.fromEntries(sent.answers)).toEqual({ v1: 100 });
    // A good state afterwards goes through.
    await router.apply(at(100));
    await nginxServes(n, router.generation);
    expect(Object.fromEntries((await sendRequests(n.url, 50)).answers)).toEqual({ v2: 50 });
  });

  it("does not touch the file or reload nginx for the state in force", async () => {
    await router.apply(at(30));
    const mtime = statSync(n.configFile).mtimeMs;
    const reloads = router.reloads;
    expect(generationIn(n.configFile)).toBe(router.generation);
    await new Promise((r) => setTimeout(r, 20));
    await router.apply(at(30));
    expect(statSync(n.configFile).mtimeMs).toBe(mtime);
    expect(router.reloads).toBe(reloads);
  });

  it("reads each version's requests, 5xx and latency from the access log, as the upstreams counted them", async () => {
    const bad = await startUpstream("v3", 4);
    try {
      const s: RouteState = { ...at(50), canary: { version: "v3", targets: [bad.url] } };
      // From before the change: nginxServes's probes count too, on both sides.
      const since = Date.now();
      const before = [v1.received(), bad.received()] as const;
      await router.apply(s);
      await nginxServes(n, router.generation);
      await sendRequests(n.url, 400);
      const metrics = router.metrics;
      if (metrics === undefined) throw new Error("accessLog is set: metrics expected");
      // nginx logs a request once its answer is sent: the last lines may trail the last answer.
      let windows = await Promise.all([
        metrics.window({ version: "stable", sinceMs: since }),
        metrics.window({ version: "canary", sinceMs: since }),
      ]);
      const received = () => v1.received() - before[0] + bad.received() - before[1];
      for (let i = 0; i < 100 && windows[0].requests + windows[1].requests < received(); i++) {
        await new Promise((r) => setTimeout(r, 20));
        windows = await Promise.all([
          metrics.window({ version: "stable", sinceMs: since }),
          metrics.window({ version: "canary", sinceMs: since }),
        ]);
      }
      const [stable, canary] = windows;
      expect(stable.requests).toBe(v1.received() - before[0]);
      expect(canary.requests).toBe(bad.received() - before[1]);
      expect(canary.errors5xx).toBe(Math.floor(bad.received() / 4) - Math.floor(before[1] / 4));
      expect(canary.errors5xx).toBeGreaterThan(40);
      expect(stable.errors5xx).toBe(0);
      expect(stable.successRate).toBe(1);
      expect(canary.latency.p50).toBeGreaterThanOrEqual(0);
      expect(canary.latency.p99).toBeGreaterThanOrEqual(canary.latency.p50);
      // The canary now is v3: an earlier canary's traffic is never in its numbers.
      expect((await metrics.window({ version: "canary", sinceMs: since, revision: "v2" })).requests).toBe(0);
    } finally {
      await bad.close();
    }
  });

  it("refuses mirror routes with a clear error", async () => {
    await expect(
      router.apply({ ...at(10), mirrorRoutes: [{ name: "m", percentage: 100, match: [] }] }),
    ).rejects.toThrow(/mirror routes are not supported/);
  });
});
