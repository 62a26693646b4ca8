/**
 * Blue-green's preview entry point end to end, for real (see process-rollouts.ts): the built-in proxy's
 * `previewListen` sends testers and the pre-promotion analysis to the new version before the switch,
 * the builtin provider measures those requests, and a bad preview is stopped before it is ever active.
 */
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/testing/index.js";
import { answeredBy, blueGreen, ids, useRolloutServer } from "./process-rollouts.js";
import { historyOf, sleep, timeOf } from "./rollouts-api.js";
import { requestsReceived, type SentRequest, sendBatch, TrafficGenerator } from "./traffic.js";

const e2e = useRolloutServer();

/**
 * The preview's own traffic, as the builtin provider sees it through the proxy: `version: canary` is
 * the preview before the switch. Two measurements 1 s apart, each over the last 3 s, 10 requests at least.
 */
const PREVIEW_TRAFFIC = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "preview-traffic" },
  spec: {
    metrics: [
      {
        name: "requests",
        interval: "1s",
        count: 2,
        successCondition: "result >= 10",
        provider: { builtin: { metric: "requestCount", version: "canary", window: "3s", minRequests: 10 } },
      },
      {
        name: "success-rate",
        interval: "1s",
        count: 2,
        failureLimit: 0,
        successCondition: "result >= 0.95",
        provider: { builtin: { metric: "successRate", version: "canary", window: "3s", minRequests: 10 } },
      },
    ],
  },
};

interface Ports {
  readonly port: number;
  readonly previewPort: number;
}

/** The suite's blue-green rollout with preview entry points; it waits for `promote` once the preview passed. */
function previewed(name: string, ports: Ports, version: string) {
  const doc = blueGreen(e2e.logDir, name, ports.port, version);
  return {
    ...doc,
    spec: {
      ...doc.spec,
      strategy: {
        blueGreen: {
          ...doc.spec.strategy.blueGreen,
          autoPromotionEnabled: false,
          prePromotionAnalysis: { templates: [{ templateName: "preview-traffic" }] },
          trafficRouting: {
            proxy: {
              listen: `127.0.0.1:${ports.port}`,
              previewListen: `127.0.0.1:${ports.previewPort}`,
              previewHeader: "x-ramp-preview: 1",
            },
          },
        },
      },
    },
  };
}

async function ports(): Promise<Ports> {
  const port = await freePort();
  let previewPort = await freePort();
  while (previewPort === port) previewPort = await freePort();
  return { port, previewPort };
}

/** What the preview listener says while nothing is rolling out. */
async function expectNoPreview(ports: Ports, name: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${ports.previewPort}/`);
  expect(response.status).toBe(503);
  const body = (await response.json()) as { error?: string; service?: string; message?: string };
  expect(body).toMatchObject({ error: "no-canary", service: name });
  expect(body.message).toContain(`'${name}'`);
}

/** The values a metric of the pre-promotion run measured, as numbers, with when each was taken. */
async function measured(name: string, metric: string) {
  const runs = await e2e.api.analysisRuns(name, 2);
  const pre = runs.find((r) => r.name === `${name}-r2-pre`);
  const result = pre?.status.metricResults.find((m) => m.name === metric);
  return {
    phase: pre?.status.phase,
    values: (result?.measurements ?? []).map((m) => ({
      value: Number(m.value),
      at: Date.parse(m.finishedAt ?? ""),
    })),
  };
}

/** Slow preview traffic (10 a second) so its count stands apart from the active's 50 a second. */
function previewTraffic(ports: Ports, prefix: string): TrafficGenerator {
  return new TrafficGenerator({
    url: `http://127.0.0.1:${ports.previewPort}`,
    prefix,
    intervalMs: 100,
    maxRequests: 400,
  });
}

const startedBefore = (sent: readonly SentRequest[], at: number) => sent.filter((r) => r.startedAt <= at);

describe("blue-green preview entry point (previewListen) with the built-in proxy", () => {
  it("sends preview traffic to the new version only, measures it before promotion, switches on promote", async () => {
    const p = await ports();
    await e2e.api.apply([PREVIEW_TRAFFIC]);
    await e2e.deployFirst(previewed("bgp", p, "v1"));
    await expectNoPreview(p, "bgp");

    const active = e2e.traffic(`http://127.0.0.1:${p.port}`, "a");
    await e2e.api.apply([previewed("bgp", p, "v2")]);
    await e2e.routesOnly("bgp", ["v1", "v2"]);
    const preview = previewTraffic(p, "p");
    let previewSent: SentRequest[];
    try {
      await e2e.api.waitFor("bgp", "awaiting promotion", (s) => s.blueGreenStage === "AwaitingPromotion");
      // Testers on the main listener reach the preview with the header, and only with it.
      const withHeader = await sendBatch(`http://127.0.0.1:${p.port}`, "h", 10, () => ({
        "x-ramp-preview": "1",
      }));
      expect(withHeader.map((r) => `${r.status} ${r.version}`)).toEqual(Array(10).fill("200 v2"));
      await sleep(300);
    } finally {
      previewSent = await preview.stop();
    }
    const beforePromote = Date.now();
    // Every request to the preview listener was answered by the new version, and nothing else reached
    // it: the demo service's own log holds exactly the preview requests and the header-routed ones.
    expect(previewSent.length).toBeGreaterThan(10);
    expect(previewSent.filter((r) => r.status !== 200 || r.version !== "v2")).toEqual([]);
    const headerIds = Array.from({ length: 10 }, (_, i) => `h-${i}`);
    expect(requestsReceived(e2e.logDir, "v2").sort()).toEqual([...ids(previewSent), ...headerIds].sort());

    // The pre-promotion analysis measured the preview's requests: never more than were sent to it
    // (the active listener's 50 a second went to v1), all of them successes.
    const requests = await measured("bgp", "requests");
    const success = await measured("bgp", "success-rate");
    expect(requests.phase).toBe("Successful");
    expect(requests.values).toHaveLength(2);
    for (const m of requests.values) {
      expect(m.value).toBeGreaterThanOrEqual(10);
      expect(m.value).toBeLessThanOrEqual(startedBefore(previewSent, m.at).length);
    }
    expect(success.values.map((m) => m.value)).toEqual([1, 1]);

    // The traffic view names both entry points, so testers (and `ramp rollout get`) find the preview.
    const traffic = await e2e.api.traffic("bgp", 10);
    expect(traffic.proxy).toBe(`http://127.0.0.1:${p.port}`);
    expect(traffic.preview).toBe(`http://127.0.0.1:${p.previewPort}`);

    // Nothing switched before promote; promote switches the active listener to v2.
    const paused = await e2e.api.get("bgp");
    expect(historyOf(paused?.status ?? fail("no status"), 2).map((h) => h.event)).not.toContain(
      "ActiveSwitched",
    );
    expect((await e2e.api.command("bgp", "promote")).status).toBe(200);
    const done = await e2e.api.waitFor(
      "bgp",
      "v2 promoted",
      (s) => s.phase === "Healthy" && s.stableVersion === "v2",
    );
    const switched = timeOf(done, 2, "ActiveSwitched");
    expect(switched).toBeGreaterThan(beforePromote);
    await e2e.routesOnly("bgp", ["v2"]);
    const sent = await active.stop();
    expect(sent.filter((r) => r.status !== 200)).toEqual([]);
    expect(answeredBy(sent, "v2").filter((r) => r.startedAt < beforePromote)).toEqual([]);
    expect(answeredBy(sent, "v2").length).toBeGreaterThan(0);
    // Promoted: nothing is rolling out, so the preview listener has nothing to serve.
    await expectNoPreview(p, "bgp");
  }, 60_000);

  it("fails the pre-promotion analysis of a bad preview from its own requests and aborts without switching", async () => {
    const p = await ports();
    await e2e.api.apply([PREVIEW_TRAFFIC]);
    await e2e.deployFirst(previewed("bgpbad", p, "v1"));
    const active = e2e.traffic(`http://127.0.0.1:${p.port}`, "a");
    await e2e.api.apply([previewed("bgpbad", p, "v3-bad")]);
    await e2e.routesOnly("bgpbad", ["v1", "v3-bad"]);
    const preview = previewTraffic(p, "p");
    let aborted: Awaited<ReturnType<typeof e2e.api.waitFor>>;
    let previewSent: SentRequest[];
    try {
      aborted = await e2e.api.waitFor("bgpbad", "Degraded", (s) => s.phase === "Degraded");
    } finally {
      previewSent = await preview.stop();
    }
    await e2e.routesOnly("bgpbad", ["v1"]);
    await sleep(300);
    const sent = await active.stop();

    expect(aborted).toMatchObject({
      aborted: true,
      stableVersion: "v1",
      activeVersion: "v1",
      canaryWeight: 0,
    });
    const events = historyOf(aborted, 2).map((h) => h.event);
    expect(events).toContain("Aborted");
    expect(events).not.toContain("ActiveSwitched");
    const runs = await e2e.api.analysisRuns("bgpbad", 2);
    expect(runs.map((r) => [r.name, r.status.phase])).toEqual([["bgpbad-r2-pre", "Failed"]]);
    // The failing measurement is the preview's success rate (v3-bad fails 90%); v1 failed nothing.
    const success = await measured("bgpbad", "success-rate");
    expect(success.values.length).toBeGreaterThan(0);
    expect(success.values.at(-1)?.value).toBeLessThan(0.5);

    // The active listener served v1 only, throughout; v3-bad saw preview requests and nothing else.
    expect(sent.length).toBeGreaterThan(20);
    expect(sent.filter((r) => r.status !== 200 || r.version !== "v1").map((r) => r.id)).toEqual([]);
    const reachedBad = requestsReceived(e2e.logDir, "v3-bad");
    expect(reachedBad.length).toBeGreaterThanOrEqual(10);
    const previewIds = new Set(ids(previewSent));
    expect(reachedBad.filter((id) => !previewIds.has(id))).toEqual([]);
    // Aborted: the preview is out of the routes, so its listener answers 503.
    await expectNoPreview(p, "bgpbad");
  }, 60_000);
});

function fail(message: string): never {
  throw new Error(message);
}
