import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HaproxyRouterSpec } from "../../../rollouts/rollout.js";
import {
  failures,
  type HaproxyProcess,
  sendRequests,
  startHaproxy,
  startUpstream,
  type Upstream,
} from "../data-planes.shared-test.js";
import type { RouteState } from "../router.js";
import { routerSuite } from "../router.shared-test.js";
import { HaproxyTrafficRouter } from "./haproxy-router.js";
import { headerMapKey, parseServersState, slotCommands, splitWeights } from "./plan.js";
import { HaproxyRuntimeApi } from "./runtime-api.js";

const spec = (h: HaproxyProcess): HaproxyRouterSpec => ({
  kind: "haproxy",
  runtimeApi: h.runtimeApi,
  backend: h.backend,
  stableServer: "stable",
  canaryServer: "canary",
  headerMap: h.headerMap,
});

routerSuite("haproxy", {
  async start() {
    const h = await startHaproxy();
    const router = new HaproxyTrafficRouter({ spec: spec(h) });
    return {
      router,
      url: () => h.url,
      changes: () => router.changes,
      stop: async () => {
        await router.close();
        await h.stop();
      },
    };
  },
});

describe("haproxy planning", () => {
  it("finds the weights (0–256) closest to the percentage", () => {
    expect(splitWeights(20, 1, 1)).toEqual({ stable: 256, canary: 64 });
    expect(splitWeights(50, 1, 1)).toEqual({ stable: 256, canary: 256 });
    expect(splitWeights(0, 1, 1)).toEqual({ stable: 256, canary: 0 });
    expect(splitWeights(100, 1, 1)).toEqual({ stable: 0, canary: 256 });
    // The smallest share two servers can have is 1/257 (0.39%): 0.1% gets that.
    expect(splitWeights(0.1, 1, 1)).toEqual({ stable: 256, canary: 1 });
    expect(splitWeights(99.9, 1, 1)).toEqual({ stable: 1, canary: 256 });
    for (const [p, ns, nc] of [
      [0.5, 1, 1],
      [33.3, 1, 1],
      [99.5, 1, 1],
      [10, 3, 1],
      [70, 2, 2],
    ] as const) {
      const w = splitWeights(p, ns, nc);
      const share = (nc * w.canary) / (nc * w.canary + ns * w.stable);
      expect(Math.abs(share * 100 - p), `${p}% over ${ns}+${nc}: ${JSON.stringify(w)}`).toBeLessThan(0.05);
    }
  });

  it("changes only what differs", () => {
    const have = parseServersState(
      "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n" +
        "3 web 1 stable 127.0.0.1 2 0 10 1 1 1 0 2 0 0 0 0 - 8080 - 0 0 - - 0\n" +
        "3 web 2 canary 127.0.0.1 0 1 1 1 1 1 0 2 0 0 0 0 - 9 - 0 0 - - 0\n",
      "web",
    );
    expect(have).toEqual([
      { name: "stable", addr: "127.0.0.1", port: 8080, weight: 10, maint: false },
      { name: "canary", addr: "127.0.0.1", port: 9, weight: 1, maint: true },
    ]);
    expect(
      slotCommands("web", have, [
        { name: "stable", addr: "127.0.0.1", port: 8080, weight: 10 },
        { name: "canary", maint: true },
      ]),
    ).toEqual([]);
    expect(
      slotCommands("web", have, [
        { name: "stable", addr: "127.0.0.1", port: 8080, weight: 200 },
        { name: "canary", addr: "127.0.0.1", port: 8081, weight: 56 },
      ]),
    ).toEqual([
      "set server web/stable weight 200",
      "set server web/canary addr 127.0.0.1 port 8081",
      "set server web/canary weight 56",
      "set server web/canary state ready",
    ]);
  });

  it("writes header matches as whitespace-free regexes on the lower-cased header block", () => {
    expect(headerMapKey("X-Canary", { exact: "a b.c" })).toBe(
      "(?:^|\\n)x\\-canary:[\\t\\x20]*a\\x20b\\.c[\\t\\x20]*\\r?(?:\\n|$)",
    );
    expect(headerMapKey("x", { regex: "[ a]+" })).toContain("(?:[\\x20a]+)");
  });
});

describe("haproxy router against real HAProxy", () => {
  let h: HaproxyProcess;
  let upstreams: Upstream[];
  let router: HaproxyTrafficRouter;
  beforeAll(async () => {
    h = await startHaproxy();
    upstreams = await Promise.all(["v1", "v1", "v2", "v2", "v2"].map((v) => startUpstream(v)));
    router = new HaproxyTrafficRouter({ spec: spec(h) });
  });
  afterAll(async () => {
    await router?.close();
    await Promise.all([h?.stop(), ...(upstreams ?? []).map((u) => u.close())]);
  });
  const urls = (v: string, n: number) =>
    upstreams
      .filter((u) => u.name === v)
      .slice(0, n)
      .map((u) => u.url);
  const state = (weight: number, stable = 1, canary = 1): RouteState => ({
    stable: { version: "v1", targets: urls("v1", stable) },
    canary: { version: "v2", targets: urls("v2", canary) },
    weight,
    headerRoutes: [],
    mirrorRoutes: [],
  });

  it("spreads a version over several server slots, and refuses more targets than slots", async () => {
    await router.apply(state(40, 2, 2));
    const before = upstreams.map((u) => u.received());
    const sent = await sendRequests(h.url, 1_000);
    const got = upstreams.map((u, i) => u.received() - (before[i] ?? 0));
    expect(failures(sent.answers)).toEqual({});
    // 30% / 30% / 20% / 20% / 0 (the fifth upstream is not a target).
    expect(got[4]).toBe(0);
    for (const [i, share] of [0.3, 0.3, 0.2, 0.2].entries())
      expect(Math.abs((got[i] ?? 0) - 1_000 * share), `upstream ${i}: ${got[i]}`).toBeLessThan(60);
    await expect(router.apply(state(40, 1, 3))).rejects.toThrow(
      /canary v2 has 3 targets but the backend has 2 canary server slot\(s\); declare servers canary, canary-2 … canary-3/,
    );
    // Still routing as before.
    expect(router.current()).toEqual(state(40, 2, 2));
  });

  it("counts each version's requests and 5xx from show stat for the builtin provider", async () => {
    await router.apply(state(25));
    const since = Date.now();
    await sendRequests(h.url, 400);
    const canary = await router.metrics.window({ version: "canary", sinceMs: since });
    const stable = await router.metrics.window({ version: "stable", sinceMs: since });
    expect(canary.requests + stable.requests).toBe(400);
    expect(Math.abs(canary.requests - 100)).toBeLessThan(40);
    expect(canary.successRate).toBe(1);
    expect(canary.errors5xx).toBe(0);
    expect(
      (await router.metrics.window({ version: "canary", sinceMs: since, revision: "v9" })).requests,
    ).toBe(0);
  });

  it("reports HAProxy's refusal with the command", async () => {
    const api = new HaproxyRuntimeApi(h.runtimeApi);
    await expect(api.change("set server web/nosuch weight 1")).rejects.toThrow(
      /HAProxy refused 'set server web\/nosuch weight 1'/,
    );
    const bad = new HaproxyTrafficRouter({ spec: { ...spec(h), backend: "nosuch" } });
    await expect(bad.apply(state(10))).rejects.toThrow(/backend 'nosuch' has no servers/);
    await bad.close();
  });
});
