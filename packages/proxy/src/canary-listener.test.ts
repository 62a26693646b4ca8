/** End to end: the canary-only listener (a blue-green preview entry point) beside the main one. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, Client, count, seededRandom, startBackend } from "../test/backends.js";
import { parseExposition, sampleValue } from "../test/prometheus-text.js";
import type { ProxyConfig } from "./config.js";
import { createProxy, type ProxyAddress, type RampProxy } from "./proxy.js";

let stable: Backend;
let canary: Backend;
let proxy: RampProxy;
let address: ProxyAddress;
let main: Client;
let preview: Client;

function config(extra: Partial<ProxyConfig>): ProxyConfig {
  return {
    service: "checkout",
    stable: { version: "v1", targets: [stable.url] },
    canary: { version: "v2", targets: [canary.url] },
    weight: 0,
    ...extra,
  };
}

beforeAll(async () => {
  stable = await startBackend("stable", { status: (hit) => (hit.url === "/fail" ? 500 : 200) });
  canary = await startBackend("canary", { status: (hit) => (hit.url === "/fail" ? 500 : 200) });
  proxy = createProxy({ config: config({}), random: seededRandom(3) });
  address = await proxy.listen({ canary: {} });
  const canaryAddress = address.canary;
  if (canaryAddress === undefined) throw new Error("listen({ canary }) returned no canary address");
  main = new Client(address.url);
  preview = new Client(canaryAddress.url);
});

afterAll(async () => {
  main.close();
  preview.close();
  await proxy.close();
  await Promise.all([stable.close(), canary.close()]);
});

describe("the canary listener", () => {
  it("listens on its own port", () => {
    expect(address.canary?.port).toBeGreaterThan(0);
    expect(address.canary?.port).not.toBe(address.port);
  });

  it("sends every request to the canary at weight 0, while the main listener sends none there", async () => {
    proxy.configure(config({ weight: 0 }));
    const since = Date.now() - 1;
    const [stableBefore, canaryBefore] = [stable.hits.length, canary.hits.length];
    const viaPreview = await preview.many(40, (i) => ({ path: i % 4 === 3 ? "/fail" : "/ok" }));
    const viaMain = await main.many(30, () => ({ path: "/ok" }));
    expect(count(viaPreview, (r) => r.body === "canary")).toBe(40);
    expect(count(viaMain, (r) => r.body === "stable")).toBe(30);
    expect(canary.hits.length - canaryBefore).toBe(40);
    expect(stable.hits.length - stableBefore).toBe(30);

    // Counted under the canary's role and revision: what the built-in metric provider reads.
    const w = proxy.metrics.window({ version: "canary", revision: "v2", sinceMs: since });
    expect(w.requests).toBe(40);
    expect(w.errors5xx).toBe(10);
    expect(w.successRate).toBeCloseTo(0.75, 10);
    expect(proxy.metrics.window({ version: "stable", sinceMs: since }).requests).toBe(30);
    const scraped = parseExposition(proxy.metrics.prometheus());
    const labels = { service: "checkout", version: "canary", revision: "v2" };
    expect(sampleValue(scraped, "http_requests_total", { ...labels, status: "200" })).toBe(30);
    expect(sampleValue(scraped, "http_requests_total", { ...labels, status: "500" })).toBe(10);
  });

  it.each([0, 100])(
    "ignores the weight (%s) and the header routes: the canary gets every request, matching or not",
    async (weight) => {
      proxy.configure(
        config({ weight, headerRoutes: [{ name: "qa", match: [{ header: "x-qa", exact: "1" }] }] }),
      );
      const replies = await preview.many(20, (i) => ({
        headers: { "x-qa": i % 2 === 0 ? "1" : "0" },
      }));
      expect(count(replies, (r) => r.body === "canary")).toBe(20);
    },
  );

  it("follows a reconfiguration to a new canary", async () => {
    const next = await startBackend("canary-2");
    try {
      proxy.configure({ ...config({}), canary: { version: "v3", targets: [next.url] } });
      const replies = await preview.many(10, () => ({}));
      expect(count(replies, (r) => r.body === "canary-2")).toBe(10);
    } finally {
      proxy.configure(config({}));
      await next.close();
    }
  });

  it("answers 503 with a JSON body naming the service while there is no canary, and counts nothing", async () => {
    proxy.configure({ ...config({}), canary: null });
    const since = Date.now() - 1;
    const counted = () =>
      proxy.metrics.window({ version: "canary", sinceMs: since }).requests +
      proxy.metrics.window({ version: "stable", sinceMs: since }).requests;
    const countedBefore = counted();
    const canaryBefore = canary.hits.length;
    const reply = await preview.send({ method: "POST", path: "/pay", body: "x".repeat(1000) });
    expect(reply.status).toBe(503);
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(reply.headers["x-ramp-proxy-error"]).toBe("no-canary");
    const body = JSON.parse(reply.body) as { error: string; service: string; message: string };
    expect(body).toMatchObject({ error: "no-canary", service: "checkout" });
    expect(body.message).toContain("service 'checkout' has no canary");
    // The connection survives the unread body: the next request on it is answered too.
    expect((await preview.send()).status).toBe(503);
    expect(canary.hits.length).toBe(canaryBefore);
    expect(counted()).toBe(countedBefore);
    expect((await main.send()).body).toBe("stable");
    proxy.configure(config({}));
    expect((await preview.send()).body).toBe("canary");
  });
});

describe("listen without a canary listener", () => {
  it("returns no canary address", async () => {
    const p = createProxy({
      config: { service: "s", stable: { version: "v1", targets: [stable.url] }, weight: 0 },
    });
    try {
      const a = await p.listen();
      expect(a.canary).toBeUndefined();
    } finally {
      await p.close();
    }
  });
});
