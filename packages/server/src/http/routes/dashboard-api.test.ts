import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../test/http-harness.js";
import { ServerMetrics } from "../metrics.js";

/** The series' clock: tests move it by hand. Starts on a bucket boundary plus 3 s. */
let clock = 1_800_000_003_000;
let h: Harness;
let read: string;

async function api(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  return h.app.inject({
    method: method as "GET",
    url,
    headers: { authorization: `Bearer ${h.tokens.admin}`, ...headers },
    ...(body !== undefined && { payload: body as object }),
  });
}

const checkout = {
  key: "checkout",
  type: "boolean",
  offVariant: "off",
  environments: { production: { on: true, default: { split: { on: 50, off: 50 } } }, staging: { on: false } },
};

beforeAll(async () => {
  h = await startHarness({
    deps: (d) => ({
      ...d,
      metrics: new ServerMetrics(
        d.store,
        () => 1,
        () => clock,
      ),
    }),
  });
  read = (await api("POST", "/api/v1/tokens", { scope: "read", name: "wall screen" })).json().token as string;
  await h.putFlag(checkout);
});
afterAll(() => h?.close());

describe("read tokens and whoami", () => {
  it("tells every kind of token what it is", async () => {
    const who = async (token: string) =>
      (
        await h.app.inject({
          method: "GET",
          url: "/api/v1/whoami",
          headers: { authorization: `Bearer ${token}` },
        })
      ).json();
    expect(await who(read)).toEqual({ scope: "read", environment: null, name: "wall screen" });
    expect(await who(h.tokens.admin)).toEqual({ scope: "admin", environment: null, name: "test admin" });
    expect(await who(h.tokens.client)).toEqual({
      scope: "client",
      environment: "production",
      name: "test client",
    });
    expect(await who(h.tokens.server)).toMatchObject({ scope: "server", environment: "production" });
    const bare = await h.app.inject({ method: "GET", url: "/api/v1/whoami" });
    expect(bare.statusCode).toBe(401);
  });

  it("creates read tokens for every environment only, and only with an admin token", async () => {
    const bound = await api("POST", "/api/v1/tokens", { scope: "read", environment: "production" });
    expect(bound.statusCode).toBe(400);
    expect(bound.json().error.message).toMatch(/read tokens reach every environment/);
    const byReader = await api(
      "POST",
      "/api/v1/tokens",
      { scope: "read" },
      { authorization: `Bearer ${read}` },
    );
    expect(byReader.statusCode).toBe(403);
  });

  it("reads with a read token and refuses its writes with 403 forbidden", async () => {
    const auth = { authorization: `Bearer ${read}` };
    expect((await api("GET", "/api/v1/flags/checkout", undefined, auth)).statusCode).toBe(200);
    expect((await api("GET", "/api/v1/audit?limit=1", undefined, auth)).statusCode).toBe(200);
    const put = await api("PUT", "/api/v1/flags/checkout/environments/production/on", { on: false }, auth);
    expect(put.statusCode).toBe(403);
    expect(put.json().error.code).toBe("forbidden");
    expect((await api("GET", "/api/v1/flags/checkout")).json().environments.production.on).toBe(true);
    // Reading stops at the admin API: SDK and OFREP routes are not for dashboards.
    const sdk = await api("GET", "/sdk/v1/flags?env=production", undefined, auth);
    expect(sdk.statusCode).toBe(403);
  });
});

describe("GET /api/v1/flags/:key/evaluations", () => {
  it("counts OFREP evaluations and SDK reports in 10 s buckets, zeros filled, the last hour kept", async () => {
    const ofrep = (body: object, url = "/ofrep/v1/evaluate/flags/checkout") =>
      h.app.inject({
        method: "POST",
        url,
        headers: { authorization: `Bearer ${h.tokens.client}` },
        payload: body,
      });
    const t0 = Math.floor(clock / 1000) - 3; // the bucket the clock is in
    // Bucket t0: four single evaluations (two users each side of a 50/50 split is not assumed: count per variant).
    const variants: string[] = [];
    for (const user of ["a", "b", "c", "d"]) {
      const r = await ofrep({ context: { targetingKey: user } });
      expect(r.statusCode).toBe(200);
      variants.push(r.json().variant as string);
    }
    // Bucket t0 + 20: one bulk evaluation and an SDK report of 7 "on".
    clock += 20_000;
    const bulk = await ofrep({ context: { targetingKey: "a" } }, "/ofrep/v1/evaluate/flags");
    expect(bulk.statusCode).toBe(200);
    const report = await h.app.inject({
      method: "POST",
      url: "/sdk/v1/metrics",
      headers: { authorization: `Bearer ${h.tokens.server}` },
      payload: { evaluations: [{ flag: "checkout", variant: "on", count: 7 }] },
    });
    expect(report.statusCode).toBe(202);

    const res = await api("GET", "/api/v1/flags/checkout/evaluations?env=production&minutes=1", undefined, {
      authorization: `Bearer ${read}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      stepSeconds: number;
      from: number;
      to: number;
      series: { variant: string; points: [number, number][] }[];
    };
    expect(body).toMatchObject({ flag: "checkout", environment: "production", stepSeconds: 10 });
    expect(body.to).toBe(t0 + 20);
    expect(body.from).toBe(t0 + 20 - 50);
    expect(body.series.map((s) => s.variant)).toEqual(["on", "off"]);
    const on = body.series[0]?.points ?? [];
    const off = body.series[1]?.points ?? [];
    expect(on.map((p) => p[0])).toEqual([-50, -40, -30, -20, -10, 0].map((d) => t0 + 20 + d));
    const count = (v: string) => variants.filter((x) => x === v).length;
    const bulkOn = bulk.json().flags[0].variant === "on" ? 1 : 0;
    expect(on.map((p) => p[1])).toEqual([0, 0, 0, count("on"), 0, 7 + bulkOn]);
    expect(off.map((p) => p[1])).toEqual([0, 0, 0, count("off"), 0, 1 - bulkOn]);

    // Another environment's counters are apart; minutes defaults to 60 (360 buckets).
    const staging = (await api("GET", "/api/v1/flags/checkout/evaluations?env=staging")).json();
    expect(staging.series.every((s: { points: [number, number][] }) => s.points.length === 360)).toBe(true);
    expect(
      staging.series.flatMap((s: { points: [number, number][] }) => s.points.map((p) => p[1])),
    ).not.toContain(1);

    // An hour later the early buckets have aged out; a new count prunes them.
    clock += 3_600_000;
    await ofrep({ context: { targetingKey: "a" } });
    const later = (
      await api("GET", "/api/v1/flags/checkout/evaluations?env=production")
    ).json() as typeof body;
    const total = later.series.flatMap((s) => s.points).reduce((n, p) => n + p[1], 0);
    expect(total).toBe(1);
  });

  it("answers 404 for an unknown flag or environment and 400 without an environment", async () => {
    expect((await api("GET", "/api/v1/flags/nope/evaluations?env=production")).statusCode).toBe(404);
    expect((await api("GET", "/api/v1/flags/checkout/evaluations?env=prod")).statusCode).toBe(404);
    expect((await api("GET", "/api/v1/flags/checkout/evaluations")).statusCode).toBe(400);
    expect(
      (await api("GET", "/api/v1/flags/checkout/evaluations?env=production&minutes=61")).statusCode,
    ).toBe(400);
  });
});

describe("dry-run writes", () => {
  it("PUT ?dryRun=true answers the flag as it would be and writes nothing", async () => {
    const before = await api("GET", "/api/v1/flags/checkout");
    const audit = (await api("GET", "/api/v1/audit?order=desc&limit=1")).json().entries[0].seq as number;
    const project = (await api("GET", "/api/v1/project")).json().version as number;
    const doc = { ...before.json(), description: "dry" };
    const dry = await api("PUT", "/api/v1/flags/checkout?dryRun=true", doc, {
      "if-match": before.headers.etag as string,
    });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().ok).toBe(true);
    expect(dry.json().flag).toMatchObject({
      key: "checkout",
      description: "dry",
      version: before.json().version + 1,
    });
    const after = await api("GET", "/api/v1/flags/checkout");
    expect(after.json()).toEqual(before.json());
    expect((await api("GET", "/api/v1/audit?order=desc&limit=1")).json().entries[0].seq).toBe(audit);
    expect((await api("GET", "/api/v1/project")).json().version).toBe(project);
    expect((await api("GET", "/api/v1/audit/verify")).json()).toMatchObject({ ok: true });
  });

  it("gives the errors the real write would: 400 with paths, 409 on a stale If-Match", async () => {
    const bad = {
      ...checkout,
      environments: { production: { on: true, default: { split: { on: 20, off: 70 } } } },
    };
    const real = await api("PUT", "/api/v1/flags/checkout", bad);
    const dry = await api("PUT", "/api/v1/flags/checkout?dryRun=true", bad);
    expect(dry.statusCode).toBe(400);
    expect(dry.json()).toEqual(real.json());
    expect(dry.json().error.details[0].path).toBe("flags.checkout.environments.production.default.split");
    const v = (await api("GET", "/api/v1/flags/checkout")).json().version as number;
    const stale = await api("PUT", "/api/v1/flags/checkout?dryRun=true", checkout, {
      "if-match": `"${v - 1}"`,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe("version_conflict");
  });

  it("POST ?dryRun=true validates a new flag without creating it, and refuses an existing key", async () => {
    const fresh = { ...checkout, key: "fresh" };
    const dry = await api("POST", "/api/v1/flags?dryRun=true", fresh);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().flag).toMatchObject({ key: "fresh", version: 1 });
    expect((await api("GET", "/api/v1/flags/fresh")).statusCode).toBe(404);
    const exists = await api("POST", "/api/v1/flags?dryRun=true", checkout);
    expect(exists.statusCode).toBe(409);
    const noKey = await api("POST", "/api/v1/flags?dryRun=true", { type: "boolean" });
    expect(noKey.statusCode).toBe(400);
  });
});

describe("audit newest first", () => {
  it("pages backwards with order=desc and before", async () => {
    for (const d of ["one", "two", "three"]) await h.putFlag({ ...checkout, description: d });
    const all = (await api("GET", "/api/v1/audit"))
      .json()
      .entries.map((e: { seq: number }) => e.seq) as number[];
    expect(all).toEqual([...all].sort((a, b) => a - b));
    const page1 = (await api("GET", "/api/v1/audit?order=desc&limit=2")).json().entries as {
      seq: number;
      diff: unknown[];
    }[];
    expect(page1.map((e) => e.seq)).toEqual(all.slice(-2).reverse());
    expect(page1[0]?.diff).toEqual(expect.any(Array));
    const page2 = (await api("GET", `/api/v1/audit?order=desc&limit=2&before=${page1[1]?.seq}`)).json()
      .entries;
    expect(page2.map((e: { seq: number }) => e.seq)).toEqual(all.slice(-4, -2).reverse());
    const bad = await api("GET", "/api/v1/audit?order=sideways");
    expect(bad.statusCode).toBe(400);
  });
});

describe("the OpenAPI document", () => {
  it("lists the dashboard's routes with response schemas, readable with a read token", async () => {
    const doc = (
      await h.app.inject({
        method: "GET",
        url: "/openapi.json",
        headers: { authorization: `Bearer ${read}` },
      })
    ).json() as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const ok = (path: string) =>
      doc.paths[path]?.get?.responses?.["200"] as { content?: unknown } | undefined;
    expect(ok("/api/v1/whoami")?.content).toBeDefined();
    expect(ok("/api/v1/flags/{key}/evaluations")?.content).toBeDefined();
    expect(ok("/api/v1/events")).toBeDefined();
    expect(JSON.stringify(doc.paths["/api/v1/audit"])).toMatch(/"before"/);
    expect(JSON.stringify(doc.paths["/api/v1/flags/{key}"]?.put)).toMatch(/dryRun/);
    // Every admin API operation documents its success body (or 204) and the error shape.
    const ops = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith("/api/v1/"))
      .flatMap(([p, ms]) => Object.entries(ms).map(([m, op]) => [`${m} ${p}`, op.responses ?? {}] as const));
    expect(ops.length).toBeGreaterThan(20);
    for (const [name, responses] of ops) {
      const success = Object.entries(responses).filter(([code]) => /^2\d\d$/.test(code));
      expect(success.length, name).toBeGreaterThan(0);
      for (const [code, r] of success)
        if (code !== "204") expect((r as { content?: unknown }).content, `${name} ${code}`).toBeDefined();
      expect((responses["4XX"] as { content?: unknown } | undefined)?.content, name).toBeDefined();
    }
  });
});
