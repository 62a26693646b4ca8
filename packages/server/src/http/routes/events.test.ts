import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../test/http-harness.js";
import { SseClient, type SseEvent } from "../../../test/sse-client.js";
import { createMetricProviderFactory } from "../../plugins/metrics/factory.js";
import { NoopPlatform } from "../../plugins/platforms/noop/noop-platform.js";
import { NoopRouter } from "../../plugins/traffic/noop/noop-router.js";
import { RolloutController } from "../../rollouts/shell/controller.js";

const rollout = (version: string) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: { name: "payment" },
  spec: {
    replicas: 1,
    version,
    strategy: {
      canary: {
        steps: [{ setWeight: 50 }],
        trafficRouting: { proxy: { listen: "127.0.0.1:0" } },
        scaleDownDelaySeconds: 0,
      },
    },
    workload: {
      platform: "static",
      urls: { stable: ["http://127.0.0.1:1"], canary: ["http://127.0.0.1:2"] },
    },
  },
});

/** A controller of project 1 with no-op platform and router (the events are the point, not the rollout's I/O). */
function noopController(store: Harness["store"], leaseTtlMs?: number): RolloutController {
  return new RolloutController({
    store,
    projectId: 1,
    platform: () => new NoopPlatform(),
    router: () => new NoopRouter(),
    metrics: () => createMetricProviderFactory({}),
    log: () => undefined,
    ...(leaseTtlMs !== undefined && { leaseTtlMs }),
  });
}

let h: Harness;
let controller: RolloutController;
let read: string;
let stream: SseClient;

async function api(method: string, url: string, body?: unknown, token = h.tokens.admin) {
  const r = await h.app.inject({
    method: method as "GET",
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(body !== undefined && { payload: body as object }),
  });
  return r;
}

const data = (e: SseEvent) => JSON.parse(e.data) as Record<string, unknown>;

beforeAll(async () => {
  h = await startHarness({
    listen: true,
    app: { heartbeatMs: 100, events: { auditPollMs: 100, evaluationsMs: 100 } },
    deps: (deps) => {
      controller = noopController(deps.store);
      return { ...deps, rollouts: controller };
    },
  });
  expect(h.project.id).toBe(1);
  controller.start();
  read = (await api("POST", "/api/v1/tokens", { scope: "read" })).json().token as string;
  await h.putFlag({
    key: "checkout",
    type: "boolean",
    offVariant: "off",
    environments: { production: { on: false } },
  });
  stream = await SseClient.connect(`${h.url}/api/v1/events`, { authorization: `Bearer ${read}` });
});
afterAll(async () => {
  stream?.close();
  await controller?.stop();
  await h?.close();
});

describe("GET /api/v1/events", () => {
  it("opens for a read token as text/event-stream and pings", async () => {
    expect(stream.status).toBe(200);
    expect(stream.response.headers["content-type"]).toMatch(/^text\/event-stream/);
    await stream.until(() => stream.comments.some((c) => c.includes("ping")), "a ping");
  });

  it("refuses a client token (403) and no token (401)", async () => {
    const client = await SseClient.connect(`${h.url}/api/v1/events`, {
      authorization: `Bearer ${h.tokens.client}`,
    });
    expect(client.status).toBe(403);
    client.close();
    const bare = await SseClient.connect(`${h.url}/api/v1/events`);
    expect(bare.status).toBe(401);
    bare.close();
  });

  it("sends a flag event with the flag's new version, then its audit entry", async () => {
    const from = stream.events.length;
    const r = await api("PUT", "/api/v1/flags/checkout/environments/production/on", { on: true });
    expect(r.statusCode).toBe(200);
    const version = r.json().version as number;
    const flag = await stream.next((e) => e.event === "flag", from);
    expect(data(flag)).toEqual({ key: "checkout", version });
    const audit = await stream.next((e) => e.event === "audit" && data(e).action === "flag.on", from);
    expect(data(audit)).toMatchObject({ kind: "flag", key: "checkout", action: "flag.on" });
    expect(Object.keys(data(audit)).sort()).toEqual(["action", "actor", "at", "key", "kind", "seq"]);
    // The audit entry arrives after the flag event it explains.
    expect(stream.events.indexOf(audit)).toBeGreaterThan(stream.events.indexOf(flag));
  });

  it("sends a segment event, and a null version once the segment is deleted", async () => {
    const from = stream.events.length;
    const put = await api("PUT", "/api/v1/segments/beta", { if: 'user.plan == "beta"' });
    expect(put.statusCode, put.body).toBe(200);
    const e = await stream.next((x) => x.event === "segment", from);
    expect(data(e)).toEqual({ key: "beta", version: put.json().version });
    const after = stream.events.length;
    expect((await api("DELETE", "/api/v1/segments/beta")).statusCode).toBe(204);
    expect(data(await stream.next((x) => x.event === "segment", after))).toEqual({
      key: "beta",
      version: null,
    });
  });

  it("tails audit entries written without a change notification (a token's creation)", async () => {
    const from = stream.events.length;
    const created = (await api("POST", "/api/v1/tokens", { scope: "read", name: "x" })).json();
    const e = await stream.next((x) => x.event === "audit" && data(x).action === "token.create", from);
    expect(data(e)).toMatchObject({ kind: "token", key: created.id });
    const seqs = stream.events.filter((x) => x.event === "audit").map((x) => data(x).seq as number);
    expect(new Set(seqs).size, "no entry twice").toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it("sends rollout events whose summary is the listing's item, up to the persisted Healthy status", async () => {
    const from = stream.events.length;
    const applied = await api("POST", "/api/v1/rollouts", rollout("v1"));
    expect(applied.statusCode, applied.body).toBe(200);
    const healthy = await stream.next(
      (e) =>
        e.event === "rollout" &&
        (data(e).summary as { phase: string; stableVersion: string | null }).phase === "Healthy" &&
        (data(e).summary as { stableVersion: string | null }).stableVersion === "v1",
      from,
      15_000,
    );
    expect(data(healthy).name).toBe("payment");
    const listed = (await api("GET", "/api/v1/rollouts", undefined, read)).json().rollouts[0];
    expect(data(healthy).summary).toEqual(listed);
    // The first event is the apply itself, before the controller decided anything.
    const first = await stream.next((e) => e.event === "rollout", from);
    expect((data(first).summary as { message: string }).message).toBe("not reconciled yet");
    await stream.next((e) => e.event === "audit" && data(e).action === "rollout.apply", from);
  });

  it("sends an evaluations event when a flag's counters change", async () => {
    const from = stream.events.length;
    const r = await h.app.inject({
      method: "POST",
      url: "/sdk/v1/metrics",
      headers: { authorization: `Bearer ${h.tokens.server}` },
      payload: { evaluations: [{ flag: "checkout", variant: "on", count: 3 }] },
    });
    expect(r.statusCode).toBe(202);
    const e = await stream.next((x) => x.event === "evaluations", from);
    expect(data(e)).toEqual({ flag: "checkout", environment: "production" });
  });

  it("follows rollouts another replica runs by re-reading them", async () => {
    let standby: RolloutController | undefined;
    const other = await startHarness({
      listen: true,
      app: { heartbeatMs: 60_000, events: { auditPollMs: 100 } },
      deps: (deps) => {
        // Never started: it never leads, like a replica that lost the lease election.
        standby = noopController(deps.store);
        return { ...deps, rollouts: standby };
      },
    });
    const leader = noopController(other.store, 300);
    leader.start();
    const s = await SseClient.connect(`${other.url}/api/v1/events`, {
      authorization: `Bearer ${other.tokens.admin}`,
    });
    try {
      expect(standby?.leader).toBe(false);
      const applied = await other.app.inject({
        method: "POST",
        url: "/api/v1/rollouts",
        headers: { authorization: `Bearer ${other.tokens.admin}` },
        payload: rollout("v1"),
      });
      expect(applied.statusCode, applied.body).toBe(200);
      const healthy = await s.next(
        (e) => e.event === "rollout" && (data(e).summary as { phase: string }).phase === "Healthy",
        0,
        15_000,
      );
      expect(data(healthy).summary).toMatchObject({ name: "payment", stableVersion: "v1" });
    } finally {
      s.close();
      await leader.stop();
      await other.close();
    }
  });

  it("ends open streams when the server closes", async () => {
    const other = await startHarness({ listen: true, app: { heartbeatMs: 60_000 } });
    const s = await SseClient.connect(`${other.url}/api/v1/events`, {
      authorization: `Bearer ${other.tokens.admin}`,
    });
    expect(s.status).toBe(200);
    await other.close();
    await s.until(() => s.ended, "the stream to end", 2_000);
  });
});
