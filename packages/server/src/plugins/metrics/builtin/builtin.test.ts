import { describe, expect, it } from "vitest";
import type { BuiltinMetric, Metric } from "../../../analysis/types.js";
import { describeMetricProviderContract } from "../provider-contract.shared-test.js";
import {
  BuiltinMetricProvider,
  type VersionMetricsSource,
  type VersionWindow,
  type VersionWindowQuery,
} from "./index.js";

const NOW = Date.parse("2025-01-01T00:10:00Z");
const ctx = { now: NOW, signal: new AbortController().signal, runName: "r" };

function source(
  window: Partial<VersionWindow> = {},
): VersionMetricsSource & { queries: VersionWindowQuery[] } {
  const queries: VersionWindowQuery[] = [];
  return {
    queries,
    window: (q) => {
      queries.push(q);
      return {
        requests: 200,
        errors5xx: 4,
        successRate: 0.98,
        latency: { p50: 12, p90: 40, p95: 55, p99: 180 },
        ...window,
      };
    },
  };
}

function metric(builtin: BuiltinMetric): Metric {
  return { name: "m", provider: { builtin } };
}

describeMetricProviderContract("builtin", {
  provider: () => new BuiltinMetricProvider(source()),
  metric: metric({ metric: "successRate" }),
  type: "builtin",
});

describe("builtin provider", () => {
  it.each([
    ["successRate", 0.98],
    ["errorRate", 0.02],
    ["latencyP50", 12],
    ["latencyP90", 40],
    ["latencyP95", 55],
    ["latencyP99", 180],
    ["requestCount", 200],
    ["request-success-rate", 98], // Flagger: percent
    ["request-duration", 180], // Flagger: p99 in ms
  ] as const)("%s → %s", async (kind, value) => {
    expect(await new BuiltinMetricProvider(source()).measure(metric({ metric: kind }), ctx)).toEqual({
      value,
    });
  });

  it("asks for the canary over the last minute by default", async () => {
    const s = source();
    await new BuiltinMetricProvider(s).measure(metric({ metric: "successRate" }), ctx);
    expect(s.queries).toEqual([{ version: "canary", sinceMs: NOW - 60_000 }]);
  });

  it("passes service, version and window", async () => {
    const s = source();
    await new BuiltinMetricProvider(s).measure(
      metric({ metric: "latencyP99", service: "payment", version: "stable", window: "5m" }),
      ctx,
    );
    expect(s.queries).toEqual([{ service: "payment", version: "stable", sinceMs: NOW - 300_000 }]);
  });

  it("fewer requests than minRequests is insufficient data, never a value", async () => {
    const r = await new BuiltinMetricProvider(source({ requests: 12 })).measure(
      metric({ metric: "successRate", minRequests: 50, service: "payment" }),
      ctx,
    );
    expect(r).toEqual({
      insufficientData: { reason: "12 payment canary requests in the last 1m; at least 50 needed" },
    });
  });

  it("zero requests is insufficient data for a rate even with minRequests 0", async () => {
    const r = await new BuiltinMetricProvider(source({ requests: 0, successRate: 1 })).measure(
      metric({ metric: "successRate", minRequests: 0 }),
      ctx,
    );
    expect(r).toHaveProperty("insufficientData");
  });

  it("zero requests is a value for requestCount (unless minRequests says otherwise)", async () => {
    const p = new BuiltinMetricProvider(source({ requests: 0 }));
    expect(await p.measure(metric({ metric: "requestCount" }), ctx)).toEqual({ value: 0 });
    expect(await p.measure(metric({ metric: "requestCount", minRequests: 10 }), ctx)).toHaveProperty(
      "insufficientData",
    );
  });

  it("a source that fails is an error with its message", async () => {
    const failing: VersionMetricsSource = {
      window: () => Promise.reject(new Error("proxy unreachable")),
    };
    expect(await new BuiltinMetricProvider(failing).measure(metric({ metric: "successRate" }), ctx)).toEqual({
      error: "builtin: reading canary metrics failed: proxy unreachable",
    });
  });
});
