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

async function upstream(): Promise<string> {
  const s = createServer((_req, res) => res.end("ok"));
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

routerSuite("proxy", {
  async start() {
    const proxy = new ProxyTrafficRouter({
      service: "web",
      spec: { kind: "proxy", listen: "127.0.0.1:0", sticky: null },
    });
    return { router: proxy, url: () => proxy.url, stop: () => proxy.close() };
  },
});
