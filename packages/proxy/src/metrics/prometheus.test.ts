import { describe, expect, it } from "vitest";
import { parseExposition, sampleValue } from "../../test/prometheus-text.js";
import { ProxyMetrics } from "./proxy-metrics.js";
import { LATENCY_BUCKETS_SECONDS } from "./series.js";

describe("Prometheus exposition", () => {
  const metrics = new ProxyMetrics(() => 0, Math.random);
  metrics.setState({ service: 'pay"ment\\x', weight: 12.5, generation: 3 });
  const stable = metrics.seriesFor('pay"ment\\x', "stable", "v1\nbeta");
  const canary = metrics.seriesFor('pay"ment\\x', "canary", "v2");
  for (const [status, ms] of [
    [200, 3],
    [200, 7],
    [404, 30],
    [500, 700],
    [200, 20_000],
  ] as const) {
    stable.record(status, ms, 0);
  }
  canary.record(503, 1, 0);
  canary.retries = 2;
  canary.mirrored = 4;
  const text = metrics.prometheus();
  const parsed = parseExposition(text);

  it("parses line by line, every sample after its family's TYPE", () => {
    expect(parsed.types.get("http_requests_total")).toBe("counter");
    expect(parsed.types.get("http_request_duration_seconds")).toBe("histogram");
    expect(parsed.types.get("ramp_proxy_canary_weight_percent")).toBe("gauge");
  });

  it("uses the seed's label names, with the status code as status", () => {
    const svc = 'pay"ment\\x';
    const stableLabels = { service: svc, version: "stable", revision: "v1\nbeta" };
    expect(sampleValue(parsed, "http_requests_total", { ...stableLabels, status: "200" })).toBe(3);
    expect(sampleValue(parsed, "http_requests_total", { ...stableLabels, status: "404" })).toBe(1);
    expect(sampleValue(parsed, "http_requests_total", { ...stableLabels, status: "500" })).toBe(1);
    expect(sampleValue(parsed, "http_requests_total", { version: "canary", status: "503" })).toBe(1);
    expect(sampleValue(parsed, "ramp_proxy_retries_total", { version: "canary" })).toBe(2);
    expect(sampleValue(parsed, "ramp_proxy_mirrored_requests_total", { version: "canary" })).toBe(4);
    expect(sampleValue(parsed, "ramp_proxy_canary_weight_percent", { service: svc })).toBe(12.5);
    for (const s of parsed.samples.filter((x) => x.name === "http_requests_total")) {
      expect(Object.keys(s.labels).sort()).toEqual(["revision", "service", "status", "version"]);
      expect(s.labels.status).toMatch(/^[1-9]\d\d$/);
    }
  });

  it("writes cumulative histogram buckets ending in +Inf = _count", () => {
    const buckets = parsed.samples.filter(
      (s) => s.name === "http_request_duration_seconds_bucket" && s.labels.version === "stable",
    );
    expect(buckets.map((b) => b.labels.le)).toEqual([...LATENCY_BUCKETS_SECONDS.map(String), "+Inf"]);
    expect(buckets.map((b) => b.value)).toEqual([1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5]);
    expect(sampleValue(parsed, "http_request_duration_seconds_count", { version: "stable" })).toBe(5);
    expect(sampleValue(parsed, "http_request_duration_seconds_sum", { version: "stable" })).toBeCloseTo(
      20.74,
      6,
    );
  });

  it("escapes label values", () => {
    expect(text).toContain('service="pay\\"ment\\\\x"');
    expect(text).toContain('revision="v1\\nbeta"');
  });
});
