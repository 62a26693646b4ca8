import type { FlagFile } from "@ramp/engine";
import { describe, expect, it } from "vitest";
import { bannerServing, testFlags } from "../../test/flags.js";
import { applyPatch, changedFlags, parsePatch, parseSnapshot } from "./snapshot.js";

describe("parseSnapshot / parsePatch", () => {
  it("accepts the documented shapes", () => {
    const put = parseSnapshot(JSON.stringify({ environment: "production", version: 3, file: testFlags() }));
    expect(put.ok && put.value.version).toBe(3);
    const patch = parsePatch(JSON.stringify({ version: 4, flags: { a: null } }));
    expect(patch).toEqual({ ok: true, value: { version: 4, flags: { a: null }, segments: {} } });
  });

  it("says what is wrong with a bad payload", () => {
    expect(parseSnapshot("{")).toMatchObject({ ok: false, message: expect.stringContaining("invalid JSON") });
    expect(parseSnapshot({ environment: "p", version: -1, file: { flags: {} } })).toMatchObject({
      message: "the snapshot has no valid version",
    });
    expect(parseSnapshot({ environment: "p", version: 1, file: [] })).toMatchObject({
      message: "the snapshot has no flag file",
    });
    expect(parsePatch('{"version": 2, "flags": []}')).toMatchObject({ ok: false });
  });
});

describe("applyPatch", () => {
  it("replaces, adds and removes flags and segments, dropping the document-only fields", () => {
    const before = testFlags();
    const after = applyPatch(before, {
      version: 2,
      flags: {
        banner_text: bannerServing("hello"),
        theme: null,
        split_test: { ...bannerServing("hello"), archived: true },
      },
      segments: { enterprise: null, beta: { include: ["u1"] } },
    });
    expect(after.flags.banner_text).toEqual({
      type: "string",
      variants: { hello: "Hello", welcome: "Welcome" },
      offVariant: "hello",
      environments: { production: { on: true, default: "hello" } },
    });
    expect(Object.keys(after.flags).sort()).toEqual(["banner_text", "max_items", "new_checkout"]);
    expect(after.segments).toEqual({ beta: { include: ["u1"] } });
    expect(before.flags.theme).toBeDefined();
  });
});

describe("changedFlags", () => {
  it("lists edited, added and removed flags", () => {
    const before = testFlags();
    const after = applyPatch(before, {
      version: 2,
      flags: { banner_text: bannerServing("hello"), theme: null },
      segments: {},
    });
    expect(changedFlags(before, after)).toEqual(["banner_text", "theme"]);
    expect(changedFlags(undefined, before)).toEqual(Object.keys(before.flags).sort());
    expect(changedFlags(before, testFlags())).toEqual([]);
  });

  it("includes flags using an edited segment and flags whose prerequisites changed", () => {
    const before = testFlags();
    const withDependent: FlagFile = {
      ...before,
      flags: {
        ...before.flags,
        upsell: {
          type: "boolean",
          variants: { on: true, off: false },
          offVariant: "off",
          prerequisites: [{ flag: "new_checkout", variant: "on" }],
          environments: { production: { on: true, default: "on" } },
        },
      },
    };
    const after = applyPatch(withDependent, {
      version: 2,
      flags: {},
      segments: { enterprise: { if: 'plan == "pro"' } },
    });
    expect(changedFlags(withDependent, after)).toEqual(["new_checkout", "upsell"]);
  });

  it("survives malformed documents", () => {
    const before = testFlags();
    const after = applyPatch(before, {
      version: 2,
      flags: { odd: { environments: null, prerequisites: 5 } },
      segments: {},
    });
    expect(changedFlags(before, after)).toEqual(["odd"]);
  });
});
