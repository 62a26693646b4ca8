/** End to end: per-version counts, status classes, quantiles and the Prometheus endpoint against known backends. */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, Client, count, seededRandom, startBackend } from "../test/backends.js";
import { parseExposition, sampleValue } from "../test/prometheus-text.js";
import { createProxy, type ProxyAddress, type RampProxy } from "./proxy.js";

const N = 1000;
let stable: Backend;
let canary: Backend;
let proxy: RampProxy;
let address: ProxyAddress;
let since: number;

beforeAll(async () => {
  // Stable: every 10th request fails with 500, every 7th is a 404. Canary: fast, except every 4th takes 100 ms.
  stable = await startBackend("stable", { status: (_, i) => (i % 10 === 9 ? 500 : i % 7 === 6 ? 404 : 200) });
  canary = await startBackend("canary", { delayMs: (_, i) => (i % 4 === 3 ? 100 : 0) });
  proxy = createProxy({
    config: {
      service: "payment",
      stable: { version: "v1.4.0", targets: [stable.url] },
      canary: { version: "v1.5.0-rc.1", targets: [canary.url] },
      weight: 30,
    },
    random: seededRandom(9),
  });
  address = await proxy.listen({ admin: {} });
  since = Date.now();
  const client = new Client(address.url);
  await client.many(N, (i) => ({ path: `/r/${i}` }), 8);
  client.close();
});

afterAll(async () => {
  await proxy.close();
  await Promise.all([stable.close(), canary.close()]);
});

function scrape(path: string): Promise<{ status: number; type: string; body: string }> {
  const admin = address.admin;
  if (admin === undefined) throw new Error("no admin port");
  return new Promise((resolve, reject) => {
    request(new URL(path, admin.url), (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body }),
      );
    })
      .on("error", reject)
      .end();
  });
}

describe("per-version metrics", () => {
  it("count requests and 5xx per version as the backends answered them", () => {
    const s = proxy.metrics.window({ version: "stable", sinceMs: since });
    const c = proxy.metrics.window({ version: "canary", sinceMs: since });
    expect(s.requests + c.requests).toBe(N);
    expect(s.requests).toBe(stable.hits.length);
    expect(c.requests).toBe(canary.hits.length);
    expect(c.requests).toBeGreaterThan(240);
    expect(c.requests).toBeLessThan(360);
    const stable500 = Math.floor(stable.hits.length / 10);
    expect(s.errors5xx).toBe(stable500);
    expect(s.successRate).toBeCloseTo((s.requests - stable500) / s.requests, 12);
    expect(count(s.samples.outcomes, (ok) => !ok)).toBe(stable500);
    expect(c.errors5xx).toBe(0);
    expect(c.successRate).toBe(1);
  });

  it("give quantiles that reflect the backends' delays", () => {
    const c = proxy.metrics.window({ version: "canary", sinceMs: since });
    const { p50, p90, p99 } = c.latency;
    expect(p50).not.toBeNull();
    // Timers may fire up to 1 ms early, so "slow" is 98 ms or more; immediate answers take a few ms.
    expect(p50 ?? 0).toBeLessThan(98); // three in four canary requests are immediate
    expect(p90 ?? 0).toBeGreaterThanOrEqual(98);
    expect(p99 ?? 0).toBeGreaterThanOrEqual(98);
    expect(p99 ?? 0).toBeLessThan(1000);
    const slow = count(c.samples.latenciesMs, (ms) => ms >= 98);
    expect(slow).toBe(Math.floor(canary.hits.length / 4));
  });

  it("are served as Prometheus text on the admin port, with the seed's labels", async () => {
    const { status, type, body } = await scrape("/metrics");
    expect(status).toBe(200);
    expect(type).toBe("text/plain; version=0.0.4; charset=utf-8");
    const parsed = parseExposition(body);
    const stableLabels = { service: "payment", version: "stable", revision: "v1.4.0" };
    const canaryLabels = { service: "payment", version: "canary", revision: "v1.5.0-rc.1" };
    const byStatus = (labels: Record<string, string>, code: string) =>
      sampleValue(parsed, "http_requests_total", { ...labels, status: code });
    const n500 = Math.floor(stable.hits.length / 10);
    expect(byStatus(stableLabels, "500")).toBe(n500);
    expect(byStatus(stableLabels, "200") + byStatus(stableLabels, "404") + n500).toBe(stable.hits.length);
    expect(byStatus(stableLabels, "404")).toBeGreaterThan(0);
    expect(byStatus(canaryLabels, "200")).toBe(canary.hits.length);
    // The seed's success-rate query: sum(status!~"5..") / sum(all), for version="canary" and "stable".
    const rate = (version: string) => {
      const rows = parsed.samples.filter(
        (x) => x.name === "http_requests_total" && x.labels.version === version,
      );
      const ok = rows.filter((x) => !/^5..$/.test(x.labels.status ?? "")).reduce((a, x) => a + x.value, 0);
      return ok / rows.reduce((a, x) => a + x.value, 0);
    };
    expect(rate("canary")).toBe(1);
    expect(rate("stable")).toBeCloseTo(1 - n500 / stable.hits.length, 12);
    expect(sampleValue(parsed, "http_request_duration_seconds_count", canaryLabels)).toBe(canary.hits.length);
    expect(sampleValue(parsed, "http_request_duration_seconds_bucket", { ...canaryLabels, le: "+Inf" })).toBe(
      canary.hits.length,
    );
    const under50ms = sampleValue(parsed, "http_request_duration_seconds_bucket", {
      ...canaryLabels,
      le: "0.05",
    });
    expect(canary.hits.length - under50ms).toBe(Math.floor(canary.hits.length / 4));
    expect(sampleValue(parsed, "ramp_proxy_canary_weight_percent", { service: "payment" })).toBe(30);
  });

  it("serve health and the config in force beside the metrics", async () => {
    expect((await scrape("/healthz")).body).toBe("ok\n");
    const config = JSON.parse((await scrape("/config")).body) as { weight: number; timeoutMs: number };
    expect(config).toMatchObject({ weight: 30, timeoutMs: 30_000 });
    expect((await scrape("/nope")).status).toBe(404);
  });
});
