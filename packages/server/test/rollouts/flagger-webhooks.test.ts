/**
 * Flagger-shaped rollouts end to end: Ramp's server in this process, its built-in proxy, versions
 * the test runs itself (static platform), and real HTTP webhook receivers on loopback. Intervals of
 * one second keep each test short.
 */
import { createServer, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listenLocal } from "../../src/plugins/metrics/http/local-server.shared-test.js";
import { freePort } from "../../src/testing/index.js";
import { staticWorkload } from "./rollout-docs.js";
import { type RampServer, startRampServer } from "./rollout-server.js";
import { historyOf, isHealthyAt, type RolloutsApi, sleep, waitUntil } from "./rollouts-api.js";
import { type Backend, startBackend } from "./traffic.js";

interface Received {
  readonly path: string;
  readonly at: number;
  readonly body: {
    name: string;
    namespace: string;
    phase: string;
    checksum: string;
    metadata: Record<string, string>;
  };
}

/** A webhook receiver: records every POST and answers with the status set for its path (default 200). */
interface Receiver {
  readonly url: string;
  readonly received: Received[];
  readonly status: Map<string, number>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const status = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, at: Date.now(), body: JSON.parse(body) as Received["body"] });
      const code = status.get(path) ?? 200;
      res.writeHead(code, { "content-type": "text/plain" }).end(code === 200 ? "ok" : "not yet");
    });
  });
  return { received, status, ...(await listenLocal(server)) };
}

let ramp: RampServer;
let api: RolloutsApi;
let receiver: Receiver;
let backends: Backend[];

beforeEach(async () => {
  ramp = await startRampServer("ramp-flagger-e2e-");
  api = ramp.api;
  receiver = await startReceiver();
  backends = await Promise.all(["v1", "v2"].map((v) => startBackend(v)));
});

afterEach(async () => {
  await ramp.close();
  await receiver.close();
  await Promise.all(backends.map((b) => b.close()));
});

function rollout(name: string, port: number, version: string, analysis: Record<string, unknown>) {
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: {
      replicas: 1,
      version,
      strategy: {
        canary: {
          scaleDownDelaySeconds: 1,
          abortScaleDownDelaySeconds: 0,
          trafficRouting: { proxy: { listen: `127.0.0.1:${port}` } },
        },
      },
      analysis: { interval: "1s", threshold: 2, ...analysis },
      workload: staticWorkload(backends),
    },
  };
}

/** Applies v1 and waits until it is Healthy, then applies `version`. */
async function rollOut(name: string, analysis: Record<string, unknown>, version = "v2"): Promise<number> {
  const port = await freePort();
  await api.apply([rollout(name, port, "v1", analysis)]);
  await api.waitFor(name, "v1 Healthy", isHealthyAt("v1"));
  await api.apply([rollout(name, port, version, analysis)]);
  return port;
}

/** A version that answers every other request with a 500. */
async function startBadBackend(version: string): Promise<Backend> {
  let received = 0;
  const bad: Server = createServer((req, res) => {
    if (req.url === "/healthz") return void res.writeHead(200).end("ok");
    received++;
    res.writeHead(received % 2 === 0 ? 500 : 200).end(JSON.stringify({ version }));
  });
  return { version, received: () => received, ...(await listenLocal(bad)) };
}

const calls = (path: string) => receiver.received.filter((r) => r.path === path);

describe("Flagger-shaped rollouts with webhook gates", () => {
  it("confirm-promotion holds at maxWeight until the receiver answers 200, then promotes", async () => {
    receiver.status.set("/approve", 403);
    await rollOut("gated", {
      stepWeights: [20, 50],
      webhooks: [
        { name: "approve", type: "confirm-promotion", url: `${receiver.url}/approve`, timeout: "5s" },
      ],
    });
    const held = await api.waitFor(
      "gated",
      "held by confirm-promotion at 50%",
      (s) => s.phase === "Paused" && s.canaryWeight === 50,
    );
    expect(held.message).toBe("waiting for confirm-promotion webhook approve: HTTP 403: not yet");
    expect(held.flagger).toMatchObject({ phase: "WaitingPromotion", heldBy: { type: "confirm-promotion" } });
    // It stays there, asking once per interval.
    await sleep(2_500);
    const still = await api.get("gated");
    expect(still?.status).toMatchObject({ phase: "Paused", canaryWeight: 50, canaryVersion: "v2" });
    expect(calls("/approve").length).toBeGreaterThanOrEqual(2);
    const traffic = await api.traffic("gated");
    expect(traffic.versions.map((v) => v.version)).toEqual(["v1", "v2"]);
    expect(calls("/approve")[0]?.body).toEqual({
      name: "gated",
      namespace: "default",
      phase: "Progressing",
      checksum: expect.stringMatching(/^[0-9a-f]{8}$/),
      metadata: {},
    });

    const flipped = Date.now();
    receiver.status.set("/approve", 200);
    const done = await api.waitFor("gated", "v2 promoted", isHealthyAt("v2"));
    expect(historyOf(done, 2, ["WeightChanged"]).map((h) => h.weight)).toEqual([20, 50]);
    expect(historyOf(done, 2, ["WebhookHeld"])).toHaveLength(1);
    expect(historyOf(done, 2, ["Aborted"])).toEqual([]);
    const promoted = historyOf(done, 2, ["Promoted"]);
    expect(promoted).toHaveLength(1);
    expect(Date.parse(promoted[0]?.at ?? "")).toBeGreaterThanOrEqual(flipped);
    expect(done.flagger?.phase).toBe("Succeeded");
  }, 60_000);

  it("a rollback webhook answering 200 aborts: weight 0, Degraded, post-rollout told Failed", async () => {
    receiver.status.set("/stop", 404);
    const port = await rollOut("stopped", {
      stepWeight: 10,
      maxWeight: 90,
      webhooks: [
        { name: "stop", type: "rollback", url: `${receiver.url}/stop` },
        { name: "after", type: "post-rollout", url: `${receiver.url}/after` },
      ],
    });
    await api.waitFor("stopped", "20% on the canary", (s) => s.canaryWeight >= 20);
    receiver.status.set("/stop", 200);
    const aborted = await api.waitFor("stopped", "Degraded", (s) => s.phase === "Degraded");
    expect(aborted).toMatchObject({
      aborted: true,
      canaryWeight: 0,
      stableVersion: "v1",
      canaryVersion: "v2",
    });
    expect(aborted.message).toMatch(/rollback webhook stop signalled a rollback: HTTP 200/);
    expect(aborted.flagger?.phase).toBe("Failed");
    // Every interval asked the rollback webhook, with the canary's phase.
    expect(calls("/stop").every((c) => c.body.phase === "Progressing")).toBe(true);
    await waitUntil(async () => (calls("/after").length > 0 ? true : undefined), "the post-rollout webhook");
    expect(calls("/after").map((c) => c.body.phase)).toEqual(["Failed"]);
    // After the abort the proxy sends nothing to v2.
    await waitUntil(async () => {
      const t = await api.traffic("stopped");
      return t.versions.map((v) => v.version).join() === "v1" ? true : undefined;
    }, "the proxy to route to v1 only");
    const before = backends[1]?.received() ?? 0;
    for (let i = 0; i < 20; i++) await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    expect(backends[1]?.received()).toBe(before);
  }, 60_000);
});

describe("ramp:load-test", () => {
  const analysis = (load: boolean) => ({
    stepWeight: 50,
    threshold: 1,
    metrics: [{ name: "request-success-rate", thresholdRange: { min: 99 }, interval: "2s" }],
    webhooks: load
      ? [{ name: "load", type: "rollout", url: "ramp:load-test", metadata: { cmd: "hey -z 1m -q 10 -c 2" } }]
      : [],
  });

  it("gives the analysis signal with no user traffic; without it the first check fails for lack of data", async () => {
    // Without the load test: nobody calls the canary, the first metric check has no data, threshold 1.
    await rollOut("idle", analysis(false));
    const idle = await api.waitFor("idle", "Degraded", (s) => s.phase === "Degraded");
    expect(historyOf(idle, 2, ["CheckFailed"]).map((h) => h.message)).toEqual([
      expect.stringMatching(/^interval 3: metric checks Inconclusive \(analysis run idle-r2-check3\)/),
    ]);
    const [idleRun] = await api.analysisRuns("idle", 2);
    expect(idleRun?.status.metricResults[0]?.measurements[0]?.message).toMatch(
      /0 canary requests in the last 2s/,
    );

    // With it: the same analysis passes on the load generator's requests alone.
    const v2Before = backends[1]?.received() ?? 0;
    await rollOut("loaded", analysis(true));
    const done = await api.waitFor("loaded", "v2 promoted", isHealthyAt("v2"));
    expect(historyOf(done, 2, ["CheckFailed", "Aborted"])).toEqual([]);
    const runs = await api.analysisRuns("loaded", 2);
    expect(runs.map((r) => r.status.phase)).toEqual(runs.map(() => "Successful"));
    expect(runs.length).toBeGreaterThan(0);
    const measured = runs[0]?.status.metricResults[0]?.measurements[0];
    expect(Number(measured?.value)).toBeGreaterThanOrEqual(99);
    // The requests reached v2 itself, and stopped with the promotion's end of analysis.
    const reached = (backends[1]?.received() ?? 0) - v2Before;
    expect(reached).toBeGreaterThan(10);
    await sleep(1_000);
    const settled = backends[1]?.received() ?? 0;
    await sleep(1_000);
    expect(backends[1]?.received()).toBe(settled);
  }, 60_000);

  it("counts the failed checks of a bad version over the run and rolls back at the threshold", async () => {
    backends.push(await startBadBackend("v3-bad"));
    await rollOut("bad", { ...analysis(true), threshold: 2 }, "v3-bad");
    const aborted = await api.waitFor("bad", "Degraded", (s) => s.phase === "Degraded");
    expect(historyOf(aborted, 2, ["CheckFailed"]).map((h) => h.message)).toEqual([
      expect.stringMatching(
        /^interval 3: metric checks Failed \(analysis run bad-r2-check3\) \(failed checks 1\/2\)$/,
      ),
      expect.stringMatching(
        /^interval 4: metric checks Failed \(analysis run bad-r2-check4\) \(failed checks 2\/2\)$/,
      ),
    ]);
    expect(historyOf(aborted, 2, ["Aborted"])[0]?.message).toMatch(
      /^failed checks threshold reached \(2\/2\)/,
    );
    expect(aborted).toMatchObject({ aborted: true, canaryWeight: 0, stableVersion: "v1" });
    expect(aborted.flagger).toMatchObject({ phase: "Failed", failedChecks: 2 });
    const runs = await api.analysisRuns("bad", 2);
    expect(runs.map((r) => r.status.phase)).toEqual(["Failed", "Failed"]);
    const value = Number(runs[0]?.status.metricResults[0]?.measurements[0]?.value);
    expect(value).toBeGreaterThan(30);
    expect(value).toBeLessThan(70);
  }, 60_000);
});
