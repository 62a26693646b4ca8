/**
 * Canary rollouts end to end, for real (see process-rollouts.ts): the built-in proxy, the process
 * platform running the demo service, traffic from a client. What reached each version is the demo
 * service's own log; the clients' view is checked too.
 */
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/testing/index.js";
import { answeredBy, canary, ids, useRolloutServer } from "./process-rollouts.js";
import {
  ADMIN_TOKEN,
  expectEveryStepOnce,
  historyOf,
  isHealthyAt,
  sleep,
  stepsEntered,
  timeOf,
  waitUntil,
} from "./rollouts-api.js";
import { requestsReceived, type SentRequest, sendBatch } from "./traffic.js";

const e2e = useRolloutServer();

describe("canary with the built-in proxy and the process platform", () => {
  it("walks a healthy version through every step, analysis included, and promotes it", async () => {
    const port = await freePort();
    const steps = [
      { setWeight: 30 },
      { pause: { duration: "1s" } },
      { analysis: { templates: [{ templateName: "canary-success-rate" }] } },
      { setWeight: 60 },
      { pause: { duration: "1s" } },
    ];
    await e2e.deployFirst(canary(e2e.logDir, "healthy", port, "v1", steps));
    const load = e2e.traffic(`http://127.0.0.1:${port}`, "h");
    await e2e.api.apply([canary(e2e.logDir, "healthy", port, "v2", steps)]);
    const done = await e2e.api.waitFor("healthy", "v2 promoted", isHealthyAt("v2"));
    const promoted = await e2e.routesOnly("healthy", ["v2"]);
    await sleep(300);
    const sent = await load.stop();

    expectEveryStepOnce(done, 2, steps.length);
    expect(historyOf(done, 2, ["WeightChanged"]).map((h) => h.weight)).toEqual([30, 60, 100]);
    expect(historyOf(done, 2, ["Aborted"])).toEqual([]);
    const runs = await e2e.api.analysisRuns("healthy", 2);
    expect(runs.map((r) => [r.name, r.status.phase])).toEqual([["healthy-r2-step2", "Successful"]]);
    expect(runs[0]?.status.metricResults[0]).toMatchObject({ count: 2, successful: 2 });

    // Nothing failed, not even across the promotion; the canary carried real traffic before it.
    expect(sent.filter((r) => r.status !== 200).map((r) => `${r.id}: ${r.status}`)).toEqual([]);
    expect(
      answeredBy(sent, "v2").filter((r) => r.startedAt < timeOf(done, 2, "Promoted")).length,
    ).toBeGreaterThan(20);
    expect(
      answeredBy(
        sent.filter((r) => r.startedAt > promoted),
        "v1",
      ),
    ).toEqual([]);
    // The proxy's per-version series reach the server's /metrics under the seed's PromQL names.
    const metrics = await (
      await fetch(`${e2e.api.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).text();
    expect(metrics).toMatch(
      /^http_requests_total\{[^}]*service="healthy"[^}]*version="canary"[^}]*status="200"/m,
    );
    expect(metrics).toMatch(/^http_request_duration_seconds_bucket\{[^}]*service="healthy"/m);
    expect(metrics.match(/^# TYPE http_requests_total /gm)).toHaveLength(1);
    // The demo service saw exactly what its clients saw (no mirror here).
    expect(requestsReceived(e2e.logDir, "v2").sort()).toEqual(ids(answeredBy(sent, "v2")));
    expect(requestsReceived(e2e.logDir, "v1").sort()).toEqual(ids(answeredBy(sent, "v1")));
  }, 60_000);

  it("aborts a bad version at its first analysis; once the abort is done the canary gets no request", async () => {
    const port = await freePort();
    const steps = [
      { setWeight: 40 },
      { pause: { duration: "1s" } },
      { analysis: { templates: [{ templateName: "canary-success-rate" }] } },
      { setWeight: 80 },
      { pause: { duration: "1s" } },
    ];
    await e2e.deployFirst(canary(e2e.logDir, "bad", port, "v1", steps));
    const load = e2e.traffic(`http://127.0.0.1:${port}`, "b");
    await e2e.api.apply([canary(e2e.logDir, "bad", port, "v3-bad", steps)]);
    const aborted = await e2e.api.waitFor("bad", "Degraded", (s) => s.phase === "Degraded");
    const abortDone = await e2e.routesOnly("bad", ["v1"]);
    // A second of traffic after the abort completed: 50 requests, none of which may reach v3-bad.
    await sleep(1000);
    const sent = await load.stop();

    expect(aborted).toMatchObject({
      aborted: true,
      stableVersion: "v1",
      canaryVersion: "v3-bad",
      canaryWeight: 0,
    });
    expect(stepsEntered(aborted, 2)).toEqual([0, 1, 2]);
    const runs = await e2e.api.analysisRuns("bad", 2);
    expect(runs.map((r) => [r.name, r.status.phase])).toEqual([["bad-r2-step2", "Failed"]]);
    expect(historyOf(aborted, 2, ["Aborted"]).map((h) => h.message)).toEqual([
      expect.stringContaining("analysis run bad-r2-step2 Failed"),
    ]);

    const after = sent.filter((r) => r.startedAt > abortDone);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((r) => r.status !== 200 || r.version !== "v1")).toEqual([]);
    const reachedCanary = new Set(requestsReceived(e2e.logDir, "v3-bad"));
    expect(reachedCanary.size, "the canary carried traffic before the abort").toBeGreaterThan(5);
    expect(after.filter((r) => reachedCanary.has(r.id)).map((r) => r.id)).toEqual([]);
  }, 60_000);

  it("pauses on an Inconclusive analysis: no traffic, so minRequests is never met within maxWait", async () => {
    const port = await freePort();
    const steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: "canary-success-rate-2s" }] } },
      { setWeight: 50 },
    ];
    await e2e.deployFirst(canary(e2e.logDir, "idle", port, "v1", steps));
    await e2e.api.apply([canary(e2e.logDir, "idle", port, "v2", steps)]);
    const paused = await e2e.api.waitFor("idle", "Paused", (s) => s.phase === "Paused");

    expect(paused.pauseConditions.map((p) => p.reason)).toEqual(["InconclusiveAnalysis"]);
    expect(paused.stepIndex).toBe(1);
    const [run] = await e2e.api.analysisRuns("idle", 2);
    expect(run?.status.phase).toBe("Inconclusive");
    const metric = run?.status.metricResults[0];
    expect(metric?.phase).toBe("Inconclusive");
    expect(metric?.measurements.map((m) => m.message ?? "").join("; ")).toMatch(/at least 5 needed/);
    // It waited for data for maxWait (2 s) before giving up.
    const started = Date.parse(run?.status.startedAt ?? "");
    const completed = Date.parse(run?.status.completedAt ?? "");
    expect(completed - started).toBeGreaterThanOrEqual(1_900);

    // It stays paused; promote skips the step.
    await sleep(1_200);
    expect((await e2e.api.get("idle"))?.status).toMatchObject({ phase: "Paused", stepIndex: 1 });
    expect((await e2e.api.command("idle", "promote")).status).toBe(200);
    const done = await e2e.api.waitFor("idle", "v2 promoted", isHealthyAt("v2"));
    expect(stepsEntered(done, 2)).toEqual([0, 1, 2]);
    expect(requestsReceived(e2e.logDir, "v2")).toEqual([]);
  }, 60_000);

  it("header routes send exactly the matching requests to the canary; mirroring copies exactly the matching share", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const steps = [
      { setCanaryScale: { replicas: 1 } },
      { pause: {} },
      {
        // Argo (Istio) semantics: a request matching any entry goes to the canary.
        setHeaderRoute: {
          name: "testers",
          match: [
            { headerName: "x-canary", headerValue: { exact: "yes" } },
            { headerName: "x-tester", headerValue: { prefix: "qa-" } },
          ],
        },
      },
      { pause: {} },
      { setHeaderRoute: { name: "testers" } },
      {
        setMirrorRoute: {
          name: "shadow",
          percentage: 100,
          match: [{ headers: { "x-mirror": { exact: "yes" } } }],
        },
      },
      { pause: {} },
      { setMirrorRoute: { name: "shadow" } },
      { pause: { duration: "1s" } },
    ];
    const routed = canary(e2e.logDir, "routes", port, "v2", steps, ["testers", "shadow"]);
    await e2e.deployFirst(canary(e2e.logDir, "routes", port, "v1", steps, ["testers", "shadow"]));
    await e2e.api.apply([routed]);

    // One batch per paused step: a quarter says x-canary: yes, others a near miss or nothing; a fifth
    // x-tester: qa-…, another fifth a near miss; a third x-mirror: yes.
    const header = (n: number): Record<string, string> => ({
      ...(n % 4 === 0 && { "x-canary": "yes" }),
      ...(n % 4 === 1 && { "x-canary": "no" }),
      ...(n % 4 === 2 && { "x-canary": "yes-please" }),
      ...(n % 5 === 0 && { "x-tester": `qa-${n}` }),
      ...(n % 5 === 1 && { "x-tester": `dev-qa-${n}` }),
      ...(n % 3 === 0 && { "x-mirror": "yes" }),
    });
    const routedToCanary = (r: SentRequest) =>
      r.headers["x-canary"] === "yes" || (r.headers["x-tester"] ?? "").startsWith("qa-");
    const atPause = (index: number) =>
      e2e.api.waitFor(
        "routes",
        `paused at step ${index}`,
        (s) => s.phase === "Paused" && s.stepIndex === index,
      );
    const canaryGot = (prefix: string) =>
      requestsReceived(e2e.logDir, "v2")
        .filter((id) => id.startsWith(`${prefix}-`))
        .sort();

    // Step 1: the canary runs, no route yet: it gets nothing, whatever the headers.
    await atPause(1);
    const before = await sendBatch(url, "none", 60, header);
    expect(before.every((r) => r.status === 200 && r.version === "v1")).toBe(true);
    expect(canaryGot("none")).toEqual([]);

    // Step 3: exactly the requests with x-canary: yes or x-tester: qa-… go to the canary, and nothing else does.
    expect((await e2e.api.command("routes", "promote")).status).toBe(200);
    await atPause(3);
    await waitUntil(
      async () =>
        (await sendBatch(url, "probe-h", 1, () => ({ "x-canary": "yes" })))[0]?.version === "v2"
          ? true
          : undefined,
      "the header route to be applied",
    );
    const headerRouted = await sendBatch(url, "header", 60, header);
    const matching = headerRouted.filter(routedToCanary);
    expect(matching).toHaveLength(24); // 15 + 12 - 3 with both
    expect(ids(answeredBy(headerRouted, "v2"))).toEqual(ids(matching));
    expect(ids(answeredBy(headerRouted, "v1"))).toEqual(
      ids(headerRouted.filter((r) => !matching.includes(r))),
    );
    expect(canaryGot("header")).toEqual(ids(matching));

    // Step 6: the header route is gone and every request with x-mirror: yes is copied to the canary.
    const proxyBefore = await canaryRequests();
    expect((await e2e.api.command("routes", "promote")).status).toBe(200);
    await atPause(6);
    await waitUntil(async () => {
      await sendBatch(url, "probe-m", 1, () => ({ "x-mirror": "yes" }));
      return canaryGot("probe-m").length > 0 ? true : undefined;
    }, "the mirror route to be applied");
    const mirrored = await sendBatch(url, "mirror", 60, header);
    const copied = mirrored.filter((r) => r.headers["x-mirror"] === "yes");
    expect(copied).toHaveLength(20);
    // Clients only ever hear from stable; the copies' answers are thrown away.
    expect(mirrored.every((r) => r.status === 200 && r.version === "v1")).toBe(true);
    // The proxy counts the copies as canary traffic (what an analysis of the canary reads): the
    // batch's and the probes', once each copy's answer has ended.
    const expectedCopies = () => copied.length + canaryGot("probe-m").length;
    await waitUntil(
      async () => ((await canaryRequests()) - proxyBefore >= expectedCopies() ? true : undefined),
      "the proxy to count the copies",
    );
    await sleep(300);
    expect(canaryGot("mirror")).toEqual(ids(copied));
    expect((await canaryRequests()) - proxyBefore).toBe(expectedCopies());

    // Then the route is removed and the rollout completes.
    expect((await e2e.api.command("routes", "promote")).status).toBe(200);
    const done = await e2e.api.waitFor("routes", "v2 promoted", isHealthyAt("v2"));
    expectEveryStepOnce(done, 2, steps.length);
  }, 60_000);
});

/** Requests the proxy recorded for v2 (the canary) since it started. */
async function canaryRequests(): Promise<number> {
  const t = await e2e.api.traffic("routes");
  return t.versions.filter((v) => v.version === "v2").reduce((n, v) => n + v.requests, 0);
}
