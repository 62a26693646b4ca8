import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test/backends.js";
import { ProxyMetrics } from "./proxy-metrics.js";
import { weightedQuantiles } from "./window.js";

function fakeClock(start: number) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number): void => {
      t += ms;
    },
  };
}

describe("weightedQuantiles", () => {
  it("uses the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    const weights = values.map(() => 1);
    expect(weightedQuantiles(values, weights, [0.5, 0.9, 0.95, 0.99, 1])).toEqual([50, 90, 95, 99, 100]);
  });

  it("counts a sample as many requests as it stands for", () => {
    expect(weightedQuantiles([10, 20], [9, 1], [0.5, 0.9, 0.95])).toEqual([10, 10, 20]);
  });

  it("gives null without samples", () => {
    expect(weightedQuantiles([], [], [0.5])).toEqual([null]);
  });
});

describe("ProxyMetrics.window", () => {
  it("counts requests, 5xx and quantiles of one version over the windows since a time", () => {
    const clock = fakeClock(1_000_000);
    const metrics = new ProxyMetrics(clock.now, seededRandom(1));
    metrics.setState({ service: "svc", weight: 10, generation: 1 });
    const canary = metrics.seriesFor("svc", "canary", "v2");
    const stable = metrics.seriesFor("svc", "stable", "v1");
    for (let i = 1; i <= 100; i++) canary.record(i % 10 === 0 ? 503 : 200, i, clock.now());
    stable.record(200, 1, clock.now());

    const w = metrics.window({ version: "canary", sinceMs: clock.now() - 1000 });
    expect(w.requests).toBe(100);
    expect(w.errors5xx).toBe(10);
    expect(w.successRate).toBe(0.9);
    expect(w.latency).toEqual({ p50: 50, p90: 90, p95: 95, p99: 99 });
    expect(w.samples.latenciesMs).toHaveLength(100);
    expect(w.samples.outcomes.filter((ok) => !ok)).toHaveLength(10);
    const at = w.samples.latenciesMs.indexOf(30);
    expect(w.samples.outcomes[at]).toBe(false);
    expect(metrics.window({ version: "stable", sinceMs: 0 }).requests).toBe(1);
  });

  it("says null, not a pass, when there is no traffic", () => {
    const metrics = new ProxyMetrics(() => 5_000, Math.random);
    const w = metrics.window({ version: "canary", sinceMs: 0 });
    expect(w).toMatchObject({ requests: 0, errors5xx: 0, successRate: null });
    expect(w.latency).toEqual({ p50: null, p90: null, p95: null, p99: null });
  });

  it("leaves out windows before sinceMs and those the ring has reused", () => {
    const clock = fakeClock(0);
    const metrics = new ProxyMetrics(clock.now, Math.random, { sizeMs: 10_000, count: 6, samples: 100 });
    const s = metrics.seriesFor("svc", "canary", "v2");
    for (let window = 0; window < 10; window++) {
      for (let i = 0; i <= window; i++) s.record(200, window, clock.now());
      clock.advance(10_000);
    }
    clock.advance(-1); // now in the 10th window (index 9): windows 4 … 9 are in the ring
    expect(metrics.window({ version: "canary", sinceMs: 0 }).requests).toBe(5 + 6 + 7 + 8 + 9 + 10);
    expect(metrics.window({ version: "canary", sinceMs: 85_000 }).requests).toBe(9 + 10);
    expect(metrics.window({ version: "canary", sinceMs: 90_000 }).requests).toBe(10);
    expect(metrics.window({ version: "canary", sinceMs: 90_000 }).fromMs).toBe(90_000);
  });

  it("keeps at most N samples per window by reservoir sampling, weighted back for quantiles", () => {
    const clock = fakeClock(0);
    const metrics = new ProxyMetrics(clock.now, seededRandom(3), { sizeMs: 1000, count: 10, samples: 200 });
    const s = metrics.seriesFor("svc", "stable", "v1");
    for (let i = 0; i < 20_000; i++) s.record(200, i % 1000, clock.now()); // uniform 0 … 999
    clock.advance(1000);
    for (let i = 0; i < 200; i++) s.record(200, 5000, clock.now()); // a quiet, slow window
    const w = metrics.window({ version: "stable", sinceMs: 0 });
    expect(w.requests).toBe(20_200);
    expect(w.samples.latenciesMs).toHaveLength(400);
    // Unweighted, half the samples are 5000 ms; weighted, 1% of requests are.
    expect(w.latency.p50).toBeGreaterThan(350);
    expect(w.latency.p50).toBeLessThan(650);
    expect(w.latency.p90).toBeLessThan(1000);
    expect(w.latency.p99).toBeLessThan(5000);
    expect(w.latency.p99).toBeGreaterThan(900);
  });

  it("filters by revision, and by the configured service", () => {
    const metrics = new ProxyMetrics(() => 0, Math.random);
    metrics.setState({ service: "svc", weight: 0, generation: 1 });
    metrics.seriesFor("svc", "canary", "v2").record(200, 1, 0);
    metrics.seriesFor("svc", "canary", "v3").record(200, 1, 0);
    metrics.seriesFor("svc", "canary", "v3").record(200, 1, 0);
    metrics.seriesFor("other", "canary", "v3").record(200, 1, 0);
    expect(metrics.window({ version: "canary", sinceMs: 0 }).requests).toBe(3);
    expect(metrics.window({ version: "canary", revision: "v3", sinceMs: 0 }).requests).toBe(2);
    expect(metrics.window({ version: "canary", service: "other", sinceMs: 0 }).requests).toBe(1);
  });
});
