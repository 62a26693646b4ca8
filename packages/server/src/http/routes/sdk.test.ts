import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, until } from "../../../test/http-harness.js";
import { SseClient, type SseEvent } from "../../../test/sse-client.js";
import type { ChangeNotice } from "../../flags/snapshots.js";

const checkout = (percentage: number) => ({
  key: "new_checkout",
  type: "boolean",
  variants: { on: true, off: false },
  offVariant: "off",
  environments: {
    production: {
      on: true,
      rules: [{ segment: "beta", variant: "on" }],
      default: { split: { on: percentage, off: 100 - percentage } },
    },
    staging: { on: false },
  },
});

let h: Harness;
/** Notices of these versions never reach the routes: a lost notification, as after a dropped connection. */
const dropped = new Set<number>();
const listeners: ((n: ChangeNotice) => void)[] = [];

beforeAll(async () => {
  process.env.RAMP_STREAM_HEARTBEAT_MS = "50";
  h = await startHarness({
    listen: true,
    deps: (d) => {
      const real = d.snapshots.onChange.bind(d.snapshots);
      d.snapshots.onChange = (listener) => {
        listeners.push(listener);
        return real((n) => {
          if (!dropped.has(n.version)) listener(n);
        });
      };
      return d;
    },
  });
  delete process.env.RAMP_STREAM_HEARTBEAT_MS;
  await h.app.inject({
    method: "PUT",
    url: "/api/v1/segments/beta",
    headers: { authorization: `Bearer ${h.tokens.admin}` },
    payload: { include: ["beta-1"] },
  });
  await h.putFlag(checkout(10));
  await h.putFlag({
    key: "banner",
    type: "string",
    variants: { a: "A", b: "B" },
    offVariant: "a",
    environments: { production: { on: true, default: "b" } },
  });
});

afterAll(async () => {
  await h.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function version(): Promise<number> {
  return (await h.store.getProject(h.project.id))?.seq ?? -1;
}

function connect(
  headers: Record<string, string> = {},
  token = h.tokens.server,
  query = "",
): Promise<SseClient> {
  return SseClient.connect(`${h.url}/sdk/v1/stream${query}`, { ...auth(token), ...headers });
}

const data = (e: SseEvent) => JSON.parse(e.data);

describe("GET /sdk/v1/flags", () => {
  it("serves the environment's flag file with its version, and 304 for a current If-None-Match", async () => {
    const r = await h.app.inject({ url: "/sdk/v1/flags", headers: auth(h.tokens.server) });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    const v = await version();
    expect(body).toMatchObject({
      environment: "production",
      version: v,
      file: { version: 1, environments: ["production"] },
    });
    expect(Object.keys(body.file.flags).sort()).toEqual(["banner", "new_checkout"]);
    expect(body.file.flags.new_checkout.environments).toEqual({
      production: checkout(10).environments.production,
    });
    expect(body.file.segments).toEqual({ beta: { include: ["beta-1"] } });
    expect(r.headers.etag).toBe(`"${v}"`);
    const again = await h.app.inject({
      url: "/sdk/v1/flags",
      headers: { ...auth(h.tokens.server), "if-none-match": `"${v}"` },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
  });

  it("lets admin tokens choose the environment, refuses client tokens (403) and unknown environments (404)", async () => {
    const staging = await h.app.inject({ url: "/sdk/v1/flags?env=staging", headers: auth(h.tokens.admin) });
    expect(staging.json().file.flags.new_checkout.environments).toEqual({ staging: { on: false } });
    expect((await h.app.inject({ url: "/sdk/v1/flags", headers: auth(h.tokens.client) })).statusCode).toBe(
      403,
    );
    expect(
      (await h.app.inject({ url: "/sdk/v1/flags?env=staging", headers: auth(h.tokens.server) })).statusCode,
    ).toBe(403);
    expect((await h.app.inject({ url: "/sdk/v1/flags" })).statusCode).toBe(401);
    const unknown = await h.app.inject({ url: "/sdk/v1/flags?env=mars", headers: auth(h.tokens.admin) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("environment_not_found");
  });
});

describe("GET /sdk/v1/stream", () => {
  it("sends a put on connect, then one patch per write with the environment's documents", async () => {
    const client = await connect();
    try {
      expect(client.status).toBe(200);
      expect(client.response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
      expect(client.response.headers["cache-control"]).toContain("no-transform");
      const put = await client.next();
      const v = await version();
      expect(put).toMatchObject({ event: "put", id: String(v) });
      expect(data(put)).toMatchObject({
        environment: "production",
        version: v,
        file: { flags: { banner: expect.any(Object) } },
      });

      await h.putFlag(checkout(50));
      const patch = await client.next((e) => e.event === "patch");
      expect(patch.id).toBe(String(v + 1));
      expect(data(patch)).toEqual({
        version: v + 1,
        flags: {
          new_checkout: {
            ...checkout(50),
            key: undefined,
            environments: { production: checkout(50).environments.production },
          },
        },
        segments: {},
      });
      expect(patch.data).not.toContain("staging");

      await h.app.inject({
        method: "PUT",
        url: "/api/v1/segments/beta",
        headers: auth(h.tokens.admin),
        payload: { include: ["beta-1", "beta-2"] },
      });
      const segment = await client.next((e) => e.id === String(v + 2));
      expect(data(segment)).toEqual({
        version: v + 2,
        flags: {},
        segments: { beta: { include: ["beta-1", "beta-2"] } },
      });

      await h.app.inject({
        method: "POST",
        url: "/api/v1/flags/banner/archive",
        headers: auth(h.tokens.admin),
      });
      const archived = await client.next((e) => e.id === String(v + 3));
      expect(data(archived)).toEqual({ version: v + 3, flags: { banner: null }, segments: {} });
      await h.app.inject({
        method: "POST",
        url: "/api/v1/flags/banner/unarchive",
        headers: auth(h.tokens.admin),
      });
      await client.next((e) => e.id === String(v + 4));
      expect(client.events.map((e) => e.event)).toEqual(["put", "patch", "patch", "patch", "patch"]);
    } finally {
      client.close();
    }
  });

  it("resumes by Last-Event-ID: a current client is sent nothing, one behind gets a fresh put", async () => {
    const v = await version();
    const current = await connect({ "last-event-id": String(v) });
    const behind = await connect({ "last-event-id": String(v - 2) });
    try {
      const put = await behind.next();
      expect(put).toMatchObject({ event: "put", id: String(v) });
      // Heartbeats prove the current stream is open and has been sent nothing else.
      await current.until(() => current.comments.includes("ping"), "a heartbeat");
      expect(current.events).toEqual([]);
      await h.putFlag(checkout(60));
      expect(await current.next()).toMatchObject({ event: "patch", id: String(v + 1) });
    } finally {
      current.close();
      behind.close();
    }
  });

  it("a client resuming from a version this replica has not seen yet waits for it, then gets nothing resent", async () => {
    const v = await version();
    // The stream's head is only sent once the replica has caught up: connect, then write.
    const connecting = connect({ "last-event-id": String(v + 1) });
    await new Promise((r) => setTimeout(r, 50));
    await h.putFlag(checkout(65));
    const ahead = await connecting;
    try {
      await h.putFlag(checkout(66));
      expect(await ahead.next()).toMatchObject({ event: "patch", id: String(v + 2) });
      expect(ahead.events).toHaveLength(1);
    } finally {
      ahead.close();
    }
  });

  it("leaves nothing behind for a client that leaves while its resume waits", async () => {
    const gauge = async () => {
      const text = await h.deps.metrics.registry.getSingleMetricAsString("ramp_stream_connections");
      return Number(/kind="sdk"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    await until(async () => ((await gauge()) === 0 ? true : undefined), "earlier streams to close");
    const gone = request(`${h.url}/sdk/v1/stream`, {
      headers: { ...auth(h.tokens.server), "last-event-id": String((await version()) + 100) },
    });
    gone.on("error", () => undefined);
    gone.end();
    await new Promise((r) => setTimeout(r, 50));
    gone.destroy();
    // The route gives up waiting after 2 s and opens the stream on a closed socket: it must not count.
    await new Promise((r) => setTimeout(r, 2_300));
    expect(await gauge()).toBe(0);
  });

  it("sends a put instead of a patch when a notice was lost (a gap) or after a resync", async () => {
    const client = await connect();
    try {
      await client.next();
      const v = await version();
      dropped.add(v + 1);
      await h.putFlag(checkout(70));
      await h.putFlag(checkout(71));
      const put = await client.next((e) => e.id === String(v + 2));
      expect(put.event).toBe("put");
      expect(data(put).file.flags.new_checkout.environments.production.default).toEqual({
        split: { on: 71, off: 29 },
      });

      dropped.add(v + 3);
      await h.putFlag(checkout(72));
      for (const l of listeners) l({ projectId: h.project.id, version: v + 3, changes: [], resync: true });
      const resync = await client.next((e) => e.id === String(v + 3));
      expect(resync.event).toBe("put");
      expect(client.events.filter((e) => e.event === "patch")).toEqual([]);
    } finally {
      client.close();
    }
  });

  it("keeps idle streams alive with `: ping`, counts them, and forgets them on disconnect", async () => {
    const gauge = async () => {
      const text = await h.deps.metrics.registry.getSingleMetricAsString("ramp_stream_connections");
      return Number(/kind="sdk"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    // The earlier tests' streams close asynchronously on the server.
    await until(async () => ((await gauge()) === 0 ? true : undefined), "earlier streams to close");
    const before = 0;
    const client = await connect();
    await client.next();
    await client.until(() => client.comments.filter((c) => c === "ping").length >= 2, "two heartbeats");
    expect(await gauge()).toBe(before + 1);
    client.close();
    await until(async () => ((await gauge()) === before ? true : undefined), "the gauge to drop");
  });

  it("refuses client tokens (403) and unknown environments (JSON 404 before the stream opens)", async () => {
    const client = await connect({}, h.tokens.client);
    expect(client.status).toBe(403);
    client.close();
    const unknown = await connect({}, h.tokens.admin, "?env=mars");
    expect(unknown.status).toBe(404);
    unknown.close();
  });
});

describe("POST /sdk/v1/metrics and /sdk/v1/events", () => {
  it("counts reported evaluations of the environment's flags and ignores unknown flags", async () => {
    const r = await h.app.inject({
      method: "POST",
      url: "/sdk/v1/metrics",
      headers: auth(h.tokens.server),
      payload: {
        evaluations: [
          { flag: "new_checkout", variant: "on", count: 40 },
          { flag: "new_checkout", variant: "off", count: 2 },
          { flag: "made_up", variant: "x", count: 1 },
        ],
      },
    });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toEqual({ accepted: 2, ignored: 1 });
    const text = await h.deps.metrics.registry.getSingleMetricAsString("ramp_flag_evaluations_total");
    expect(text).toContain(
      'ramp_flag_evaluations_total{environment="production",flag="new_checkout",variant="on"} 40',
    );
    expect(text).not.toContain("made_up");
  });

  it("stores tracked events and validates them", async () => {
    const r = await h.app.inject({
      method: "POST",
      url: "/sdk/v1/events",
      headers: auth(h.tokens.server),
      payload: {
        events: [
          {
            name: "purchase",
            targetingKey: "u-1",
            value: 42.5,
            attributes: { plan: "pro" },
            at: "2026-01-02T03:04:05Z",
          },
          { name: "signup" },
        ],
      },
    });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toEqual({ accepted: 2 });
    const events = await h.store.listEvents(h.project.id, "production");
    expect(events).toContainEqual({
      projectId: h.project.id,
      environment: "production",
      name: "purchase",
      targetingKey: "u-1",
      value: 42.5,
      attributes: { plan: "pro" },
      at: "2026-01-02T03:04:05.000Z",
    });
    expect(events.find((e) => e.name === "signup")).toMatchObject({
      targetingKey: null,
      value: null,
      attributes: null,
    });

    for (const payload of [
      {},
      { events: [{}] },
      { events: [{ name: "x", at: "yesterday" }] },
      { events: [{ name: "x", extra: 1 }] },
    ]) {
      const bad = await h.app.inject({
        method: "POST",
        url: "/sdk/v1/events",
        headers: auth(h.tokens.server),
        payload,
      });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().error.code).toBe("invalid_request");
    }
    const client = await h.app.inject({
      method: "POST",
      url: "/sdk/v1/events",
      headers: auth(h.tokens.client),
      payload: { events: [] },
    });
    expect(client.statusCode).toBe(403);
  });
});
