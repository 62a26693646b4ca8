import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RouteState } from "../router.js";
import { routerSuite } from "../router.shared-test.js";
import { ProxyTrafficRouter } from "./proxy-router.js";

const servers: Server[] = [];
let router: ProxyTrafficRouter | undefined;
afterEach(async () => {
  await router?.close();
  for (const s of servers.splice(0)) s.close();
});

async function upstream(body = "ok"): Promise<string> {
  const s = createServer((_req, res) => res.end(body));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const state = (stable: string, canary: [string, string], weight: number): RouteState => ({
  stable: { version: "v1", targets: [stable] },
  canary: { version: canary[0], targets: [canary[1]] },
  weight,
  headerRoutes: [],
  mirrorRoutes: [],
});

/** v1 at `stable` and no canary (none yet, or the preview gone). */
const stableOnly = (stable: string): RouteState => ({
  stable: { version: "v1", targets: [stable] },
  canary: null,
  weight: 0,
  headerRoutes: [],
  mirrorRoutes: [],
});

describe("ProxyTrafficRouter metrics", () => {
  it("measure the version now in a role unless asked for another: a new canary starts from zero", async () => {
    const [a, b, c] = [await upstream(), await upstream(), await upstream()];
    router = new ProxyTrafficRouter({
      service: "web",
      spec: { kind: "proxy", listen: "127.0.0.1:0", sticky: null },
    });
    const since = Date.now() - 1_000;
    await router.apply(state(a, ["v2", b], 100));
    for (let i = 0; i < 10; i++) await (await fetch(`${router.url}/`)).text();
    expect((await router.metrics.window({ version: "canary", sinceMs: since })).requests).toBe(10);
    await router.apply(state(a, ["v3", c], 100));
    for (let i = 0; i < 4; i++) await (await fetch(`${router.url}/`)).text();
    const now = await router.metrics.window({ version: "canary", sinceMs: since });
    expect(now.requests).toBe(4);
    expect(now.fromMs).toBeLessThanOrEqual(since);
    expect(
      (await router.metrics.window({ version: "canary", revision: "v2", sinceMs: since })).requests,
    ).toBe(10);
  });
});

describe("ProxyTrafficRouter header routes", () => {
  it("send a request to the canary when it matches any entry of the route's match (Argo, Istio)", async () => {
    const [a, b] = [await upstream(), await upstream()];
    router = new ProxyTrafficRouter({
      service: "web",
      spec: { kind: "proxy", listen: "127.0.0.1:0", sticky: null },
    });
    await router.apply({
      ...state(a, ["v2", b], 0),
      headerRoutes: [
        {
          name: "testers",
          match: [
            { headerName: "x-canary", headerValue: { exact: "yes" } },
            { headerName: "x-tester", headerValue: { prefix: "qa-" } },
          ],
        },
      ],
    });
    const since = Date.now() - 1_000;
    const tries: Record<string, string>[] = [
      { "x-canary": "yes" },
      { "x-tester": "qa-7" },
      { "x-canary": "no" },
      {},
    ];
    for (const headers of tries) await (await fetch(`${router.url}/`, { headers })).text();
    expect((await router.metrics.window({ version: "canary", sinceMs: since })).requests).toBe(2);
    expect((await router.metrics.window({ version: "stable", sinceMs: since })).requests).toBe(2);
  });
});

/** A router for service checkout on a free port, with the blue-green preview entry point `preview`. */
const previewRouter = (preview: { listen: string | null; header: { name: string; value: string } | null }) =>
  new ProxyTrafficRouter({
    service: "checkout",
    spec: { kind: "proxy", listen: "127.0.0.1:0", sticky: null, preview },
  });

describe("ProxyTrafficRouter blue-green preview", () => {
  it("opens previewListen, which sends every request to the preview, measured as the canary's traffic", async () => {
    const [a, b] = [await upstream("v1"), await upstream("v2")];
    router = previewRouter({ listen: "127.0.0.1:0", header: null });
    await router.apply({ ...state(a, ["v2", b], 0) });
    const previewUrl = router.previewUrl;
    if (previewUrl === undefined) throw new Error("no preview listener");
    expect(previewUrl).not.toBe(router.url);
    const since = Date.now() - 1_000;
    const viaPreview = await bodies(previewUrl, 12);
    const viaMain = await bodies(router.url, 5);
    expect(viaPreview).toEqual(Array(12).fill("v2"));
    expect(viaMain).toEqual(Array(5).fill("v1"));
    // What the builtin provider reads for `version: canary` (its default) during pre-promotion analysis.
    expect((await router.metrics.window({ version: "canary", sinceMs: since })).requests).toBe(12);
    expect((await router.metrics.window({ version: "stable", sinceMs: since })).requests).toBe(5);
  });

  it("answers 503 with a JSON body naming the rollout while there is no preview", async () => {
    const a = await upstream("v1");
    router = previewRouter({ listen: "127.0.0.1:0", header: null });
    await router.apply(stableOnly(a));
    const response = await fetch(`${router.previewUrl}/`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "no-canary", service: "checkout" });
  });

  it("sends requests carrying previewHeader to the preview, only while there is one", async () => {
    const [a, b] = [await upstream("v1"), await upstream("v2")];
    router = previewRouter({ listen: null, header: { name: "x-ramp-preview", value: "1" } });
    await router.apply(state(a, ["v2", b], 0));
    expect(router.previewUrl).toBeUndefined();
    expect(await bodies(router.url, 4, { "x-ramp-preview": "1" })).toEqual(Array(4).fill("v2"));
    expect(await bodies(router.url, 4, { "x-ramp-preview": "yes" })).toEqual(Array(4).fill("v1"));
    expect(await bodies(router.url, 4)).toEqual(Array(4).fill("v1"));
    await router.apply(stableOnly(a));
    expect(await bodies(router.url, 4, { "x-ramp-preview": "1" })).toEqual(Array(4).fill("v1"));
  });
});

async function bodies(
  url: string | undefined,
  n: number,
  headers: Record<string, string> = {},
): Promise<string[]> {
  if (url === undefined) throw new Error("the router does not listen");
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await (await fetch(`${url}/`, { headers })).text());
  return out;
}

routerSuite("proxy", {
  async start() {
    const proxy = new ProxyTrafficRouter({
      service: "web",
      spec: { kind: "proxy", listen: "127.0.0.1:0", sticky: null },
    });
    return { router: proxy, url: () => proxy.url, stop: () => proxy.close() };
  },
});
