/**
 * End to end: the built `ramp` CLI against a real server (`ramp server --port 0`) on a temporary
 * SQLite file. Run `npx tsc -b` first. The steps share one server and run in order, as a user would.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@ramp/server/testing";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ramp, type Started, startServer, stop } from "./harness.js";

const EXAMPLE = fileURLToPath(new URL("../../../examples/flags.yaml", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "ramp-cli-"));
const data = join(dir, "data");
let server: Started;
let env: Record<string, string>;

/** OFREP single-flag evaluation, as an application would ask. */
async function evaluate(
  token: string,
  targetingKey: string,
): Promise<{ value?: unknown; reason?: string; variant?: string }> {
  const res = await fetch(`${server.url}/ofrep/v1/evaluate/flags/new_checkout`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ context: { targetingKey } }),
  });
  return (await res.json()) as { value?: unknown; reason?: string; variant?: string };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

beforeAll(async () => {
  server = await startServer(data);
  env = { RAMP_SERVER: server.url, RAMP_TOKEN: server.adminToken ?? "" };
}, 30_000);

afterAll(async () => {
  if (server !== undefined) await stop(server.child);
  rmSync(dir, { recursive: true, force: true });
});

describe("ramp against a real server", () => {
  it("starts on an OS-chosen port and prints the URL and a one-time admin token", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(server.adminToken).toMatch(/^ramp_admin_[0-9A-Za-z]{40}$/);
  });

  it("refuses a missing or wrong token with a clear error and exit 1", async () => {
    const missing = await ramp(["flags", "list"], { RAMP_SERVER: server.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("server answered 401 unauthorized");
    expect(missing.stderr).toContain("no token was given: pass --token TOKEN or set RAMP_TOKEN");
    const wrong = await ramp(
      ["flags", "list", "--token", "ramp_admin_0000000000000000000000000000000000000000"],
      {
        RAMP_SERVER: server.url,
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("does not accept this token");
  });

  it("names the URL and suggests `ramp server` when nothing listens", async () => {
    const port = await freePort(); // bound and released: nothing listens there
    const r = await ramp(["flags", "list", "--server", `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cannot reach the Ramp server at http://127.0.0.1:${port}: connection refused`,
    );
    expect(r.stderr).toContain("ramp server");
  });

  it("dry-run reports the plan and writes nothing", async () => {
    const r = await ramp(["apply", "-f", EXAMPLE, "--dry-run"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("+ flag new_checkout");
    expect(r.stdout).toMatch(/Dry run: \d+ to create, 0 to update, 0 unchanged; nothing was written\./);
    const list = await ramp(["flags", "list", "-o", "json"], env);
    expect(JSON.parse(list.stdout)).toEqual({ flags: [] });
  });

  it("applies the example, then finds everything unchanged on a second apply", async () => {
    const first = await ramp(["apply", "-f", EXAMPLE], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("+ environment staging");
    expect(first.stdout).toMatch(/Applied: 8 created, 0 updated, 0 unchanged/);
    const second = await ramp(["apply", "-f", EXAMPLE, "-o", "json"], env);
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout) as { dryRun: boolean; changes: { action: string }[] };
    expect(result.dryRun).toBe(false);
    expect(result.changes.length).toBe(7);
    expect(result.changes.every((c) => c.action === "unchanged")).toBe(true);
  });

  it("exports a file that applies as unchanged (YAML and JSON)", async () => {
    const yaml = await ramp(["export"], env);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toContain("new_checkout:");
    const again = await ramp(["apply", "-f", file("export.yaml", yaml.stdout)], env);
    expect(again.stdout).toMatch(/Applied: 0 created, 0 updated, \d+ unchanged/);
    const full = await ramp(["export", "-o", "json"], env);
    const asJson = await ramp(["apply", "-f", file("export.json", full.stdout)], env);
    expect(asJson.stdout).toMatch(/Applied: 0 created, 0 updated, \d+ unchanged/);
    const json = await ramp(["export", "-o", "json", "--env", "production"], env);
    const exported = JSON.parse(json.stdout) as {
      environments: string[];
      flags: Record<string, { environments: object }>;
    };
    expect(exported.environments).toEqual(["production"]);
    expect(Object.keys(exported.flags.new_checkout?.environments ?? {})).toEqual(["production"]);
  });

  it("lists and gets flags", async () => {
    const table = await ramp(["flags", "list"], env);
    expect(table.stdout.split("\n")[0]).toMatch(/^KEY\s+TYPE\s+PRODUCTION\s+STAGING\s+TAGS\s+VERSION$/);
    expect(table.stdout).toMatch(/new_checkout\s+boolean\s+on\s+off\s+checkout,release\s+1/);
    const tagged = await ramp(["flags", "list", "--tag", "experiment", "-o", "json"], env);
    expect((JSON.parse(tagged.stdout) as { flags: { key: string }[] }).flags.map((f) => f.key)).toEqual([
      "checkout_button",
    ]);
    const one = await ramp(["flags", "get", "new_checkout"], env);
    expect(one.stdout).toContain("production: on · 2 targets · 2 rules · default on 25% / off 75%");
    const doc = JSON.parse((await ramp(["flags", "get", "new_checkout", "-o", "json"], env)).stdout) as {
      key: string;
      version: number;
    };
    expect(doc).toMatchObject({ key: "new_checkout", version: 1 });
    const missing = await ramp(["flags", "get", "nope"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("404 flag_not_found");
  });

  it("off, on and rollout change what OFREP answers, with a token made by `token create -o json`", async () => {
    const created = await ramp(
      ["token", "create", "--scope", "client", "--env", "production", "--name", "web", "-o", "json"],
      env,
    );
    expect(created.code).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect(token).toMatch(/^ramp_client_/);

    expect(await evaluate(token, "someone")).toMatchObject({ reason: "SPLIT" });

    const off = await ramp(["flags", "off", "new_checkout", "--env", "production"], env);
    expect(off.stdout).toBe("new_checkout is now off in production (version 2)\n");
    expect(await evaluate(token, "beta-1")).toMatchObject({ value: false, reason: "DISABLED" });
    const offAgain = await ramp(["flags", "off", "new_checkout", "--env", "production"], env);
    expect(offAgain.stdout).toBe("new_checkout is already off in production (version 2)\n");

    await ramp(["flags", "on", "new_checkout", "--env", "production"], env);
    expect(await evaluate(token, "beta-1")).toMatchObject({ value: true, reason: "TARGETING_MATCH" });

    const all = await ramp(["flags", "rollout", "new_checkout", "100", "--env", "production"], env);
    expect(all.stdout).toBe("new_checkout in production: default on 100% / off 0% (version 4)\n");
    expect(await evaluate(token, "someone")).toMatchObject({ value: true, variant: "on" });
    await ramp(["flags", "rollout", "new_checkout", "0%", "--env", "production", "--variant", "on"], env);
    expect(await evaluate(token, "someone")).toMatchObject({ value: false, variant: "off" });

    const unknown = await ramp(
      ["flags", "rollout", "new_checkout", "50", "--env", "production", "--variant", "maybe"],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown_variant");
  });

  it("a client token cannot use the admin API", async () => {
    const created = await ramp(
      ["token", "create", "--scope", "client", "--env", "production", "-o", "json"],
      env,
    );
    const { token } = JSON.parse(created.stdout) as { token: string };
    const r = await ramp(["flags", "list", "--token", token], { RAMP_SERVER: server.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("403 forbidden");
  });

  it("creates, lists and revokes tokens", async () => {
    const created = await ramp(
      ["token", "create", "--scope", "server", "--env", "staging", "--name", "ci"],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^ramp_server_[0-9A-Za-z]{40}\n$/);
    expect(created.stderr).toContain("only time the secret is shown");
    const id = /token ([0-9a-f-]{36})/.exec(created.stderr)?.[1] ?? "";
    const list = await ramp(["token", "list"], env);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+server\\s+staging\\s+ci`));
    expect((await ramp(["token", "revoke", id], env)).stdout).toBe(`revoked token ${id}\n`);
    const listed = JSON.parse((await ramp(["token", "list", "-o", "json"], env)).stdout) as {
      tokens: { id: string; revokedAt: string | null }[];
    };
    expect(listed.tokens.find((t) => t.id === id)?.revokedAt).not.toBeNull();
    const secret = created.stdout.trim();
    const res = await fetch(`${server.url}/sdk/v1/flags`, { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(401);
  });

  it("rejects malformed YAML with its line and column, and applies nothing", async () => {
    const r = await ramp(["apply", "-f", file("bad.yaml", "flags:\n  a: [1, 2\n  b: 3\n")], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: error: /);
  });

  it("rejects invalid flags with every error and its path, and applies nothing", async () => {
    const invalid = [
      "version: 1",
      "flags:",
      "  broken_one:",
      "    type: boolean",
      "    variants: { on: true, off: false }",
      "    environments:",
      "      production:",
      "        on: true",
      "        rulez: []",
      "  broken_two:",
      "    type: boolean",
      "    variants: { on: true, off: false }",
      "    environments:",
      "      production:",
      "        on: true",
      "        default: maybe",
      "",
    ].join("\n");
    const r = await ramp(["apply", "-f", file("invalid.yaml", invalid)], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /invalid\.yaml:9:\d+: error: flags\.broken_one\.environments\.production\.rulez: /,
    );
    expect(r.stderr).toMatch(
      /invalid\.yaml:16:\d+: error: flags\.broken_two\.environments\.production\.default: /,
    );
    expect(r.stderr).toContain("nothing was applied");
    const list = JSON.parse((await ramp(["flags", "list", "-o", "json"], env)).stdout) as {
      flags: { key: string }[];
    };
    expect(list.flags.map((f) => f.key)).not.toContain("broken_one");
  });

  it("shows the server's own rejection (the project with the file applied) and applies nothing", async () => {
    // Valid alone, but checkout_button (on the server, not in the file) needs new_checkout's variant 'on'.
    const renamed = [
      "version: 1",
      "flags:",
      "  new_checkout:",
      "    type: boolean",
      "    variants: { yes: true, no: false }",
      "    offVariant: no",
      "    environments:",
      "      production: { on: true, default: yes }",
      "",
    ].join("\n");
    const r = await ramp(["apply", "-f", file("renamed.yaml", renamed)], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the server rejected");
    expect(r.stderr).toMatch(/renamed\.yaml: error: flags\.checkout_button\.prerequisites\[0\]\.variant: /);
    expect(r.stderr).toContain("nothing was applied");
    const doc = JSON.parse((await ramp(["flags", "get", "new_checkout", "-o", "json"], env)).stdout) as {
      variants: object;
    };
    expect(Object.keys(doc.variants)).toEqual(["on", "off"]);
  });

  it("archives and unarchives", async () => {
    expect((await ramp(["flags", "archive", "heavy_query_optimization"], env)).stdout).toMatch(
      /^archived heavy_query_optimization/,
    );
    const listed = await ramp(["flags", "list", "-o", "json"], env);
    expect(listed.stdout).not.toContain("heavy_query_optimization");
    const all = await ramp(["flags", "list", "--archived"], env);
    expect(all.stdout).toContain("heavy_query_optimization (archived)");
    expect((await ramp(["flags", "unarchive", "heavy_query_optimization"], env)).code).toBe(0);
  });

  it("lists the audit log", async () => {
    const r = await ramp(["audit", "--kind", "flag", "--key", "new_checkout", "-o", "json"], env);
    const { entries } = JSON.parse(r.stdout) as { entries: { action: string; key: string }[] };
    expect(entries.map((e) => e.action)).toEqual([
      "flag.create",
      "flag.off",
      "flag.on",
      "flag.rollout",
      "flag.rollout",
    ]);
    const table = await ramp(["audit", "--limit", "2"], env);
    expect(table.stdout.split("\n")[0]).toMatch(/^SEQ\s+AT\s+ACTOR\s+ACTION\s+KIND\s+KEY\s+CHANGED$/);
  });

  it("verifies the audit chain, then names the entry someone edited in the database", async () => {
    const ok = await ramp(["audit", "verify"], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: the audit chain holds \(\d+ entries verified\)\n$/);

    const db = new Database(join(data, "ramp.db"));
    try {
      db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 3").run();
    } finally {
      db.close();
    }
    const bad = await ramp(["audit", "verify"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/BROKEN: the audit chain fails at entry 3: /);
    const json = JSON.parse((await ramp(["audit", "verify", "-o", "json"], env)).stdout) as {
      ok: boolean;
      firstBad: { seq: number };
    };
    expect(json).toMatchObject({ ok: false, firstBad: { seq: 3 } });
  });

  it("stops cleanly on SIGTERM and, restarted on the same data, prints no new admin token", async () => {
    expect(await stop(server.child)).toBe(0);
    expect(server.output()).toContain("stopped");
    server = await startServer(data);
    expect(server.adminToken).toBeUndefined();
    const r = await ramp(["flags", "list", "-o", "json", "--server", server.url], env);
    expect(r.code).toBe(0);
  }, 30_000);
});
