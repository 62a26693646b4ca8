import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, until } from "../../../test/http-harness.js";
import { SseClient } from "../../../test/sse-client.js";

const NEW_CHECKOUT = {
  key: "new_checkout",
  description: "The new checkout flow",
  owner: "payments-team",
  type: "boolean",
  variants: { on: true, off: false },
  offVariant: "off",
  environments: {
    production: {
      on: true,
      targets: { on: ["beta-1"] },
      rules: [{ name: "enterprise", if: 'user.plan == "enterprise"', variant: "on" }],
      default: { split: { on: 25, off: 75 } },
    },
    staging: { on: false },
  },
};

const BANNER = {
  key: "banner",
  type: "string",
  variants: { blue: "blue", green: "green" },
  offVariant: "blue",
  environments: { production: { on: true, default: "green" }, staging: { on: true, default: "blue" } },
};

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ listen: true });
  await h.putFlag(NEW_CHECKOUT);
  await h.putFlag(BANNER);
});

/** A harness holding a flag written past the flag service's validation, as a damaged row would be. */
async function withBrokenFlag(): Promise<Harness> {
  const b = await startHarness();
  await b.putFlag(BANNER);
  await b.store.write(b.project.id, async (tx) => {
    await tx.putFlag("broken", {
      type: "boolean",
      variants: { on: true },
      environments: { production: { on: "yes" } },
    });
    await tx.recordChange("flag", "broken");
  });
  return b;
}

afterAll(async () => {
  await h.close();
});

function evaluate(key: string, body: unknown, token = h.tokens.client, query = "") {
  return h.app.inject({
    method: "POST",
    url: `/ofrep/v1/evaluate/flags/${key}${query}`,
    headers: { authorization: `Bearer ${token}` },
    payload: body as Record<string, unknown>,
  });
}

function bulk(body: unknown, headers: Record<string, string> = {}, token = h.tokens.client, query = "") {
  return h.app.inject({
    method: "POST",
    url: `/ofrep/v1/evaluate/flags${query}`,
    headers: { authorization: `Bearer ${token}`, ...headers },
    payload: body as Record<string, unknown>,
  });
}

describe("OFREP single-flag evaluation", () => {
  it("answers evaluationSuccess: key, value, reason, variant, metadata — and nothing of the rules", async () => {
    const r = await evaluate("new_checkout", { context: { targetingKey: "beta-1" } });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(r.json()).toEqual({
      key: "new_checkout",
      value: true,
      reason: "TARGETING_MATCH",
      variant: "on",
      metadata: { owner: "payments-team", description: "The new checkout flow" },
    });
  });

  it("evaluates rules over the context's attributes without showing them to a client token", async () => {
    const r = await evaluate("new_checkout", { context: { targetingKey: "u-1", plan: "enterprise" } });
    expect(r.json()).toMatchObject({ value: true, reason: "TARGETING_MATCH", variant: "on" });
    expect(r.body).not.toMatch(/rules|targets|enterprise|ruleName|ruleIndex|split|beta-1/);
  });

  it("serves a split by targetingKey and the same answer for the same key", async () => {
    const a = await evaluate("new_checkout", { context: { targetingKey: "user-42" } });
    const b = await evaluate("new_checkout", { context: { targetingKey: "user-42" } });
    expect(a.statusCode).toBe(200);
    expect(a.json().reason).toBe("SPLIT");
    expect(b.body).toBe(a.body);
  });

  it("accepts the token as X-API-Key", async () => {
    const r = await h.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/banner",
      headers: { "x-api-key": h.tokens.client },
      payload: { context: {} },
    });
    expect(r.json()).toEqual({ key: "banner", value: "green", reason: "STATIC", variant: "green" });
  });

  it("evaluates in the token's environment; admin tokens name it with ?env=", async () => {
    expect((await evaluate("banner", { context: {} }, h.tokens.stagingClient)).json().value).toBe("blue");
    expect((await evaluate("banner", { context: {} }, h.tokens.admin, "?env=staging")).json().value).toBe(
      "blue",
    );
    const off = await evaluate(
      "new_checkout",
      { context: { targetingKey: "beta-1" } },
      h.tokens.admin,
      "?env=staging",
    );
    expect(off.json()).toMatchObject({ value: false, reason: "DISABLED", variant: "off" });
  });

  it("404 FLAG_NOT_FOUND for an unknown key", async () => {
    const r = await evaluate("nope", { context: { targetingKey: "u" } });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({
      key: "nope",
      errorCode: "FLAG_NOT_FOUND",
      errorDetails: expect.stringContaining("nope"),
    });
  });

  it("400 TARGETING_KEY_MISSING when a split needs the targeting key", async () => {
    const r = await evaluate("new_checkout", { context: { plan: "free" } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({
      key: "new_checkout",
      errorCode: "TARGETING_KEY_MISSING",
      errorDetails: expect.any(String),
    });
  });

  it("400 INVALID_CONTEXT for a context that is not an object or a targetingKey that is not a string", async () => {
    for (const body of [{ context: "u-1" }, { context: [1] }, { context: { targetingKey: { id: 1 } } }]) {
      const r = await evaluate("banner", body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json()).toMatchObject({ key: "banner", errorCode: "INVALID_CONTEXT" });
    }
  });

  it("400 PARSE_ERROR for a body that is not JSON, not an object, or empty; and for a flag that does not compile", async () => {
    const raw = (payload: string, type = "application/json") =>
      h.app.inject({
        method: "POST",
        url: "/ofrep/v1/evaluate/flags/banner",
        headers: { authorization: `Bearer ${h.tokens.client}`, "content-type": type },
        payload,
      });
    for (const r of [
      await raw("{nope"),
      await raw("[1,2]"),
      await raw(""),
      await raw("<x/>", "application/xml"),
    ]) {
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({
        key: "banner",
        errorCode: "PARSE_ERROR",
        errorDetails: expect.any(String),
      });
    }
  });

  it("400 PARSE_ERROR for a flag whose stored definition does not compile; the others still work", async () => {
    const b = await withBrokenFlag();
    try {
      const post = (key: string) =>
        b.app.inject({
          method: "POST",
          url: `/ofrep/v1/evaluate/flags/${key}`,
          headers: { authorization: `Bearer ${b.tokens.client}` },
          payload: { context: {} },
        });
      const broken = await post("broken");
      expect(broken.statusCode).toBe(400);
      expect(broken.json()).toMatchObject({
        key: "broken",
        errorCode: "PARSE_ERROR",
        errorDetails: expect.any(String),
      });
      expect((await post("banner")).statusCode).toBe(200);
      const all = await b.app.inject({
        method: "POST",
        url: "/ofrep/v1/evaluate/flags",
        headers: { authorization: `Bearer ${b.tokens.client}` },
        payload: { context: {} },
      });
      expect(all.json().flags).toEqual([
        { key: "banner", value: "green", reason: "STATIC", variant: "green" },
        { key: "broken", errorCode: "PARSE_ERROR", errorDetails: expect.any(String) },
      ]);
    } finally {
      await b.close();
    }
  });

  it("400 GENERAL when an admin token names no environment or an unknown one", async () => {
    for (const query of ["", "?env=nowhere"]) {
      const r = await evaluate("banner", { context: {} }, h.tokens.admin, query);
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({
        key: "banner",
        errorCode: "GENERAL",
        errorDetails: expect.any(String),
      });
    }
  });

  it("401 without a token or with an unknown one; 403 for a token reaching into another environment", async () => {
    const none = await h.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/banner",
      payload: { context: {} },
    });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ errorDetails: expect.stringContaining("token") });
    const unknown = await evaluate("banner", { context: {} }, "ramp_client_nope");
    expect(unknown.statusCode).toBe(401);
    const other = await evaluate("banner", { context: {} }, h.tokens.client, "?env=staging");
    expect(other.statusCode).toBe(403);
    expect(other.json()).toEqual({ errorDetails: expect.stringContaining("production") });
  });

  it("counts evaluations per flag and variant, but not unknown keys", async () => {
    await evaluate("banner", { context: {} });
    await evaluate("no_such_flag_for_metrics", { context: {} });
    const text = await h.deps.metrics.registry.getSingleMetricAsString("ramp_flag_evaluations_total");
    expect(text).toMatch(
      /ramp_flag_evaluations_total\{environment="production",flag="banner",variant="green"\} [1-9]/,
    );
    expect(text).not.toContain("no_such_flag_for_metrics");
  });
});

describe("OFREP bulk evaluation", () => {
  it("evaluates every flag: successes and failures side by side, metadata and eventStreams, with an ETag", async () => {
    const r = await bulk({ context: { targetingKey: "beta-1" } });
    expect(r.statusCode).toBe(200);
    expect(r.headers.etag).toMatch(/^"\d+-[\w-]+"$/);
    const body = r.json();
    expect(body.flags).toEqual(
      expect.arrayContaining([
        { key: "banner", value: "green", reason: "STATIC", variant: "green" },
        expect.objectContaining({
          key: "new_checkout",
          value: true,
          reason: "TARGETING_MATCH",
          variant: "on",
        }),
      ]),
    );
    expect(body.flags).toHaveLength(2);
    expect(body.metadata).toEqual({ environment: "production", version: expect.any(Number) });
    expect(body.eventStreams).toEqual([
      {
        type: "sse",
        endpoint: { requestUri: expect.stringMatching(/^\/ofrep\/v1\/event-stream\?/) },
        inactivityDelaySec: 120,
      },
    ]);
    expect(r.body).not.toMatch(/rules|targets|enterprise|split/);
  });

  it("reports per-flag errors in the array (TARGETING_KEY_MISSING) and whole-request errors as bulkEvaluationFailure", async () => {
    const noKey = await bulk({ context: {} });
    expect(noKey.statusCode).toBe(200);
    expect(noKey.json().flags).toContainEqual(
      expect.objectContaining({ key: "new_checkout", errorCode: "TARGETING_KEY_MISSING" }),
    );
    const invalid = await bulk({ context: 7 });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({ errorCode: "INVALID_CONTEXT", errorDetails: expect.any(String) });
    const unparsable = await h.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags",
      headers: { authorization: `Bearer ${h.tokens.client}`, "content-type": "application/json" },
      payload: "{",
    });
    expect(unparsable.statusCode).toBe(400);
    expect(unparsable.json()).toEqual({ errorCode: "PARSE_ERROR", errorDetails: expect.any(String) });
    const general = await bulk({ context: {} }, {}, h.tokens.admin);
    expect(general.statusCode).toBe(400);
    expect(general.json()).toEqual({ errorCode: "GENERAL", errorDetails: expect.stringContaining("?env=") });
  });

  it("304 for If-None-Match while neither the flags nor the context change; 200 with a new ETag otherwise", async () => {
    const ctx = { context: { targetingKey: "user-7", plan: "free" } };
    const first = await bulk(ctx);
    const etag = String(first.headers.etag);
    const again = await bulk(ctx, { "if-none-match": etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    expect(again.headers.etag).toBe(etag);
    // The web provider keeps its ETag when only attributes change: that must not yield a 304.
    const otherContext = await bulk(
      { context: { targetingKey: "user-7", plan: "enterprise" } },
      { "if-none-match": etag },
    );
    expect(otherContext.statusCode).toBe(200);
    expect(otherContext.headers.etag).not.toBe(etag);
    // Another environment with the same context is another answer too.
    const staging = await bulk(ctx, { "if-none-match": etag }, h.tokens.admin, "?env=staging");
    expect(staging.statusCode).toBe(200);

    await h.putFlag({
      ...BANNER,
      environments: { ...BANNER.environments, production: { on: true, default: "blue" } },
    });
    const changed = await bulk(ctx, { "if-none-match": etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json().flags).toContainEqual({
      key: "banner",
      value: "blue",
      reason: "STATIC",
      variant: "blue",
    });
    await h.putFlag(BANNER);
  });

  it("a re-fetch naming a configuration this replica has not seen yet waits for it (flagConfigEtag)", async () => {
    const version = (await bulk({ context: {} })).json().metadata.version as number;
    const pending = bulk(
      { context: {} },
      {},
      h.tokens.client,
      `?flagConfigEtag=${encodeURIComponent(`"${h.project.id}-${version + 1}"`)}`,
    );
    await new Promise((r) => setTimeout(r, 50));
    await h.putFlag({ ...BANNER, environments: { ...BANNER.environments, production: { on: false } } });
    const r = await pending;
    expect(r.json().metadata.version).toBe(version + 1);
    expect(r.json().flags).toContainEqual({
      key: "banner",
      value: "blue",
      reason: "DISABLED",
      variant: "blue",
    });
    await h.putFlag(BANNER);
  });

  it("500 generalErrorResponse when the store fails", async () => {
    const broken = await startHarness({
      deps: (d) => {
        d.snapshots.get = () => Promise.reject(new Error("disk on fire"));
        return d;
      },
    });
    try {
      const r = await broken.app.inject({
        method: "POST",
        url: "/ofrep/v1/evaluate/flags",
        headers: { authorization: `Bearer ${broken.tokens.client}` },
        payload: { context: {} },
      });
      expect(r.statusCode).toBe(500);
      expect(r.json()).toEqual({ errorDetails: "internal error" });
    } finally {
      await broken.close();
    }
  });
});

describe("OFREP event stream (ADR-0008)", () => {
  async function streamUrl(token = h.tokens.client): Promise<string> {
    const body = (await bulk({ context: { targetingKey: "u" } }, {}, token)).json();
    return new URL(body.eventStreams[0].endpoint.requestUri, h.url).href;
  }

  it("tells a connected client to re-fetch when a flag changes: event message, data.type refetchEvaluation, id, etag", async () => {
    const client = await SseClient.connect(await streamUrl());
    try {
      expect(client.status).toBe(200);
      expect(client.response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
      // A client that is not provably current is told to re-fetch once on connect.
      const hello = await client.next();
      expect(JSON.parse(hello.data)).toMatchObject({ type: "refetchEvaluation" });
      const seen = client.events.length;
      await h.putFlag({ ...BANNER, description: "changed" });
      const e = await client.next(() => true, seen);
      expect(e.event).toBe("message");
      const data = JSON.parse(e.data);
      expect(data).toEqual({
        type: "refetchEvaluation",
        etag: `"${h.project.id}-${e.id}"`,
        lastModified: expect.any(Number),
      });
      expect(Number(e.id)).toBeGreaterThan(Number(hello.id));
    } finally {
      client.close();
      await h.putFlag(BANNER);
    }
  });

  it("resumes: a client whose Last-Event-ID is current is sent nothing; one behind is told to re-fetch", async () => {
    const url = await streamUrl();
    const version = (await bulk({ context: {} })).json().metadata.version as number;
    const current = await SseClient.connect(url, { "last-event-id": String(version) });
    const behind = await SseClient.connect(url, { "last-event-id": String(version - 1) });
    try {
      const e = await behind.next();
      expect(e.id).toBe(String(version));
      await new Promise((r) => setTimeout(r, 100));
      expect(current.events).toEqual([]);
    } finally {
      current.close();
      behind.close();
    }
  });

  it("refuses a missing or forged ticket (401) and a staging ticket's token reaching production is impossible", async () => {
    const url = new URL(await streamUrl());
    const noTicket = await SseClient.connect(`${h.url}/ofrep/v1/event-stream`);
    expect(noTicket.status).toBe(401);
    url.searchParams.set("env", "staging");
    const forged = await SseClient.connect(url.href);
    expect(forged.status).toBe(401);
    const staging = new URL(await streamUrl(h.tokens.stagingClient));
    expect(staging.searchParams.get("env")).toBe("staging");
    noTicket.close();
    forged.close();
  });

  it("keeps the connection alive with `: ping` comments, counts open streams, and cleans up on disconnect", async () => {
    process.env.RAMP_STREAM_HEARTBEAT_MS = "40";
    const fast = await startHarness({ listen: true });
    delete process.env.RAMP_STREAM_HEARTBEAT_MS;
    const gauge = () => fast.deps.metrics.registry.getSingleMetricAsString("ramp_stream_connections");
    try {
      const body = (
        await fast.app.inject({
          method: "POST",
          url: "/ofrep/v1/evaluate/flags",
          headers: { authorization: `Bearer ${fast.tokens.client}` },
          payload: { context: {} },
        })
      ).json();
      const client = await SseClient.connect(
        new URL(body.eventStreams[0].endpoint.requestUri, fast.url).href,
      );
      await client.until(() => client.comments.filter((c) => c === "ping").length >= 2, "two heartbeats");
      expect(await gauge()).toMatch(/ramp_stream_connections\{kind="ofrep"\} 1/);
      client.close();
      await client.until(() => client.ended, "the client to close");
      await until(
        async () => ((await gauge()).includes('kind="ofrep"} 0') ? true : undefined),
        "the gauge to drop",
      );
    } finally {
      await fast.close();
    }
  });
});
