/** End to end: mirror routes copy requests to the canary and the client only ever sees stable. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, Client, count, seededRandom, startBackend } from "../test/backends.js";
import type { ProxyConfig } from "./config.js";
import { createProxy, type RampProxy } from "./proxy.js";
import { STICKY_BUCKETS } from "./route.js";

const SEED = 1234;
let stable: Backend;
let canary: Backend;
let proxy: RampProxy;
let client: Client;

beforeAll(async () => {
  stable = await startBackend("stable");
  canary = await startBackend("canary", { status: () => 500, delayMs: 5 });
  proxy = createProxy({ config: config(null), random: seededRandom(SEED), mirrorBodyLimitBytes: 1024 });
  client = new Client((await proxy.listen()).url);
});

afterAll(async () => {
  client.close();
  await proxy.close();
  await Promise.all([stable.close(), canary.close()]);
});

function config(mirror: ProxyConfig["mirror"]): ProxyConfig {
  return {
    service: "payment",
    stable: { version: "v1", targets: [stable.url] },
    canary: { version: "v2", targets: [canary.url] },
    weight: 0,
    mirror,
  };
}

/** Waits until the canary has seen `n` requests (mirror copies are sent after the client's request). */
async function canaryHits(n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (canary.hits.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe("mirroring", () => {
  it("copies exactly the share the injected random selects, and the client sees only stable", async () => {
    // At weight 0 the split draws nothing, so each request draws exactly one number: the mirror's.
    const expectedRandom = seededRandom(SEED);
    const n = 2000;
    let expected = 0;
    for (let i = 0; i < n; i++) if (Math.floor(expectedRandom() * STICKY_BUCKETS) < 300) expected++;

    proxy.configure(config({ name: "shadow", percentage: 30 }));
    const replies = await client.many(n, (i) => ({ path: `/m/${i}` }));
    expect(replies.every((r) => r.status === 200 && r.body === "stable")).toBe(true);
    await canaryHits(expected);
    await new Promise((r) => setTimeout(r, 50));
    expect(canary.hits.length).toBe(expected);
    expect(expected).toBeGreaterThan(500);
    expect(expected).toBeLessThan(700);
    expect(stable.hits.length).toBe(n);
  });

  it("copies only matching requests, with their method, path, headers and body", async () => {
    canary.hits.length = 0;
    proxy.configure(
      config({ name: "post-only", percentage: 100, match: [{ header: "x-shadow", exact: "yes" }] }),
    );
    const replies = await client.many(300, (i) =>
      i % 3 === 0
        ? { method: "POST", path: `/orders?i=${i}`, headers: { "x-shadow": "yes" }, body: `order ${i}` }
        : { path: `/other/${i}`, headers: { "x-shadow": "no" } },
    );
    expect(replies.every((r) => r.status === 200 && r.body === "stable")).toBe(true);
    await canaryHits(100);
    await new Promise((r) => setTimeout(r, 50));
    expect(canary.hits).toHaveLength(100);
    const byPath = new Map(canary.hits.map((h) => [h.url, h]));
    for (let i = 0; i < 300; i += 3) {
      const hit = byPath.get(`/orders?i=${i}`);
      expect(hit).toMatchObject({ method: "POST", body: `order ${i}` });
      expect(hit?.headers["x-shadow"]).toBe("yes");
    }
  });

  it("skips requests whose body is over the buffer limit, and still proxies them", async () => {
    canary.hits.length = 0;
    proxy.configure(config({ name: "all", percentage: 100 }));
    const big = "x".repeat(5000);
    const reply = await client.send({ method: "POST", path: "/big", body: big });
    const small = await client.send({ method: "POST", path: "/small", body: "tiny" });
    expect([reply.status, reply.body, small.body]).toEqual([200, "stable", "stable"]);
    expect(stable.hits.at(-2)?.body).toBe(big);
    await canaryHits(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(canary.hits.map((h) => h.url)).toEqual(["/small"]);
    const w = proxy.metrics.prometheus();
    expect(w).toMatch(
      /ramp_proxy_mirror_skipped_total\{service="payment",version="canary",revision="v2"\} 1/,
    );
  });

  it("records the canary's answers to mirrored requests on the canary's metrics", async () => {
    const since = Date.now() - 60_000;
    const w = proxy.metrics.window({ version: "canary", sinceMs: since });
    expect(w.requests).toBeGreaterThan(0);
    expect(w.errors5xx).toBe(w.requests);
    const stableWindow = proxy.metrics.window({ version: "stable", sinceMs: since });
    expect(stableWindow.errors5xx).toBe(0);
    expect(count(stableWindow.samples.outcomes, (ok) => ok)).toBe(stableWindow.samples.outcomes.length);
  });
});
