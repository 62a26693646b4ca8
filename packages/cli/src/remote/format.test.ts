import { describe, expect, it } from "vitest";
import { table } from "../table.js";
import type { FlagDocument } from "./api-types.js";
import { ConnectionError, HttpError } from "./client.js";
import {
  auditTable,
  describeServe,
  flagSummary,
  flagsTable,
  formatChanges,
  formatConnectionError,
  formatDiff,
  formatHttpError,
  formatValue,
  formatVerdict,
  tokensTable,
} from "./format.js";

const flag = (over: Partial<FlagDocument> = {}): FlagDocument => ({
  key: "new_checkout",
  type: "boolean",
  variants: { on: true, off: false },
  offVariant: "off",
  tags: ["checkout", "release"],
  environments: {
    production: { on: true, rules: [{ variant: "on", if: "true" }], default: { split: { on: 25, off: 75 } } },
    staging: { on: false },
  },
  version: 3,
  archived: false,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-02T00:00:00.000Z",
  ...over,
});

describe("table", () => {
  it("pads every column but the last", () => {
    expect(
      table(
        ["A", "LONG"],
        [
          ["xyz", "1"],
          ["", "22"],
        ],
      ),
    ).toBe("A    LONG\nxyz  1\n     22");
  });
});

describe("formatHttpError", () => {
  it("prints the status, the code, every detail path and the hint", () => {
    const e = new HttpError(
      400,
      "invalid_flag_file",
      "the flag file has 2 problems",
      [
        { path: "flags.a.type", message: "must be boolean, string, number or object", expected: "boolean" },
        {
          path: "flags.b.environments.production.rulez",
          message: "unknown field",
          suggestion: "did you mean 'rules'?",
        },
        { path: "", message: "top-level problem" },
      ],
      "a hint",
    );
    expect(formatHttpError(e)).toBe(
      [
        "ramp: server answered 400 invalid_flag_file: the flag file has 2 problems",
        "  flags.a.type: must be boolean, string, number or object",
        "      expected: boolean",
        "  flags.b.environments.production.rulez: unknown field",
        "      did you mean 'rules'?",
        "  top-level problem",
        "hint: a hint",
      ].join("\n"),
    );
  });

  it("names the URL and suggests `ramp server` when nothing answers", () => {
    const text = formatConnectionError(new ConnectionError("http://127.0.0.1:4320", "connection refused"));
    expect(text).toContain("cannot reach the Ramp server at http://127.0.0.1:4320: connection refused");
    expect(text).toContain("`ramp server`");
  });
});

describe("formatChanges", () => {
  it("marks creates, updates with their diffs, unchanged, and counts", () => {
    const text = formatChanges({
      dryRun: false,
      version: 9,
      changes: [
        { kind: "environment", key: "staging", action: "create" },
        {
          kind: "flag",
          key: "a",
          action: "update",
          diff: [{ path: "environments.production.on", before: true, after: false }],
        },
        { kind: "segment", key: "s", action: "unchanged" },
      ],
    });
    expect(text).toBe(
      [
        "+ environment staging  create",
        "~ flag a               update",
        "    environments.production.on: true → false",
        "= segment s            unchanged",
        "Applied: 1 created, 1 updated, 1 unchanged (project version 9).",
      ].join("\n"),
    );
  });

  it("says a dry run wrote nothing", () => {
    expect(formatChanges({ dryRun: true, version: 1, changes: [] })).toBe(
      "Dry run: 0 to create, 0 to update, 0 unchanged; nothing was written.",
    );
  });

  it("shows additions, removals and long values cut short", () => {
    expect(formatDiff({ path: "tags", after: ["x"] })).toBe('tags: + ["x"]');
    expect(formatDiff({ path: "owner", before: "me" })).toBe("owner: - me");
    expect(formatValue("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(formatValue(undefined)).toBe("(none)");
  });
});

describe("flags", () => {
  it("describes what an environment serves by default", () => {
    expect(describeServe("on")).toBe("on");
    expect(describeServe({ variant: "off" })).toBe("off");
    expect(describeServe({ split: { on: 25, off: 75 } })).toBe("on 25% / off 75%");
    expect(describeServe(undefined, "off")).toBe("off (off variant)");
  });

  it("lists one column per environment, or one environment in detail", () => {
    const flags = [
      flag(),
      flag({ key: "old", archived: true, tags: [], environments: { production: { on: false } }, version: 1 }),
    ];
    expect(flagsTable(flags)).toBe(
      [
        "KEY             TYPE     PRODUCTION  STAGING  TAGS              VERSION",
        "new_checkout    boolean  on          off      checkout,release  3",
        "old (archived)  boolean  off         -                          1",
      ].join("\n"),
    );
    expect(flagsTable(flags, "production")).toBe(
      [
        "KEY             TYPE     STATE  RULES  DEFAULT            TAGS              VERSION",
        "new_checkout    boolean  on     1      on 25% / off 75%   checkout,release  3",
        "old (archived)  boolean  off    0      off (off variant)                    1",
      ].join("\n"),
    );
  });

  it("summarises one flag", () => {
    expect(
      flagSummary(
        flag({
          description: "The new checkout",
          owner: "payments",
          prerequisites: [{ flag: "p", variant: "on" }],
        }),
      ),
    ).toBe(
      [
        "new_checkout (boolean, version 3)",
        "  The new checkout",
        "  owner: payments   tags: checkout, release",
        "  variants: on=true, off=false (off: off)",
        "  prerequisites: p=on",
        "  production: on · 1 rule · default on 25% / off 75%",
        "  staging: off · default off (off variant)",
        "  created 2026-01-01T00:00:00.000Z, updated 2026-01-02T00:00:00.000Z",
      ].join("\n"),
    );
  });
});

describe("tokens and audit", () => {
  it("tables tokens", () => {
    expect(
      tokensTable([
        { id: "t1", scope: "admin", environment: null, name: "initial", createdAt: "c", revokedAt: null },
        { id: "t2", scope: "client", environment: "production", name: "web", createdAt: "c", revokedAt: "r" },
      ]),
    ).toBe(
      [
        "ID  SCOPE   ENVIRONMENT  NAME     CREATED  REVOKED",
        "t1  admin   -            initial  c        -",
        "t2  client  production   web      c        r",
      ].join("\n"),
    );
  });

  it("tables audit entries with the paths they changed", () => {
    expect(
      auditTable([
        { seq: 1, at: "t", actor: "system", action: "create", kind: "token", key: "x" },
        {
          seq: 2,
          at: "t",
          actor: "a",
          action: "update",
          kind: "flag",
          key: "k",
          diff: [{ path: "a" }, { path: "b" }],
        },
      ]),
    ).toBe(
      [
        "SEQ  AT  ACTOR   ACTION  KIND   KEY  CHANGED",
        "1    t   system  create  token  x",
        "2    t   a       update  flag   k    a, b",
      ].join("\n"),
    );
  });

  it("says OK with the count, or names the first bad entry", () => {
    expect(formatVerdict({ ok: true, entries: 12 })).toBe("OK: the audit chain holds (12 entries verified)");
    expect(formatVerdict({ ok: true, entries: 1 })).toBe("OK: the audit chain holds (1 entry verified)");
    expect(
      formatVerdict({ ok: false, entries: 12, firstBad: { seq: 4, reason: "hash does not match" } }),
    ).toBe("BROKEN: the audit chain fails at entry 4: hash does not match (12 entries checked)");
  });
});
