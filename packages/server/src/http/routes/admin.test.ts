import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server.js";

const examples = readFileSync(new URL("../../../../../examples/flags.yaml", import.meta.url), "utf8");

let server: RunningServer;
let admin: string;
let dbFile: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "ramp-admin-"));
  dbFile = join(dir, "ramp.db");
  server = await startServer({ port: 0, database: dbFile });
  admin = server.initialAdminToken ?? "";
  expect(admin).toMatch(/^ramp_admin_[0-9A-Za-z]{40}$/);
});
afterAll(() => server.close());

function api(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  token = admin,
) {
  return server.app.inject({
    method: method as "GET",
    url,
    headers: { authorization: `Bearer ${token}`, ...headers },
    ...(body === undefined ? {} : typeof body === "string" ? { payload: body } : { payload: body as object }),
  });
}

describe("flags as code", () => {
  it("applies examples/flags.yaml in one transaction, then again with nothing to do", async () => {
    const dry = await api("POST", "/api/v1/apply?dryRun=true", examples, {
      "content-type": "application/yaml",
    });
    expect(dry.statusCode, dry.body).toBe(200);
    expect((await api("GET", "/api/v1/flags")).json().flags).toHaveLength(0); // dry run wrote nothing
    const first = await api("POST", "/api/v1/apply", examples, { "content-type": "application/yaml" });
    expect(first.statusCode, first.body).toBe(200);
    const changes = first.json().changes as { kind: string; key: string; action: string }[];
    expect(changes.filter((c) => c.kind === "flag" && c.action === "create").map((c) => c.key)).toContain(
      "new_checkout",
    );
    expect(
      changes.some((c) => c.kind === "environment" && c.key === "staging" && c.action === "create"),
    ).toBe(true);
    const again = await api("POST", "/api/v1/apply", examples, { "content-type": "application/yaml" });
    expect((again.json().changes as { action: string }[]).every((c) => c.action === "unchanged")).toBe(true);
    expect(again.json().version).toBe(first.json().version);
  });

  it("rejects an invalid file with every problem's path, applying nothing", async () => {
    const before = (await api("GET", "/api/v1/project")).json().version;
    const bad = {
      flags: {
        new_checkout: {
          type: "boolean",
          environments: { production: { on: true, rulez: [], default: { split: { on: 20, off: 70 } } } },
        },
        other: {
          type: "string",
          variants: { a: 1 },
          offVariant: "a",
          environments: { production: { on: true } },
        },
      },
    };
    const r = await api("POST", "/api/v1/apply", bad);
    expect(r.statusCode).toBe(400);
    const paths = (r.json().error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "flags.new_checkout.environments.production.rulez",
        "flags.new_checkout.environments.production.default.split",
        "flags.other.variants.a",
      ]),
    );
    expect((await api("GET", "/api/v1/project")).json().version).toBe(before);
  });

  it("answers malformed YAML and JSON with 400, and a huge body with 413", async () => {
    const yaml = await api("POST", "/api/v1/apply", "flags:\n  a: [1,\n", {
      "content-type": "application/yaml",
    });
    expect(yaml.statusCode).toBe(400);
    expect(yaml.json().error.code).toBe("invalid_yaml");
    const json = await api("POST", "/api/v1/apply", "{not json", { "content-type": "application/json" });
    expect(json.statusCode).toBe(400);
    const huge = await api("POST", "/api/v1/apply", `flags: {}\n#${"x".repeat(2 * 1024 * 1024)}`, {
      "content-type": "application/yaml",
    });
    expect(huge.statusCode).toBe(413);
  });

  it("exports what was applied; applying the export changes nothing", async () => {
    const exported = await api("GET", "/api/v1/export");
    const r = await api("POST", "/api/v1/apply", exported.json() as object);
    expect((r.json().changes as { action: string }[]).every((c) => c.action === "unchanged")).toBe(true);
  });
});

describe("per-environment writes", () => {
  it("turns a flag off and rolls it out, with ETags", async () => {
    const off = await api("PUT", "/api/v1/flags/new_checkout/environments/production/on", { on: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().environments.production.on).toBe(false);
    const v = Number(JSON.parse(off.headers.etag as string));
    const stale = await api(
      "PUT",
      "/api/v1/flags/new_checkout/environments/production/on",
      { on: true },
      { "if-match": `"${v - 1}"` },
    );
    expect(stale.statusCode).toBe(409);
    const on = await api(
      "PUT",
      "/api/v1/flags/new_checkout/environments/production/on",
      { on: true },
      { "if-match": `"${v}"` },
    );
    expect(on.statusCode).toBe(200);
    const roll = await api("PUT", "/api/v1/flags/new_checkout/environments/production/rollout", {
      percentage: 40,
    });
    expect(roll.json().environments.production.default).toEqual({ split: { on: 40, off: 60 } });
    const unknownEnv = await api("PUT", "/api/v1/flags/new_checkout/environments/prod/on", { on: true });
    expect(unknownEnv.statusCode).toBe(404);
  });
});

describe("If-Match under contention: 20 writers × 50 updates on one flag", () => {
  it("every accepted write is audited in order, every rejected one got 409, the last accepted write stands", async () => {
    const accepted: { version: number; description: string }[] = [];
    let rejected = 0;
    const writer = async (w: number) => {
      for (let i = 0; i < 50; i++) {
        const got = await fetch(`${server.url}/api/v1/flags/premium_features`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        const etag = got.headers.get("etag") ?? "";
        const doc = (await got.json()) as Record<string, unknown>;
        const description = `writer ${w} update ${i}`;
        const put = await fetch(`${server.url}/api/v1/flags/premium_features`, {
          method: "PUT",
          headers: { authorization: `Bearer ${admin}`, "content-type": "application/json", "if-match": etag },
          body: JSON.stringify({ ...doc, description }),
        });
        if (put.status === 200)
          accepted.push({ version: ((await put.json()) as { version: number }).version, description });
        else {
          expect(put.status).toBe(409);
          await put.body?.cancel();
          rejected++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, w) => writer(w)));
    expect(accepted.length + rejected).toBe(1000);
    expect(accepted.length).toBeGreaterThan(20);
    accepted.sort((a, b) => a.version - b.version);
    // Versions are gapless: no accepted write was lost or doubled.
    expect(accepted.map((a) => a.version)).toEqual(accepted.map((_, i) => (accepted[0]?.version ?? 0) + i));
    const audit = (
      await api("GET", "/api/v1/audit?kind=flag&key=premium_features&action=flag.update&limit=10000")
    ).json().entries as {
      seq: number;
      after: { description?: string };
    }[];
    const tail = audit.slice(-accepted.length).map((e) => e.after.description);
    expect(tail).toEqual(accepted.map((a) => a.description));
    const final = (await api("GET", "/api/v1/flags/premium_features")).json();
    expect(final.description).toBe(accepted.at(-1)?.description);
    expect((await api("GET", "/api/v1/audit/verify")).json()).toMatchObject({ ok: true });
  });

  it("audit verify fails after one row is altered", async () => {
    const db = new Database(dbFile);
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 3").run();
    db.close();
    const v = (await api("GET", "/api/v1/audit/verify")).json();
    expect(v).toMatchObject({ ok: false, firstBad: { seq: 3 } });
  });
});

describe("the route table", () => {
  it("no route but the public ones answers without a valid token, and scopes are enforced", async () => {
    const client = (
      await api("POST", "/api/v1/tokens", { scope: "client", environment: "production" })
    ).json().token as string;
    const read = (await api("POST", "/api/v1/tokens", { scope: "read", name: "dashboard" })).json()
      .token as string;
    expect(read).toMatch(/^ramp_read_/);
    const table = server.app.routeTable.filter((r) => r.method !== "HEAD" && r.method !== "OPTIONS");
    expect(table.length).toBeGreaterThan(20);
    const publicUrls = table.filter((r) => r.public).map((r) => r.url);
    // The OFREP event stream authenticates by a signed ticket in its URL (EventSource cannot send headers).
    // The dashboard's files: its HTML carries no data, and signing in happens in the page.
    expect(publicUrls.sort()).toEqual(["/", "/assets/*", "/healthz", "/ofrep/v1/event-stream", "/readyz"]);
    for (const r of table) {
      const url = r.url.replace(/:(\w+)/g, "x");
      const bare = await server.app.inject({ method: r.method as "GET", url });
      const wrong = await server.app.inject({
        method: r.method as "GET",
        url,
        headers: { authorization: "Bearer ramp_admin_wrong" },
      });
      if (r.public) {
        if (r.url === "/ofrep/v1/event-stream")
          expect(bare.statusCode, "event stream without a ticket").toBe(401);
        else if (r.url === "/assets/*") expect(bare.statusCode, "no asset named '*'").toBe(404);
        else expect(bare.statusCode, `${r.method} ${r.url}`).toBeLessThan(400);
        continue;
      }
      expect(bare.statusCode, `${r.method} ${r.url} without a token`).toBe(401);
      expect(wrong.statusCode, `${r.method} ${r.url} with a wrong token`).toBe(401);
      if (!r.scopes.includes("client")) {
        const scoped = await server.app.inject({
          method: r.method as "GET",
          url,
          headers: { authorization: `Bearer ${client}` },
        });
        expect(scoped.statusCode, `${r.method} ${r.url} with a client token`).toBe(403);
      }
      // A read token: every GET of the admin API, never a write, nothing else.
      const readable = r.method === "GET" && r.url.startsWith("/api/v1/");
      expect(r.scopes.includes("read"), `${r.method} ${r.url} admits read`).toBe(
        readable || r.url === "/openapi.json",
      );
      if (r.url === "/api/v1/events") continue; // a stream: opened for real below
      const asReader = await server.app.inject({
        method: r.method as "GET",
        url,
        headers: { authorization: `Bearer ${read}` },
      });
      if (r.scopes.includes("read"))
        expect(asReader.statusCode, `${r.method} ${r.url} with a read token`).not.toBe(403);
      else expect(asReader.statusCode, `${r.method} ${r.url} with a read token`).toBe(403);
      expect(asReader.statusCode, `${r.method} ${r.url} with a read token`).not.toBe(401);
    }
    expect(table.some((r) => r.url === "/api/v1/events")).toBe(true);
    const stream = new AbortController();
    const events = await fetch(`${server.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${read}` },
      signal: stream.signal,
    });
    expect(events.status).toBe(200);
    expect(events.headers.get("content-type")).toMatch(/^text\/event-stream/);
    stream.abort();
    const whoami = (await api("GET", "/api/v1/whoami", undefined, {}, read)).json();
    expect(whoami).toEqual({ scope: "read", environment: null, name: "dashboard" });
  });
});

describe("edges of the HTTP surface", () => {
  it("answers an unknown route with 404 whatever the token, and OFREP preflights with CORS", async () => {
    expect((await server.app.inject({ method: "GET", url: "/nope" })).statusCode).toBe(404);
    const pre = await server.app.inject({
      method: "OPTIONS",
      url: "/ofrep/v1/evaluate/flags/new_checkout",
      headers: { origin: "http://example.test", "access-control-request-method": "POST" },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe("*");
    expect(String(pre.headers["access-control-allow-headers"])).toMatch(/authorization/);
  });
});
