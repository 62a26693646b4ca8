import { describe, expect, it } from "vitest";
import { IssueList } from "../../analysis/issues.js";
import type { Metric } from "../../analysis/types.js";
import { BuiltinMetricProvider } from "./builtin/index.js";
import { CommandMetricProvider } from "./command/index.js";
import { MetricProviderError } from "./errors.js";
import { createMetricProviderFactory, parseProviderSpec } from "./factory.js";
import { NoopMetricProvider } from "./noop/index.js";
import { PrometheusMetricProvider } from "./prometheus/index.js";
import { WebMetricProvider } from "./web/index.js";

const source = {
  window: () => ({ requests: 1, errors5xx: 0, successRate: 1, latency: { p50: 1, p90: 1, p95: 1, p99: 1 } }),
};

function metricWith(provider: Record<string, unknown>): Metric {
  // A persisted run may hold anything: the factory must cope with keys the types do not know.
  const m: { name: string; provider: Record<string, unknown> } = { name: "m", provider };
  return m as Metric;
}

function failure(fn: () => unknown): MetricProviderError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MetricProviderError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("the metric provider factory", () => {
  it("makes the builtin provider from a per-version metrics source", () => {
    const f = createMetricProviderFactory({ versionMetrics: source });
    expect(f.create(metricWith({ builtin: { metric: "successRate" } }))).toBeInstanceOf(
      BuiltinMetricProvider,
    );
  });

  it("rejects unknown provider types, naming the known ones", () => {
    const e = failure(() => createMetricProviderFactory().create(metricWith({ graphana: {} })));
    expect(e.code).toBe("UNKNOWN_PROVIDER");
    expect(e.message).toBe(
      "metric 'm': unknown provider 'graphana'; known: builtin, prometheus, web, command, job, kayenta, datadog, newRelic, wavefront, cloudWatch, graphite, influxdb, skywalking, plugin",
    );
  });

  it("makes the prometheus, web and command providers", () => {
    const f = createMetricProviderFactory();
    expect(f.create(metricWith({ prometheus: { query: "up" } }))).toBeInstanceOf(PrometheusMetricProvider);
    expect(f.create(metricWith({ web: { url: "http://x" } }))).toBeInstanceOf(WebMetricProvider);
    expect(f.create(metricWith({ command: { command: "true" } }))).toBeInstanceOf(CommandMetricProvider);
  });

  it("says a known provider is not available yet, naming the ones that are", () => {
    const e = failure(() => createMetricProviderFactory().create(metricWith({ datadog: { query: "q" } })));
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.message).toBe("datadog: not available yet (this build runs: builtin, prometheus, web, command)");
  });

  it("points Argo's Kubernetes job provider at command", () => {
    const e = failure(() => createMetricProviderFactory().create(metricWith({ job: { spec: {} } })));
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.message).toMatch(
      /^job: runs a Kubernetes Job, which Ramp does not do; use the `command` provider/,
    );
  });

  it("says builtin needs a source when none was given", () => {
    const e = failure(() =>
      createMetricProviderFactory().create(metricWith({ builtin: { metric: "successRate" } })),
    );
    expect(e.code).toBe("UNAVAILABLE");
    expect(e.message).toMatch(/no per-version metrics source/);
  });

  it("rejects a metric with no provider or several", () => {
    expect(failure(() => createMetricProviderFactory().create(metricWith({}))).code).toBe("NO_PROVIDER");
    expect(failure(() => createMetricProviderFactory().create(metricWith({ web: {}, job: {} }))).code).toBe(
      "NO_PROVIDER",
    );
  });

  it("uses an injected provider for its key", () => {
    const stand = new NoopMetricProvider({}, "prometheus");
    const f = createMetricProviderFactory({ providers: { prometheus: stand } });
    expect(f.create(metricWith({ prometheus: { query: "up" } }))).toBe(stand);
  });
});

describe("parseProviderSpec", () => {
  it("keeps other Argo providers' settings as JSON", () => {
    const issues = new IssueList();
    expect(parseProviderSpec({ job: { spec: { template: {} } } }, "p", issues, false)).toEqual({
      job: { spec: { template: {} } },
    });
    expect(issues.items).toEqual([]);
  });

  it("refuses settings that are not JSON data", () => {
    const issues = new IssueList();
    expect(parseProviderSpec({ datadog: { query: new Date(0) } }, "p", issues, false)).toBeUndefined();
    expect(issues.items).toEqual([
      expect.objectContaining({ path: "p.datadog.query", message: expect.stringMatching(/JSON/) }),
    ]);
  });
});
