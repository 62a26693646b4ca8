import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileFlagSet, type FlagSet, validateFlagFile } from "./index.js";

const NOW = Date.parse("2026-11-30T12:00:00Z");
const examples = parse(
  readFileSync(new URL("../../../examples/flags.yaml", import.meta.url), "utf8"),
) as unknown;

function load(doc: unknown): FlagSet {
  const r = compileFlagSet(doc, { now: () => NOW });
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
  return r.flagSet;
}

const boolFlag = (env: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  flags: {
    f: {
      type: "boolean",
      variants: { on: true, off: false },
      offVariant: "off",
      environments: { prod: env },
      ...extra,
    },
  },
});

describe("the seed's new_checkout (examples/flags.yaml)", () => {
  const set = load(examples);
  const prod = set.environment("production");
  const staging = set.environment("staging");

  it("loads with no errors or warnings, production first", () => {
    const r = compileFlagSet(examples, { now: () => NOW });
    expect(r.ok && r.warnings).toEqual([]);
    expect(set.environments).toEqual(["production", "staging"]);
  });

  it("serves individual targets first", () => {
    const r = prod?.evaluate("new_checkout", { targetingKey: "beta-1", country: "DE" });
    expect(r).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });
    expect(r?.ruleIndex).toBeUndefined();
  });

  it("matches plan == enterprise through a segment rule, naming the rule", () => {
    const r = prod?.evaluate("new_checkout", { targetingKey: "u-1", plan: "enterprise", country: "DE" });
    expect(r).toMatchObject({ value: true, reason: "TARGETING_MATCH", ruleIndex: 0, ruleName: "enterprise" });
  });

  it("matches country in [US, VN, JP]", () => {
    for (const country of ["US", "VN", "JP"]) {
      const r = prod?.evaluate("new_checkout", { targetingKey: "u-1", plan: "free", country });
      expect(r).toMatchObject({ value: true, reason: "TARGETING_MATCH", ruleIndex: 1 });
    }
  });

  it("is off in staging: the kill switch, reason DISABLED", () => {
    const r = staging?.evaluate("new_checkout", { targetingKey: "beta-1", plan: "enterprise" });
    expect(r).toMatchObject({ value: false, variant: "off", reason: "DISABLED" });
  });

  it("puts about 25% of everyone else on, the same users on every compilation", () => {
    const again = load(examples).environment("production");
    let on = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const ctx = { targetingKey: `user-${i}`, plan: "free", country: "DE" };
      const r = prod?.evaluate("new_checkout", ctx);
      expect(r?.reason).toBe("SPLIT");
      expect(again?.evaluate("new_checkout", ctx).value).toBe(r?.value);
      if (r?.value === true) on++;
    }
    // 25% ± 4.5 standard deviations of a binomial(20000, 0.25)
    expect(Math.abs(on / n - 0.25)).toBeLessThan(4.5 * Math.sqrt((0.25 * 0.75) / n));
  });

  it("evaluates the seed's request rules (§2.8.3) and the §2.8.2 id list", () => {
    const big = { targetingKey: "u", request: { method: "POST", size: 2 * 1024 * 1024, path: "/x" } };
    expect(prod?.evaluate("heavy_query_optimization", big).value).toBe(true);
    expect(
      prod?.evaluate("heavy_query_optimization", { ...big, request: { ...big.request, size: 10 } }).value,
    ).toBe(false);
    expect(
      prod?.evaluate("heavy_query_optimization", { targetingKey: "u", request: { path: "/reports" } }).value,
    ).toBe(true);
    expect(prod?.evaluate("premium_features", { targetingKey: "u", id: "beta-tester-2" }).value).toBe(true);
  });

  it("serves the off variant when a prerequisite is not met", () => {
    const r = prod?.evaluate("checkout_button", { targetingKey: "user-1", plan: "free", country: "DE" });
    const gate = prod?.evaluate("new_checkout", { targetingKey: "user-1", plan: "free", country: "DE" });
    if (gate?.value === false) expect(r).toMatchObject({ variant: "control", reason: "PREREQUISITE_FAILED" });
    else expect(r?.reason).toBe("SPLIT");
    const vip = prod?.evaluate("checkout_button", { targetingKey: "user-1", plan: "enterprise" });
    expect(vip?.reason).not.toBe("PREREQUISITE_FAILED");
  });

  it("applies time conditions through now()", () => {
    const ctx = { targetingKey: "user-1", plan: "enterprise" };
    const holiday = prod?.evaluate("checkout_button", ctx, { now: () => Date.parse("2026-12-24T10:00:00Z") });
    expect(holiday).toMatchObject({
      variant: "friendly",
      reason: "TARGETING_MATCH",
      ruleName: "holiday-season",
    });
    const before = prod?.evaluate("checkout_button", ctx, { now: () => Date.parse("2026-12-01T10:00:00Z") });
    expect(before?.reason).toBe("SPLIT");
  });

  it("carries flag metadata", () => {
    expect(prod?.evaluate("new_checkout", { targetingKey: "x" }).flagMetadata).toMatchObject({
      owner: "payments-team",
      tags: "checkout,release",
      expires: "2027-06-30",
    });
  });
});

describe("reasons and error codes", () => {
  const set = load({
    environments: ["prod", "dev"],
    flags: {
      color: {
        type: "string",
        variants: { red: "red", blue: "blue" },
        offVariant: "red",
        environments: { prod: { on: true, default: { split: { red: 50, blue: 50 } } } },
      },
      plain: {
        type: "number",
        variants: { one: 1, two: 2 },
        offVariant: "one",
        environments: { prod: { on: true, default: "two" } },
      },
      nodefault: { type: "boolean", environments: { prod: { on: true } } },
    },
  });
  const prod = set.environment("prod");

  it("STATIC for a plain default and DEFAULT when no default is set", () => {
    expect(prod?.evaluate("plain", {})).toMatchObject({ value: 2, variant: "two", reason: "STATIC" });
    expect(prod?.evaluate("nodefault", {})).toMatchObject({
      value: false,
      variant: "off",
      reason: "DEFAULT",
    });
  });

  it("FLAG_NOT_FOUND returns the caller's default", () => {
    expect(prod?.evaluate("nope", {}, { defaultValue: "fallback" })).toMatchObject({
      value: "fallback",
      reason: "ERROR",
      errorCode: "FLAG_NOT_FOUND",
    });
  });

  it("TYPE_MISMATCH when asked for another type", () => {
    expect(
      prod?.evaluate("color", { targetingKey: "a" }, { type: "boolean", defaultValue: true }),
    ).toMatchObject({
      value: true,
      errorCode: "TYPE_MISMATCH",
    });
    expect(prod?.evaluate("color", { targetingKey: "a" }, { type: "string" }).reason).toBe("SPLIT");
  });

  it("TARGETING_KEY_MISSING when a split has no key to hash", () => {
    expect(prod?.evaluate("color", {}, { defaultValue: "x" })).toMatchObject({
      value: "x",
      reason: "ERROR",
      errorCode: "TARGETING_KEY_MISSING",
    });
  });

  it("INVALID_CONTEXT for a context that is not an object or a non-string targetingKey", () => {
    for (const bad of [null, 3, "ctx", [], { targetingKey: 7 }])
      expect(prod?.evaluate("plain", bad as never).errorCode).toBe("INVALID_CONTEXT");
  });

  it("an unconfigured environment serves the off variant, DISABLED", () => {
    expect(set.environment("dev")?.evaluate("plain", {})).toMatchObject({ value: 1, reason: "DISABLED" });
  });

  it("PARSE_ERROR for an invalid flag when compiled leniently; the others still work", () => {
    const doc = {
      flags: {
        good: { type: "boolean", environments: { prod: { on: true, default: "on" } } },
        bad: {
          type: "boolean",
          environments: { prod: { on: true, rules: [{ if: "plan ==", variant: "on" }] } },
        },
      },
    };
    expect(compileFlagSet(doc).ok).toBe(false);
    const r = compileFlagSet(doc, { lenient: true });
    expect(r.ok).toBe(true);
    const env = r.ok ? r.flagSet.environment("prod") : undefined;
    expect(env?.evaluate("good", {}).value).toBe(true);
    expect(env?.evaluate("bad", {}, { defaultValue: false })).toMatchObject({
      value: false,
      errorCode: "PARSE_ERROR",
    });
  });

  it("a missing attribute never matches, even negated", () => {
    const env = load(
      boolFlag({ on: true, rules: [{ if: '!(plan == "free")', variant: "on" }], default: "off" }),
    ).environment("prod");
    expect(env?.evaluate("f", { plan: "pro" }).value).toBe(true);
    expect(env?.evaluate("f", {}).value).toBe(false);
  });

  it("a rollout gate lets only its share take the rule and the rest fall through", () => {
    const env = load(
      boolFlag({
        on: true,
        rules: [{ if: "true", rollout: { percentage: 30 }, variant: "on" }],
        default: "off",
      }),
    ).environment("prod");
    let on = 0;
    for (let i = 0; i < 10_000; i++) if (env?.evaluate("f", { targetingKey: `k${i}` }).value === true) on++;
    expect(on / 10_000).toBeGreaterThan(0.28);
    expect(on / 10_000).toBeLessThan(0.32);
    expect(env?.evaluate("f", {}).value).toBe(false); // no key: the gate does not admit
  });

  it("never throws, whatever the context", () => {
    const env = load(examples).environment("production");
    fc.assert(
      fc.property(fc.anything(), (ctx) => {
        const r = env?.evaluate("new_checkout", ctx as never);
        expect(typeof r?.reason).toBe("string");
      }),
      { numRuns: 2000 },
    );
  });

  it("compiling never throws, whatever the document", () => {
    fc.assert(
      fc.property(fc.anything(), (doc) => {
        const r = compileFlagSet(doc);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("validation names every problem with its path", () => {
  const broken = {
    segments: { beta: { if: 'email.endsWith("@example.com")' } },
    flags: {
      new_checkout: {
        type: "boolean",
        variants: { on: true, off: "no" },
        offVariant: "of",
        prerequisites: [{ flag: "other", variant: "on" }],
        environments: {
          production: {
            on: true,
            rulez: [],
            rules: [
              { if: 'user.plan == "enterprise"', variant: "on" },
              { segment: "betas", variant: "on" },
              { if: 'user.email.contians("@acme")', variant: "on" },
              { if: 'country in ["US"', variant: "on" },
            ],
            default: { split: { on: 25, off: 70 } },
          },
        },
      },
      other: {
        type: "boolean",
        prerequisites: [{ flag: "new_checkout", variant: "on" }],
        environments: { production: { on: "yes" } },
      },
      third: {
        type: "string",
        variants: { a: "a" },
        offVariant: "a",
        prerequisites: [{ flag: "fourth", variant: "a" }],
        environments: { production: { on: true } },
      },
      fourth: {
        type: "string",
        variants: { a: "a" },
        offVariant: "a",
        prerequisites: [{ flag: "third", variant: "a" }],
        environments: { production: { on: true } },
      },
    },
  };
  const issues = validateFlagFile(broken);
  const at = (path: string) => issues.filter((i) => i.path === path);

  it.each([
    ["flags.new_checkout.variants.off", /not a boolean/],
    ["flags.new_checkout.offVariant", /unknown variant 'of'/],
    ["flags.new_checkout.environments.production.rulez", /unknown field 'rulez'/],
    ["flags.new_checkout.environments.production.rules[1].segment", /unknown segment 'betas'/],
    ["flags.new_checkout.environments.production.rules[2].if", /contians/],
    ["flags.new_checkout.environments.production.rules[3].if", /does not compile/],
    ["flags.new_checkout.environments.production.default.split", /add up to 95, not 100/],
    ["flags.other.environments.production.on", /expected true or false/],
    ["flags.third.prerequisites", /cycle: third → fourth → third/],
  ])("%s", (path, message) => {
    expect(
      at(path)
        .map((i) => i.message)
        .join(" | "),
    ).toMatch(message);
  });

  it("suggests the nearest name", () => {
    expect(at("flags.new_checkout.environments.production.rulez")[0]?.suggestion).toBe(
      "did you mean 'rules'?",
    );
    expect(at("flags.new_checkout.offVariant")[0]?.suggestion).toBe("did you mean 'off'?");
    expect(at("flags.new_checkout.environments.production.rules[1].segment")[0]?.suggestion).toBe(
      "did you mean 'beta'?",
    );
    expect(at("flags.new_checkout.environments.production.rules[2].if")[0]?.suggestion).toMatch(/contains/);
    expect(at("flags.new_checkout.environments.production.default.split")[0]?.suggestion).toMatch(/off: 75/);
  });

  it("rejects the whole file, so the previous good state stays in force", () => {
    expect(compileFlagSet(broken).ok).toBe(false);
  });
});
