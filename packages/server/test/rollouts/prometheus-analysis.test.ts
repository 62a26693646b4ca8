/**
 * The seed's Prometheus analysis, for real: a Prometheus (/usr/bin/prometheus) scrapes the Ramp
 * server's /metrics (the built-in proxy's per-version series, with the admin token) every second
 * while a canary rolls out through the proxy and the process platform. The AnalysisTemplate is the
 * seed's file (§2.3) with only the window lengths ([5m] → [30s]), the address and the schedule
 * (interval, count, failureLimit) shortened for a test. A healthy canary is promoted; one answering
 * a quarter of its requests with 500 is aborted by the Prometheus measurements.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { AnalysisRun, MetricResult } from "../../src/analysis/index.js";
import {
  type LocalPrometheus,
  startPrometheus,
} from "../../src/plugins/metrics/prometheus/local-prometheus.shared-test.js";
import { freePort } from "../../src/testing/index.js";
import { useRolloutServer } from "./process-rollouts.js";
import { canaryRollout, proxyAt } from "./rollout-docs.js";
import { ADMIN_TOKEN, historyOf, isHealthyAt, type RolloutsApi } from "./rollouts-api.js";
import type { SentRequest } from "./traffic.js";

const SEED_TEMPLATE = readFileSync(
  fileURLToPath(new URL("../../src/analysis/testdata/seed-success-rate.yaml", import.meta.url)),
  "utf8",
);
const DEMO_SERVICE = fileURLToPath(new URL("../../../../examples/demo-service/server.mjs", import.meta.url));
const FLAKY_ERROR_RATE = 0.25;

const e2e = useRolloutServer();

interface SeedMetric {
  name: string;
  interval: string;
  count?: number;
  failureLimit: number;
  successCondition: string;
  provider: { prometheus: { address: string; query: string } };
}

/** The seed's template with test-sized windows and schedule, pointed at the local Prometheus. */
function seedTemplate(prometheusUrl: string) {
  const doc = parse(SEED_TEMPLATE) as { spec: { metrics: SeedMetric[] } };
  for (const m of doc.spec.metrics) {
    m.provider.prometheus.address = prometheusUrl;
    m.provider.prometheus.query = m.provider.prometheus.query.replaceAll("[5m]", "[30s]");
    m.interval = "5s";
    m.count = 3;
    m.failureLimit = 1;
  }
  return doc;
}

function rollout(name: string, port: number, version: string) {
  return canaryRollout(
    name,
    version,
    {
      steps: [
        { setWeight: 50 },
        // Enough canary traffic in Prometheus for rate() over 30 s before the first measurement.
        { pause: { duration: "6s" } },
        {
          analysis: {
            templates: [{ templateName: "success-rate" }],
            args: [{ name: "service-name", value: name }],
          },
        },
      ],
      scaleDownDelaySeconds: 1,
      abortScaleDownDelaySeconds: 0,
      trafficRouting: proxyAt(port),
    },
    {
      platform: "process",
      command: [process.execPath, DEMO_SERVICE],
      env: { LATENCY_MS: "2" },
      readiness: { path: "/healthz", intervalMs: 50 },
      versions: {
        v1: { env: { ERROR_RATE: "0" } },
        v2: { env: { ERROR_RATE: "0" } },
        "v3-flaky": { env: { ERROR_RATE: String(FLAKY_ERROR_RATE), SEED: "prometheus-e2e" } },
      },
    },
  );
}

/** Starts Prometheus on the server's /metrics, applies the seed template, and deploys v1. */
async function setUp(name: string, port: number): Promise<LocalPrometheus> {
  const prometheus = await startPrometheus([
    { job: "ramp", target: new URL(e2e.api.url).host, bearer: ADMIN_TOKEN },
  ]);
  try {
    await prometheus.scraped();
    await e2e.api.apply([seedTemplate(prometheus.url)]);
    await e2e.deployFirst(rollout(name, port, "v1"));
  } catch (e) {
    await prometheus.stop();
    throw e;
  }
  return prometheus;
}

async function onlyRun(api: RolloutsApi, name: string): Promise<AnalysisRun> {
  const runs = await api.analysisRuns(name, 2);
  expect(runs.map((r) => r.name)).toEqual([`${name}-r2-step2`]);
  const [run] = runs;
  if (run === undefined) throw new Error("no analysis run");
  return run;
}

function metric(run: AnalysisRun, name: string): MetricResult {
  const m = run.status.metricResults.find((r) => r.name === name);
  if (m === undefined) throw new Error(`no metric ${name} in ${JSON.stringify(run.status)}`);
  return m;
}

/** The first number of each measurement's value (`[0.74]` → 0.74), as recorded in the run. */
function firstValues(m: MetricResult): number[] {
  return m.measurements.map((x) => {
    const match = /^\[([^,\]]+)/.exec(x.value ?? "");
    if (match === null) throw new Error(`measurement without a vector value: ${JSON.stringify(x)}`);
    return Number(match[1]);
  });
}

function successShare(sent: readonly SentRequest[], version: string): number {
  const answered = sent.filter((r) => r.version === version);
  return answered.filter((r) => r.status < 500).length / answered.length;
}

describe("the seed's Prometheus analysis against a real Prometheus", () => {
  it("a healthy canary passes every success-rate and p99 measurement and is promoted", async () => {
    const port = await freePort();
    const prometheus = await setUp("payment", port);
    try {
      const load = e2e.traffic(`http://127.0.0.1:${port}`, "h");
      await e2e.api.apply([rollout("payment", port, "v2")]);
      const done = await e2e.api.waitFor("payment", "v2 promoted", isHealthyAt("v2"), 60_000);
      const sent = await load.stop();

      expect(historyOf(done, 2, ["Aborted"])).toEqual([]);
      const run = await onlyRun(e2e.api, "payment");
      expect(run.status.phase).toBe("Successful");
      const rate = metric(run, "success-rate");
      const p99 = metric(run, "p99-latency");
      expect([rate.phase, rate.count, rate.successful, rate.error]).toEqual(["Successful", 3, 3, 0]);
      expect([p99.phase, p99.count, p99.successful, p99.error]).toEqual(["Successful", 3, 3, 0]);
      // No 5xx reached the clients, and Prometheus measured exactly that.
      expect(sent.filter((r) => r.status >= 500)).toEqual([]);
      expect(firstValues(rate)).toEqual([1, 1, 1]);
      // 2 ms answers: a real p99 from the proxy's histogram, well within the seed's 0.5 s.
      for (const v of firstValues(p99)) {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThanOrEqual(0.5);
      }
      console.info(
        `healthy canary: success-rate ${rate.measurements.map((m) => m.value).join(" ")}; p99 (s) ${p99.measurements.map((m) => m.value).join(" ")}`,
      );
    } finally {
      await prometheus.stop();
    }
  }, 90_000);

  it("a canary failing a quarter of its requests is aborted by the Prometheus measurements", async () => {
    const port = await freePort();
    const prometheus = await setUp("checkout", port);
    try {
      const load = e2e.traffic(`http://127.0.0.1:${port}`, "b");
      await e2e.api.apply([rollout("checkout", port, "v3-flaky")]);
      const aborted = await e2e.api.waitFor("checkout", "Degraded", (s) => s.phase === "Degraded", 60_000);
      const sent = await load.stop();

      expect(aborted).toMatchObject({ aborted: true, stableVersion: "v1", canaryVersion: "v3-flaky" });
      const run = await onlyRun(e2e.api, "checkout");
      expect(run.status.phase).toBe("Failed");
      expect(historyOf(aborted, 2, ["Aborted"]).map((h) => h.message)).toEqual([
        expect.stringContaining("analysis run checkout-r2-step2 Failed"),
      ]);
      const rate = metric(run, "success-rate");
      expect(rate.phase).toBe("Failed");
      expect(rate.failed).toBe(2); // failureLimit 1: the second failed measurement ends it
      expect(rate.measurements.map((m) => m.phase)).toEqual(["Failed", "Failed"]);
      // What Prometheus measured is what the clients saw of the canary: about 75% success. Each
      // measurement covers a few hundred requests of the last 30 s, so it may stray a little.
      const seen = successShare(sent, "v3-flaky");
      expect(seen).toBeGreaterThan(1 - FLAKY_ERROR_RATE - 0.1);
      expect(seen).toBeLessThan(1 - FLAKY_ERROR_RATE + 0.1);
      for (const v of firstValues(rate)) {
        expect(v).toBeLessThan(0.95);
        expect(Math.abs(v - seen)).toBeLessThan(0.15);
      }
      console.info(
        `flaky canary (clients saw ${seen.toFixed(3)} success): success-rate ${rate.measurements.map((m) => m.value).join(" ")}; p99 (s) ${metric(
          run,
          "p99-latency",
        )
          .measurements.map((m) => m.value)
          .join(" ")}`,
      );
    } finally {
      await prometheus.stop();
    }
  }, 90_000);

  it("the template is the seed's, with only the windows changed", () => {
    const seed = parse(SEED_TEMPLATE) as { spec: { metrics: SeedMetric[] } };
    const ours = seedTemplate("http://127.0.0.1:1");
    expect(ours.spec.metrics.map((m) => m.provider.prometheus.query.replaceAll("[30s]", "[5m]"))).toEqual(
      seed.spec.metrics.map((m) => m.provider.prometheus.query),
    );
    expect(ours.spec.metrics.map((m) => m.successCondition)).toEqual([
      "result[0] >= 0.95",
      "result[0] <= 0.5",
    ]);
  });
});
