/** End to end: retries, timeouts, dead upstreams, reconfiguration under load and graceful close. */
import { afterEach, describe, expect, it } from "vitest";
import {
  type Backend,
  Client,
  count,
  deadTarget,
  startBackend,
  startRawBackend,
  startResettingBackend,
} from "../test/backends.js";
import type { ProxyConfig } from "./config.js";
import { ProxyConfigError } from "./errors.js";
import { createProxy, type ProxyOptions, type RampProxy } from "./proxy.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function backend(name: string, options?: Parameters<typeof startBackend>[1]): Promise<Backend> {
  const b = await startBackend(name, options);
  cleanups.push(() => b.close());
  return b;
}

async function serve(
  config: ProxyConfig,
  options: Partial<ProxyOptions> = {},
): Promise<{ proxy: RampProxy; client: Client }> {
  const proxy = createProxy({ config, ...options });
  const client = new Client((await proxy.listen()).url);
  cleanups.push(() => proxy.close({ graceMs: 1000 }));
  cleanups.push(() => client.close());
  return { proxy, client };
}

function only(stableTargets: string[], extra: Partial<ProxyConfig> = {}): ProxyConfig {
  return { service: "svc", stable: { version: "v1", targets: stableTargets }, weight: 0, ...extra };
}

describe("retries", () => {
  it("retry a GET on another target after a reset, but never a POST", async () => {
    const resetting = await startResettingBackend();
    cleanups.push(() => resetting.close());
    const alive = await backend("alive");
    const { proxy, client } = await serve(only([resetting.url, alive.url]));

    const gets = await client.many(10, (i) => ({ path: `/get/${i}` }), 1);
    expect(gets.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(resetting.hits).toHaveLength(10); // round-robin tried it first for each GET
    expect(alive.hits.filter((h) => h.method === "GET")).toHaveLength(10);

    const posts = await client.many(
      10,
      (i) =>
        i % 2 === 0
          ? { method: "POST", path: `/post/${i}`, body: `b${i}` }
          : { method: "POST", path: `/post/${i}` },
      1,
    );
    const failed = count(posts, (r) => r.status === 502);
    expect(failed).toBe(5);
    const postsAtResetting = resetting.hits.filter((h) => h.method === "POST").length;
    const postsAtAlive = alive.hits.filter((h) => h.method === "POST").length;
    expect(postsAtResetting).toBe(failed);
    expect(postsAtAlive).toBe(10 - failed);
    expect(proxy.metrics.prometheus()).toMatch(
      /ramp_proxy_retries_total\{service="svc",version="stable",revision="v1"\} 10\n/,
    );
  });

  it("retry a GET on a dead target elsewhere, then pass the dead target over", async () => {
    const alive = await backend("alive");
    const dead = await deadTarget();
    const { client } = await serve(only([dead, alive.url]), { ejectMs: 60_000 });
    const replies = await client.many(20, () => ({}), 1);
    expect(replies.every((r) => r.status === 200 && r.body === "alive")).toBe(true);
    expect(alive.hits).toHaveLength(20);
  });

  it("answer 502 with a clear body when no target answers", async () => {
    const { client } = await serve(only([await deadTarget(), await deadTarget()]));
    const reply = await client.send({ path: "/x" });
    expect(reply.status).toBe(502);
    expect(reply.headers["x-ramp-proxy-error"]).toBe("upstream");
    expect(reply.body).toBe(
      "502 Bad Gateway: no healthy upstream answered for service 'svc', stable version 'v1': ECONNREFUSED (2 attempts)\n",
    );
    const post = await client.send({ method: "POST", path: "/x", body: "b" });
    expect(post.body).toMatch(/ECONNREFUSED \(1 attempt\)\n$/);
  });
});

describe("timeouts", () => {
  it("time out each attempt and answer 504 when the last one times out", async () => {
    const slow = await backend("slow", { delayMs: 2000 });
    const { proxy, client } = await serve(only([slow.url], { timeoutMs: 100, retries: 1 }));
    const started = performance.now();
    const reply = await client.send();
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(504);
    expect(reply.headers["x-ramp-proxy-error"]).toBe("timeout");
    expect(reply.body).toMatch(/^504 Gateway Timeout: .*no response within 100 ms \(2 attempts\)\n$/);
    expect(slow.hits).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);
    const w = proxy.metrics.window({ version: "stable", sinceMs: Date.now() - 60_000 });
    expect([w.requests, w.errors5xx]).toEqual([1, 1]);
  });

  it("recover on the retry when only the first attempt is slow", async () => {
    const flaky = await backend("flaky", { delayMs: (_, i) => (i === 0 ? 2000 : 0) });
    const { client } = await serve(only([flaky.url], { timeoutMs: 100 }));
    const reply = await client.send();
    expect([reply.status, reply.body]).toEqual([200, "flaky"]);
  });
});

describe("reconfiguration", () => {
  it("lets slow requests in flight finish on their config while new ones follow the new one", async () => {
    const v1 = await backend("v1", { delayMs: 300 });
    const v2 = await backend("v2");
    const { proxy, client } = await serve(only([v1.url]));
    const inFlight = Promise.all(Array.from({ length: 8 }, (_, i) => client.send({ path: `/slow/${i}` })));
    const deadline = Date.now() + 5000;
    while (v1.hits.length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(v1.hits).toHaveLength(8);

    proxy.configure({ service: "svc", stable: { version: "v2", targets: [v2.url] }, weight: 0 });
    const fresh = await client.many(20, () => ({}));
    expect(fresh.every((r) => r.body === "v2")).toBe(true);
    const slow = await inFlight;
    expect(slow.map((r) => [r.status, r.body])).toEqual(Array(8).fill([200, "v1"]));
    expect(v1.hits).toHaveLength(8);
    expect(proxy.metrics.window({ version: "stable", revision: "v1", sinceMs: 0 }).requests).toBe(8);
    expect(proxy.metrics.window({ version: "stable", revision: "v2", sinceMs: 0 }).requests).toBe(20);
  });

  it("drops no request while the configuration changes under load", async () => {
    const a = await backend("a");
    const b = await backend("b");
    const c = await backend("c");
    const configs: ProxyConfig[] = [
      {
        service: "svc",
        stable: { version: "v1", targets: [a.url] },
        canary: { version: "v2", targets: [b.url] },
        weight: 10,
      },
      {
        service: "svc",
        stable: { version: "v1", targets: [a.url, c.url] },
        canary: { version: "v2", targets: [b.url] },
        weight: 60,
      },
      { service: "svc", stable: { version: "v2", targets: [b.url] }, canary: null, weight: 0 },
      {
        service: "svc",
        stable: { version: "v3", targets: [c.url] },
        canary: { version: "v4", targets: [a.url] },
        weight: 0.5,
      },
    ];
    const { proxy, client } = await serve(configs[0] ?? only([a.url]));
    let n = 0;
    const flipper = setInterval(() => proxy.configure(configs[++n % configs.length] ?? only([a.url])), 2);
    const replies = await client.many(2000, (i) => ({ path: `/r/${i}` }), 16);
    clearInterval(flipper);
    expect(n).toBeGreaterThan(10);
    expect(replies.filter((r) => r.status !== 200)).toEqual([]);
    expect(a.hits.length + b.hits.length + c.hits.length).toBe(2000);
  });

  it("closes the connections of a target a new configuration drops", async () => {
    const raw = await startRawBackend((socket) =>
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    );
    cleanups.push(() => raw.close());
    const other = await backend("other");
    const { proxy, client } = await serve(only([raw.url]));
    await client.many(10, () => ({}), 2);
    expect(raw.openConnections()).toBeGreaterThan(0);
    proxy.configure(only([other.url]));
    const deadline = Date.now() + 2000;
    while (raw.openConnections() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(raw.openConnections()).toBe(0);
    expect((await client.send()).body).toBe("other");
  });

  it("rejects an invalid config with its path and keeps the old one in force", async () => {
    const stable = await backend("stable");
    const canary = await backend("canary");
    const good: ProxyConfig = {
      service: "svc",
      stable: { version: "v1", targets: [stable.url] },
      canary: { version: "v2", targets: [canary.url] },
      weight: 100,
    };
    const { proxy, client } = await serve(good);
    const bad = { ...good, weight: 0, canary: { version: "v3", targets: [canary.url, "http://x:1/path"] } };
    let error: unknown;
    try {
      proxy.configure(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProxyConfigError);
    if (!(error instanceof ProxyConfigError)) return;
    expect(error.code).toBe("INVALID_PROXY_CONFIG");
    expect(error.issues.map((i) => i.path)).toEqual(["canary.targets[1]"]);
    expect(error.message).toMatch(
      /^invalid proxy config: canary\.targets\[1\]: 'http:\/\/x:1\/path': a target is an origin/,
    );
    expect(proxy.config().weight).toBe(100);
    expect(proxy.config().canary?.version).toBe("v2");
    expect((await client.send()).body).toBe("canary");
  });

  it("rejects an invalid first config at creation", () => {
    expect(() => createProxy({ config: only([]) })).toThrow(/stable\.targets: must list at least one target/);
  });
});

describe("close", () => {
  it("finishes requests in flight, then stops accepting", async () => {
    const slow = await backend("slow", { delayMs: 200 });
    const proxy = createProxy({ config: only([slow.url]) });
    const { url } = await proxy.listen();
    const client = new Client(url);
    cleanups.push(() => client.close());
    const pending = client.send();
    while (slow.hits.length < 1) await new Promise((r) => setTimeout(r, 5));
    const closed = proxy.close();
    const reply = await pending;
    expect([reply.status, reply.body]).toEqual([200, "slow"]);
    await closed;
    const late = new Client(url);
    cleanups.push(() => late.close());
    await expect(late.send()).rejects.toThrow(/ECONNREFUSED/);
  });

  it("cuts requests that outlast the grace period", async () => {
    const stuck = await backend("stuck", { delayMs: 5000 });
    const proxy = createProxy({ config: only([stuck.url]) });
    const client = new Client((await proxy.listen()).url);
    cleanups.push(() => client.close());
    const pending = client.send();
    while (stuck.hits.length < 1) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    await proxy.close({ graceMs: 100 });
    expect(performance.now() - started).toBeLessThan(2000);
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
