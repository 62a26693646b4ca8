/** End to end: weights, stickiness, header and cookie routes through a listening proxy to real backends. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, Client, count, seededRandom, startBackend, withinBinomial } from "../test/backends.js";
import type { ProxyConfig } from "./config.js";
import { createProxy, type RampProxy } from "./proxy.js";

let stable: Backend;
let canary: Backend;
let proxy: RampProxy;
let client: Client;

beforeAll(async () => {
  stable = await startBackend("stable");
  canary = await startBackend("canary");
  proxy = createProxy({ config: config({ weight: 0 }), random: seededRandom(42) });
  client = new Client((await proxy.listen()).url);
});

afterAll(async () => {
  client.close();
  await proxy.close();
  await Promise.all([stable.close(), canary.close()]);
});

function config(extra: Partial<ProxyConfig>): ProxyConfig {
  return {
    service: "payment",
    stable: { version: "v1", targets: [stable.url] },
    canary: { version: "v2", targets: [canary.url] },
    weight: 0,
    ...extra,
  };
}

describe("weighted routing", () => {
  it.each([0, 0.1, 5, 50, 100])("at weight %s, sends that share of users to the canary", async (weight) => {
    proxy.configure(config({ weight, sticky: { header: "x-user-id" } }));
    const n = 2000;
    const replies = await client.many(n, (i) => ({ headers: { "x-user-id": `w${weight}-user-${i}` } }));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const onCanary = count(replies, (r) => r.body === "canary");
    expect(withinBinomial(onCanary, n, weight / 100), `${onCanary} of ${n} at ${weight}%`).toBe(true);
    if (weight === 0) expect(onCanary).toBe(0);
    if (weight === 100) expect(onCanary).toBe(n);
  });

  it("splits requests without a sticky value by the injected random", async () => {
    proxy.configure(config({ weight: 20, sticky: { header: "x-user-id" } }));
    const n = 2000;
    const replies = await client.many(n, () => ({}));
    const onCanary = count(replies, (r) => r.body === "canary");
    expect(withinBinomial(onCanary, n, 0.2), `${onCanary} of ${n}`).toBe(true);
  });

  it("keeps each user on one version, and no canary user leaves as the weight grows", async () => {
    const users = Array.from({ length: 400 }, (_, i) => `sticky-user-${i}`);
    let previous = new Set<string>();
    for (const weight of [5, 25, 50]) {
      proxy.configure(config({ weight, sticky: { cookie: "uid" } }));
      const seen = new Map<string, Set<string>>();
      for (let round = 0; round < 3; round++) {
        const replies = await client.many(users.length, (i) => ({
          headers: { cookie: `lang=en; uid=${encodeURIComponent(users[i] ?? "")}` },
        }));
        replies.forEach((r, i) => {
          const user = users[i] ?? "";
          const versions = seen.get(user) ?? new Set<string>();
          versions.add(r.body);
          seen.set(user, versions);
        });
      }
      const onCanary = new Set<string>();
      for (const [user, versions] of seen) {
        expect(versions.size, `${user} switched versions at ${weight}%`).toBe(1);
        if (versions.has("canary")) onCanary.add(user);
      }
      for (const user of previous)
        expect(onCanary.has(user), `${user} left the canary at ${weight}%`).toBe(true);
      expect(withinBinomial(onCanary.size, users.length, weight / 100)).toBe(true);
      previous = onCanary;
    }
  });

  it("spreads a version's requests over its targets in turn", async () => {
    const second = await startBackend("stable-2");
    try {
      proxy.configure({
        ...config({ weight: 0 }),
        stable: { version: "v1", targets: [stable.url, second.url] },
      });
      const replies = await client.many(100, () => ({}), 1);
      expect(count(replies, (r) => r.body === "stable")).toBe(50);
      expect(count(replies, (r) => r.body === "stable-2")).toBe(50);
    } finally {
      await second.close();
    }
  });
});

describe("header and cookie routes", () => {
  it("send exactly the matching requests to the canary", async () => {
    proxy.configure(
      config({
        weight: 0,
        headerRoutes: [
          { name: "testers", match: [{ header: "X-Canary", exact: "always" }] },
          { name: "agents", match: [{ header: "user-agent", regex: "RampBot/[0-9]+\\.[0-9]+" }] },
        ],
      }),
    );
    const kinds = ["plain", "exact", "near-exact", "regex", "regex-partial"] as const;
    const headersOf: Record<(typeof kinds)[number], Record<string, string>> = {
      plain: {},
      exact: { "x-canary": "always" },
      "near-exact": { "x-canary": "always!" },
      regex: { "user-agent": "RampBot/2.10" },
      "regex-partial": { "user-agent": "RampBot/2.10 (compatible)" },
    };
    const replies = await client.many(500, (i) => ({
      headers: headersOf[kinds[i % kinds.length] ?? "plain"],
    }));
    replies.forEach((r, i) => {
      const kind = kinds[i % kinds.length];
      expect(r.body, `request ${i} (${kind})`).toBe(
        kind === "exact" || kind === "regex" ? "canary" : "stable",
      );
    });
  });

  it("route by a cookie", async () => {
    proxy.configure(
      config({ weight: 0, headerRoutes: [{ name: "beta", match: [{ cookie: "beta", prefix: "on" }] }] }),
    );
    const cookies = ["sid=1; beta=on-2024", "beta=off", "sid=1", "xbeta=on"];
    const replies = await client.many(200, (i) => ({ headers: { cookie: cookies[i % 4] ?? "" } }));
    replies.forEach((r, i) => {
      expect(r.body).toBe(i % 4 === 0 ? "canary" : "stable");
    });
  });

  it("forward method, path, query, body and headers, and mark the hop", async () => {
    proxy.configure(config({ weight: 0 }));
    const before = stable.hits.length;
    const reply = await client.send({
      method: "PUT",
      path: "/items/7?x=1&y=%20",
      headers: { "content-type": "application/json", "x-request-id": "abc" },
      body: '{"a":1}',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers["x-backend"]).toBe("stable");
    const hit = stable.hits[before];
    expect(hit).toMatchObject({ method: "PUT", url: "/items/7?x=1&y=%20", body: '{"a":1}' });
    expect(hit?.headers["x-request-id"]).toBe("abc");
    expect(hit?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(hit?.headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
