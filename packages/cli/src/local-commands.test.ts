/** The local commands (lint, eval, import) as a user runs them: the built CLI, spawned. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/cli/dist/main.js");
const flags = join(root, "examples/flags.yaml");
const tmp = mkdtempSync(join(tmpdir(), "ramp-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function ramp(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: "utf8",
    input,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function evalOne(context: object, env?: string) {
  const r = ramp([
    "eval",
    "--flags",
    flags,
    ...(env ? ["--env", env] : []),
    "--flag",
    "new_checkout",
    "--context",
    JSON.stringify(context),
  ]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe("ramp eval on examples/flags.yaml (the seed's new_checkout)", () => {
  it("beta-1 → on (individual target)", () => {
    expect(evalOne({ targetingKey: "beta-1" })).toEqual({
      key: "new_checkout",
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
    });
  });
  it("plan enterprise → on", () => {
    expect(evalOne({ targetingKey: "u-1", plan: "enterprise", country: "DE" })).toMatchObject({
      value: true,
      reason: "TARGETING_MATCH",
    });
  });
  it("country VN → on", () => {
    expect(evalOne({ targetingKey: "u-1", plan: "free", country: "VN" })).toMatchObject({
      value: true,
      reason: "TARGETING_MATCH",
    });
  });
  it("staging → DISABLED (the kill switch)", () => {
    expect(evalOne({ targetingKey: "beta-1" }, "staging")).toEqual({
      key: "new_checkout",
      value: false,
      variant: "off",
      reason: "DISABLED",
    });
  });
  it("an unknown flag → errorCode FLAG_NOT_FOUND", () => {
    const r = ramp(["eval", "--flags", flags, "--flag", "nope", "--context", "{}"]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      key: "nope",
      value: null,
      reason: "ERROR",
      errorCode: "FLAG_NOT_FOUND",
    });
  });

  it("about 25% of other users on, the same users on every run, one line per input in order", () => {
    const n = 20_000;
    const lines = Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        flag: i % 1000 === 7 ? "nope" : "new_checkout",
        context: { targetingKey: `user-${i}`, plan: "free", country: "DE" },
      }),
    );
    const file = join(tmp, "contexts.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const a = ramp(["eval", "--flags", flags, "--contexts", file]);
    const b = ramp(["eval", "--flags", flags, "--contexts", "-"], lines.join("\n"));
    expect(a.code, a.stderr).toBe(0);
    const out = a.stdout.trim().split("\n");
    expect(out).toHaveLength(n); // nothing lost through the pipe
    expect(b.stdout).toBe(a.stdout); // sticky across runs (and stdin works)
    const results = out.map((l) => JSON.parse(l) as { key: string; value: unknown; reason: string });
    for (const [i, r] of results.entries()) expect(r.key).toBe(i % 1000 === 7 ? "nope" : "new_checkout");
    const rollout = results.filter((r) => r.reason === "SPLIT");
    const on = rollout.filter((r) => r.value === true).length / rollout.length;
    expect(Math.abs(on - 0.25)).toBeLessThan(4.5 * Math.sqrt((0.25 * 0.75) / rollout.length));
  });

  it("a malformed input line answers PARSE_ERROR in its place and exits 1", () => {
    const r = ramp(
      ["eval", "--flags", flags, "--contexts", "-"],
      '{"flag":"new_checkout","context":{"targetingKey":"beta-1"}}\nnot json\n{"flag":"new_checkout","context":{}}\n',
    );
    const out = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { errorCode?: string; value: unknown });
    expect(out).toHaveLength(3);
    expect(out[0]?.value).toBe(true);
    expect(out[1]?.errorCode).toBe("PARSE_ERROR");
    expect(r.stderr).toMatch(/-:2: not JSON/);
    expect(r.code).toBe(1);
  });
});

describe("ramp lint", () => {
  it("accepts the examples", () => {
    const r = ramp(["lint", flags]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 error\(s\)/);
  });

  it("lists every mistake with its path and line, and exits 1", () => {
    const file = join(tmp, "broken.yaml");
    writeFileSync(
      file,
      [
        "flags:",
        "  new_checkout:",
        "    type: boolean",
        "    offVariant: of",
        "    environments:",
        "      production:",
        "        on: true",
        "        rulez: []",
        "        rules:",
        '          - if: user.plan == "enterprise"',
        "            variant: on",
        '          - if: user.country.contians("V")',
        "            variant: on",
        "          - if: country in [",
        "            variant: on",
        "        default:",
        "          split: { on: 25, off: 70 }",
        "",
      ].join("\n"),
    );
    const r = ramp(["lint", file]);
    expect(r.code).toBe(1);
    for (const [path, line] of [
      ["flags.new_checkout.offVariant", 4],
      ["flags.new_checkout.environments.production.rulez", 8],
      ["flags.new_checkout.environments.production.rules[1].if", 12],
      ["flags.new_checkout.environments.production.rules[2].if", 14],
      ["flags.new_checkout.environments.production.default.split", 17],
    ] as const) {
      expect(r.stderr).toContain(`${file}:${line}:`);
      expect(r.stderr).toContain(path);
    }
    expect(r.stderr).toMatch(/did you mean 'off'\?/);
    expect(r.stderr).toMatch(/did you mean 'rules'\?/);
    expect(r.stderr).toMatch(/did you mean 'contains'\?/);
    expect(r.stderr).toMatch(/5 error\(s\)/);
    const json = ramp(["lint", file, "-o", "json"]);
    expect((JSON.parse(json.stdout) as { errors: number }).errors).toBe(5);
  });

  it("reports malformed YAML with its line", () => {
    const file = join(tmp, "bad.yaml");
    writeFileSync(file, "flags:\n  a: [1, 2\n  b: c\n");
    const r = ramp(["lint", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: error/);
  });
});

describe("ramp import", () => {
  it("imports an Unleash payload that lints and evaluates like Unleash", () => {
    const file = join(tmp, "unleash.json");
    writeFileSync(
      file,
      JSON.stringify({
        version: 2,
        features: [
          {
            name: "beta",
            enabled: true,
            strategies: [{ name: "userWithId", parameters: { userIds: "alice,bob" } }],
          },
          { name: "dark", enabled: false, strategies: [{ name: "default", parameters: {} }] },
        ],
      }),
    );
    const r = ramp(["import", "--from", "unleash", file]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(tmp, "imported.yaml");
    writeFileSync(out, r.stdout);
    expect(ramp(["lint", out]).code).toBe(0);
    const e = (flag: string, ctx: object) =>
      JSON.parse(ramp(["eval", "--flags", out, "--flag", flag, "--context", JSON.stringify(ctx)]).stdout) as {
        value: unknown;
        reason: string;
      };
    expect(e("beta", { targetingKey: "alice", userId: "alice" }).value).toBe(true);
    expect(e("beta", { targetingKey: "carol", userId: "carol" }).value).toBe(false);
    expect(e("dark", { targetingKey: "alice", userId: "alice" }).reason).toBe("DISABLED");
  });

  it("imports a flagd definition; a disabled flag evaluates with reason DISABLED", () => {
    const file = join(tmp, "flagd.json");
    writeFileSync(
      file,
      JSON.stringify({
        flags: {
          "new-welcome": {
            state: "ENABLED",
            variants: { on: true, off: false },
            defaultVariant: "off",
            targeting: { if: [{ ends_with: [{ var: "email" }, "@example.com"] }, "on", null] },
          },
          retired: { state: "DISABLED", variants: { on: true, off: false }, defaultVariant: "off" },
        },
      }),
    );
    const r = ramp(["import", "--from", "flagd", file]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(tmp, "flagd.yaml");
    writeFileSync(out, r.stdout);
    const e = (flag: string, ctx: object) =>
      JSON.parse(ramp(["eval", "--flags", out, "--flag", flag, "--context", JSON.stringify(ctx)]).stdout) as {
        value: unknown;
        reason: string;
      };
    expect(e("new-welcome", { targetingKey: "a", email: "a@example.com" })).toMatchObject({
      value: true,
      reason: "TARGETING_MATCH",
    });
    expect(e("new-welcome", { targetingKey: "a", email: "a@other.org" })).toMatchObject({
      value: false,
      reason: "DEFAULT",
    });
    expect(e("retired", { targetingKey: "a" }).reason).toBe("DISABLED");
  });

  it("rejects an unknown source", () => {
    const r = ramp(["import", "--from", "launchdarkly", flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from must be one of unleash, flagd/);
  });
});
