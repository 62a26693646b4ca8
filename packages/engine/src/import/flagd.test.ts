/**
 * The flagd importer, checked against flagd itself: @openfeature/flagd-core (flagd's in-process
 * evaluator) and Ramp's engine evaluate the same definitions for thousands of contexts and must
 * agree on value, variant and reason, apart from the documented differences applied in `agree`.
 */
import { FlagdCore } from "@openfeature/flagd-core";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  compileFlagSet,
  type EvaluationResult,
  type FlagEnvironment,
  type FlagFile,
  type Issue,
} from "../index.js";
import { importFlagd } from "./flagd.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Ctx = Record<string, unknown>;
type FlagdContext = NonNullable<Parameters<FlagdCore["resolveBooleanEvaluation"]>[2]>;
type ValueKind = "boolean" | "string" | "number" | "object";

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

interface Outcome {
  readonly value: unknown;
  readonly variant: string | undefined;
  readonly reason: string | undefined;
  readonly errorCode?: string | undefined;
}

/** Both evaluators over one definition. */
class Pair {
  readonly file: FlagFile;
  readonly issues: Issue[];
  readonly #core = new FlagdCore(undefined, silent);
  readonly #env: FlagEnvironment;
  readonly #types = new Map<string, ValueKind>();

  constructor(
    readonly definition: {
      flags: Record<string, { variants: Record<string, Json> } & Record<string, unknown>>;
    } & Record<string, unknown>,
  ) {
    const { file, issues } = importFlagd(definition);
    this.file = file;
    this.issues = issues;
    const compiled = compileFlagSet(file);
    if (!compiled.ok)
      throw new Error(`imported file does not compile: ${JSON.stringify(compiled.errors, null, 2)}`);
    const env = compiled.flagSet.environment("default");
    if (env === undefined) throw new Error("no default environment");
    this.#env = env;
    this.#core.setConfigurations(JSON.stringify(definition));
    for (const [key, flag] of Object.entries(definition.flags)) {
      const first = Object.values(flag.variants)[0];
      this.#types.set(key, Array.isArray(first) || first === null ? "object" : (typeof first as ValueKind));
    }
  }

  keys(): string[] {
    return Object.keys(this.definition.flags);
  }

  flagd(key: string, ctx: Ctx): Outcome {
    const r = this.#core.resolve(
      this.#types.get(key) ?? "boolean",
      key,
      "caller-default",
      ctx as FlagdContext,
    );
    return { value: r.value, variant: r.variant, reason: r.reason, errorCode: r.errorCode };
  }

  ramp(key: string, ctx: Ctx, now?: number): EvaluationResult {
    return this.#env.evaluate(key, ctx, {
      defaultValue: "caller-default",
      ...(now !== undefined && { now: () => now }),
    });
  }

  /** The first disagreement for this context, described; undefined when all flags agree. */
  disagreement(ctx: Ctx, now?: number): string | undefined {
    for (const key of this.keys()) {
      const a = this.flagd(key, ctx);
      const b = this.ramp(key, ctx, now);
      if (!agree(a, b)) {
        return `${key} ${JSON.stringify(ctx)}: flagd ${JSON.stringify(a)} vs ramp ${JSON.stringify({ value: b.value, variant: b.variant, reason: b.reason, errorCode: b.errorCode })}`;
      }
    }
    return undefined;
  }
}

/**
 * Documented differences: where flagd itself fails (ERROR — e.g. "abc" < 5 throws in its JsonLogic)
 * Ramp makes no promise; a fractional answers SPLIT in Ramp where flagd says TARGETING_MATCH.
 */
function agree(a: Outcome, b: EvaluationResult): boolean {
  if (a.reason === "ERROR") return true;
  const reason = b.reason === "SPLIT" ? "TARGETING_MATCH" : b.reason;
  return (
    reason === a.reason && b.variant === a.variant && JSON.stringify(b.value) === JSON.stringify(a.value)
  );
}

/** Context values of every JSON kind, biased towards the constants the definitions test. */
const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, 1, -1, 17, 18, 19, 18.5, 1.5, 100, 1700000000),
  fc.integer({ min: -5, max: 40 }),
  fc.constantFrom(
    "",
    "0",
    "1",
    "17",
    "18",
    "18.0",
    "18.5",
    "-3",
    "1e1",
    "abc",
    "m",
    "z",
    "enterprise",
    "free",
  ),
  fc.constantFrom(
    "US",
    "VN",
    "DE",
    "true",
    "false",
    "null",
    "x@example.com",
    "y@faas.com",
    "@faas.com",
    "beta",
  ),
  fc.constantFrom(
    "1.2.3",
    "v1.2.3",
    "1.2",
    "2",
    "1.10.0",
    "2.0.0-rc.1",
    "2.0.0+build",
    "01.2.3",
    "1.2.3.4",
    "x.y.z",
    "V2.1.0",
  ),
  // No whitespace: JavaScript reads " 18 " as the number 18, Ramp's asFloat() does not.
  fc.string({ maxLength: 3 }).filter((s) => /^\S*$/.test(s)),
);
const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 8, arbitrary: scalar },
  {
    weight: 1,
    arbitrary: fc.array(fc.constantFrom<Json>("beta", "US", "a", 18, true, null), { maxLength: 3 }),
  },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("plan", "id"), scalar, { maxKeys: 2 }) },
);

/**
 * Contexts over the given attributes. `scalars`: no lists or objects where the targeting expects a
 * string — without CEL's type() the negated form of a string test cannot say false for them.
 */
function contexts(attributes: readonly string[], values: fc.Arbitrary<Json> = value): fc.Arbitrary<Ctx> {
  const model: Record<string, fc.Arbitrary<unknown>> = {
    targetingKey: fc.oneof(fc.constantFrom("", "u-1", "beta-1"), fc.string({ maxLength: 6 })),
  };
  for (const a of attributes) model[a] = values;
  return fc.record(model, { requiredKeys: [] });
}

const RUNS = { seed: 20261130, numRuns: 2500 };

function expectAgreement(
  pair: Pair,
  attributes: readonly string[],
  values: fc.Arbitrary<Json> = value,
): void {
  expectAgreementOver(pair, contexts(attributes, values));
}

function expectAgreementOver(pair: Pair, arbitrary: fc.Arbitrary<Ctx>, now?: number): void {
  fc.assert(
    fc.property(arbitrary, (ctx) => {
      expect(pair.disagreement(ctx, now)).toBeUndefined();
    }),
    RUNS,
  );
}

const yesNo = { yes: "yes", no: "no", dflt: "dflt" };

/** One string flag per condition, in the shapes that exercise both CEL forms and DEFAULT. */
function conditionFlags(conditions: readonly Json[]) {
  const flags: Record<
    string,
    { state: string; variants: Record<string, Json>; defaultVariant: string; targeting: Json }
  > = {};
  conditions.forEach((cond, i) => {
    const flag = (targeting: Json) => ({
      state: "ENABLED",
      variants: yesNo,
      defaultVariant: "dflt",
      targeting,
    });
    flags[`c${i}`] = flag({ if: [cond, "yes", "no"] });
    flags[`c${i}-not`] = flag({ if: [{ "!": cond }, "yes", "no"] });
    flags[`c${i}-exit`] = flag({ if: [cond, null, "yes"] });
    flags[`c${i}-exit-not`] = flag({ if: [{ "!": [cond] }, null, { "!!": cond }, "yes", "no"] });
  });
  return { flags };
}

/** The first condition's plain flag (`c0`) from conditionFlags. */
function firstConditionFlag(conditions: readonly Json[]) {
  const flag = conditionFlags(conditions).flags.c0;
  if (flag === undefined) throw new Error("conditionFlags made no c0");
  return flag;
}

describe("conditions agree with flagd-core for every kind of context value", () => {
  const v = (name: string) => ({ var: name });
  const compare: Json[] = [];
  for (const op of ["==", "===", "!=", "!==", "<", "<=", ">", ">="]) {
    for (const c of [18, "18", "enterprise", "m", 0, null, true, false, 1.5, ""]) {
      compare.push({ [op]: [v("a"), c] }, { [op]: [c, v("a")] });
    }
  }

  it("==, ===, !=, !==, <, <=, >, >= against numbers, strings, numeric strings, null and booleans", () => {
    const pair = new Pair(conditionFlags(compare));
    expect(pair.issues).toEqual([]);
    expectAgreement(pair, ["a"]);
  });

  it("between (three operands), two attributes, and $flagd.flagKey", () => {
    const pair = new Pair(
      conditionFlags([
        { "<": [0, v("a"), 18] },
        { "<=": [1, v("a"), 17] },
        { "==": [v("a"), v("b")] },
        { "<": [v("a"), v("b")] },
        { "===": [v("a"), v("b")] },
        { "==": [{ var: "$flagd.flagKey" }, "c2"] },
        { in: ["c3", { var: "$flagd.flagKey" }] },
      ]),
    );
    expect(pair.issues).toEqual([]);
    // Two attributes compare with CEL's typed rules: flagd's string↔number coercion between two
    // context values is not reproduced, so contexts here keep a and b to one kind each.
    const number = fc.oneof(fc.integer({ min: -2, max: 20 }), fc.constant(null));
    expectAgreementOver(pair, fc.record({ a: number, b: number }, { requiredKeys: [] }));
    expectAgreementOver(pair, fc.record({ a: fc.constantFrom("a", "b", ""), b: fc.constantFrom("a", "c") }));
  });

  it("in: list membership, string containment both ways, and two attributes", () => {
    const pair = new Pair(
      conditionFlags([
        { in: [v("a"), ["US", "VN", 18, true, null]] },
        { in: [v("a"), ["enterprise"]] },
        { in: [v("a"), "enterprise-plan 18 true null"] },
        { in: ["beta", v("tags")] },
        { in: ["@faas.com", v("a")] },
        { in: [18, v("a")] },
        { in: [v("a"), v("b")] },
        { in: [v("a"), []] },
      ]),
    );
    expect(pair.issues).toEqual([]);
    // A list or object as the attribute searched in, or as a string operand, stays out: the negated
    // form of "x in attribute" needs CEL's type() to tell a list from a string.
    expectAgreementOver(
      pair,
      fc.record(
        {
          a: scalar,
          b: scalar,
          tags: fc.oneof(fc.constant(null), fc.constantFrom("beta", "alpha-beta", "x")),
        },
        { requiredKeys: [] },
      ),
    );
    // Lists are searched correctly wherever the condition is not negated.
    const positive = new Pair({
      flags: {
        f: firstConditionFlag([{ in: ["beta", v("tags")] }, { in: [v("a"), v("b")] }]),
        g: firstConditionFlag([{ in: [v("a"), v("b")] }]),
      },
    });
    const list = fc.array(fc.constantFrom<Json>("beta", "US", "a", 18), { maxLength: 3 });
    expectAgreementOver(positive, fc.record({ a: scalar, b: list, tags: list }, { requiredKeys: [] }));
  });

  it("!, !!, truthiness of a var, and, or, nested if", () => {
    const pair = new Pair(
      conditionFlags([
        v("a"),
        { "!!": v("a") },
        { "!": [v("a")] },
        { and: [{ "==": [v("a"), "enterprise"] }, { ">": [v("n"), 3] }] },
        { or: [{ "==": [v("a"), "enterprise"] }, { in: [v("c"), ["US", "VN"]] }, v("flag")] },
        { and: [] },
        { or: [{ and: [v("a"), { "!": v("n") }] }, { "===": [v("flag"), true] }] },
        { if: [v("a"), { "==": [v("n"), 1] }, { "==": [v("n"), 2] }] },
        true,
        0,
        "text",
      ]),
    );
    expect(pair.issues).toEqual([]);
    expectAgreement(pair, ["a", "n", "c", "flag"]);
  });

  it("var: dotted paths, defaults and the user/context names", () => {
    const pair = new Pair(
      conditionFlags([
        { "==": [{ var: "user.plan" }, "enterprise"] },
        { "==": [{ var: "a.b.c" }, 1] },
        { "<": [{ var: "a.b.c" }, 3] },
        { var: "a.b" },
      ]),
    );
    expect(pair.issues).toEqual([]);
    // A dotted path through a missing or null object reads as missing, as in flagd; through a string
    // or number it is out of reach (no CEL type()), so contexts here keep objects on the way.
    const inner = fc.oneof(fc.constant(null), fc.record({ c: scalar }, { requiredKeys: [] }));
    const nested = fc.oneof(fc.constant(null), fc.record({ plan: scalar, b: inner }, { requiredKeys: [] }));
    expectAgreementOver(pair, fc.record({ user: nested, a: nested }, { requiredKeys: [] }));

    const flat = new Pair(
      conditionFlags([
        { "==": [{ var: ["plan", "enterprise"] }, "enterprise"] },
        { "<": [{ var: ["n", 5] }, 3] },
        { "==": [{ var: ["user"] }, "enterprise"] },
        { starts_with: [{ var: "odd-name" }, "ent"] },
        { var: ["missing", true] },
        { in: [{ var: 7 }, [1, 2]] },
      ]),
    );
    expect(flat.issues).toEqual([]);
    expectAgreement(flat, ["plan", "n", "user", "odd-name", "7"], scalar);
    // `context` is Ramp's name for the whole context; an attribute of that name is read through `user`
    // (a context holding both a `user` and a `context` attribute is out of reach).
    const named = new Pair(conditionFlags([{ in: [{ var: "context" }, ["US"]] }]));
    expectAgreementOver(named, fc.record({ context: scalar, plan: scalar }, { requiredKeys: [] }));
    const namedPath = new Pair(conditionFlags([{ "==": [{ var: "context.plan" }, "x"] }]));
    expectAgreementOver(namedPath, fc.record({ context: nested, plan: scalar }, { requiredKeys: [] }));
  });

  it("starts_with and ends_with, including non-string operands (flagd: null)", () => {
    const pair = new Pair(
      conditionFlags([
        { starts_with: [v("a"), "en"] },
        { ends_with: [v("a"), "@faas.com"] },
        { starts_with: ["enterprise", v("a")] },
        { ends_with: [v("a"), v("b")] },
        { starts_with: [v("a"), 5] },
        { starts_with: [v("a")] },
      ]),
    );
    expect(pair.issues).toEqual([]);
    expectAgreement(pair, ["a", "b"], scalar);
  });

  it("sem_ver with =, !=, <, <=, >, >=, ^ and ~ (v prefixes, partial versions, pre-releases)", () => {
    const conds: Json[] = [];
    for (const op of ["=", "!=", "<", "<=", ">", ">=", "^", "~"]) {
      conds.push(
        { sem_ver: [v("a"), op, "1.2.3"] },
        { sem_ver: ["v2.0.0", op, v("a")] },
        { sem_ver: [v("a"), op, v("b")] },
      );
    }
    conds.push(
      { sem_ver: [v("a"), "===", "1.0.0"] },
      { sem_ver: [v("a"), ">=", "not-a-version"] },
      { sem_ver: ["1.2", "<", "1.10"] },
    );
    const pair = new Pair(conditionFlags(conds));
    expect(pair.issues).toEqual([]);
    expectAgreement(pair, ["a", "b"], scalar);
  });

  it("$flagd.timestamp is now() in whole seconds", () => {
    const t = 1_750_000_000;
    const pair = new Pair(
      conditionFlags([
        { ">=": [{ var: "$flagd.timestamp" }, t] },
        { "<": [{ var: "$flagd.timestamp" }, String(t + 1)] },
        { "==": [{ var: "$flagd.timestamp" }, t] },
      ]),
    );
    expect(pair.issues).toEqual([]);
    for (const ms of [t * 1000 - 1, t * 1000, t * 1000 + 999, t * 1000 + 1000]) {
      vi.useFakeTimers({ now: ms });
      expect(pair.disagreement({ targetingKey: "u" }, ms)).toBeUndefined();
      vi.useRealTimers();
    }
    expect(pair.file.flags.c0?.environments.default?.rules?.[0]?.if).toBe(`int(now()) >= ${t}`);
    // Against a context value, flagd compares as JavaScript: true is 1, "" and missing are 0.
    const against = new Pair(
      conditionFlags([
        { ">": [{ var: "$flagd.timestamp" }, v("time")] },
        { "<=": [v("time"), { var: "$flagd.timestamp" }] },
        { "==": [{ var: "$flagd.timestamp" }, v("time")] },
        { "===": [v("time"), { var: "$flagd.timestamp" }] },
      ]),
    );
    expect(against.issues).toEqual([]);
    const now = t * 1000 + 500;
    vi.useFakeTimers({ now });
    const time = fc.oneof(scalar, fc.constantFrom<Json>(t, t - 1, t + 1, String(t), `${t}.5`, String(t + 1)));
    expectAgreementOver(against, fc.record({ time }, { requiredKeys: [] }), now);
    vi.useRealTimers();
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("targeting results", () => {
  it("if chains: first match wins, null falls back to defaultVariant with reason DEFAULT", () => {
    const pair = new Pair({
      flags: {
        chain: {
          state: "ENABLED",
          variants: { red: "#f00", green: "#0f0", blue: "#00f" },
          defaultVariant: "blue",
          targeting: {
            if: [
              { "==": [{ var: "tier" }, "gold"] },
              "red",
              { ends_with: [{ var: "email" }, "@example.com"] },
              { if: [{ ">": [{ var: "age" }, 30] }, "green", null] },
              { "!": { var: "beta" } },
              null,
              "green",
            ],
          },
        },
        short: {
          state: "ENABLED",
          variants: { red: 1, green: 2 },
          defaultVariant: "red",
          targeting: { if: [{ var: "beta" }, "green"] },
        },
        single: {
          state: "ENABLED",
          variants: { red: 1, green: 2 },
          defaultVariant: "red",
          targeting: { if: ["green"] },
        },
        literal: {
          state: "ENABLED",
          variants: { red: 1, green: 2 },
          defaultVariant: "red",
          targeting: "green",
        },
      },
    });
    expect(pair.issues).toEqual([]);
    expectAgreement(pair, ["tier", "email", "age", "beta"], scalar);
    expect(pair.ramp("chain", { tier: "silver" })).toMatchObject({ variant: "blue", reason: "DEFAULT" });
  });

  it("boolean shorthand: a condition's true/false names the variants 'true' and 'false'", () => {
    const tf = { true: true, false: false };
    const pair = new Pair({
      flags: {
        ends: {
          state: "ENABLED",
          variants: tf,
          defaultVariant: "false",
          targeting: { ends_with: [{ var: "email" }, "@example.com"] },
        },
        eq: {
          state: "ENABLED",
          variants: tf,
          defaultVariant: "false",
          targeting: { "==": [{ var: "email" }, "a@example.com"] },
        },
        both: {
          state: "ENABLED",
          variants: tf,
          defaultVariant: "true",
          targeting: {
            and: [{ starts_with: [{ var: "email" }, "a"] }, { "!": { in: [{ var: "email" }, ["ab@x"]] } }],
          },
        },
        either: {
          state: "ENABLED",
          variants: tf,
          defaultVariant: "true",
          targeting: { or: [{ "<": [{ var: "n" }, 3] }, { sem_ver: [{ var: "email" }, ">", "1.0.0"] }] },
        },
      },
    });
    expect(pair.issues).toEqual([]);
    expectAgreement(pair, ["email", "n"], scalar);
  });

  it("a variant named by a context attribute (var as the result)", () => {
    const pair = new Pair({
      flags: {
        pick: {
          state: "ENABLED",
          variants: { red: 1, green: 2, true: 3, "18": 4 },
          defaultVariant: "red",
          targeting: { var: "color" },
        },
        fallback: {
          state: "ENABLED",
          variants: { red: 1, green: 2 },
          defaultVariant: "red",
          targeting: { if: [{ var: "beta" }, { var: ["color", "green"] }, "red"] },
        },
      },
    });
    // A value naming no variant is flagd's ERROR (GENERAL) and Ramp's DEFAULT: excluded by `agree`.
    expect(pair.issues).toEqual([]);
    fc.assert(
      fc.property(
        fc.record(
          { color: fc.oneof(scalar, fc.constantFrom("red", "green", "18")), beta: fc.boolean() },
          { requiredKeys: [] },
        ),
        (ctx) => {
          const a = pair.flagd("pick", ctx);
          if (a.reason !== "ERROR") expect(pair.disagreement(ctx)).toBeUndefined();
        },
      ),
      RUNS,
    );
  });

  it("a flag without targeting is STATIC; targeting that yields null is DEFAULT", () => {
    const pair = new Pair({
      flags: {
        static: { state: "ENABLED", variants: { a: "A", b: "B" }, defaultVariant: "b" },
        empty: { state: "ENABLED", variants: { a: "A", b: "B" }, defaultVariant: "b", targeting: {} },
        nulls: {
          state: "ENABLED",
          variants: { a: "A", b: "B" },
          defaultVariant: "a",
          targeting: { if: [true, null, "b"] },
        },
      },
    });
    for (const key of ["static", "empty"])
      expect(pair.ramp(key, {})).toMatchObject({ value: "B", variant: "b", reason: "STATIC" });
    expect(pair.ramp("nulls", {})).toMatchObject({ value: "A", variant: "a", reason: "DEFAULT" });
    expectAgreement(pair, []);
  });

  it("infers the type from the variants: boolean, string, number, object", () => {
    const pair = new Pair({
      flags: {
        b: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" },
        s: { state: "ENABLED", variants: { x: "X" }, defaultVariant: "x" },
        n: { state: "ENABLED", variants: { one: 1, pi: 3.14 }, defaultVariant: "pi" },
        o: {
          state: "ENABLED",
          variants: { cfg: { depth: 2, tags: ["a"] }, list: [1, 2] },
          defaultVariant: "cfg",
        },
      },
    });
    expect(Object.fromEntries(Object.entries(pair.file.flags).map(([k, f]) => [k, f.type]))).toEqual({
      b: "boolean",
      s: "string",
      n: "number",
      o: "object",
    });
    expectAgreement(pair, []);
  });
});

describe("disabled flags", () => {
  const pair = new Pair({
    flags: {
      off: {
        state: "DISABLED",
        variants: { on: true, off: false },
        defaultVariant: "on",
        targeting: { if: [{ "==": [{ var: "plan" }, "pro"] }, "off", "on"] },
      },
    },
  });

  it("answer reason DISABLED in both; Ramp serves the flag's defaultVariant where flagd leaves the caller's default", () => {
    const flagd = pair.flagd("off", { plan: "pro" });
    const ramp = pair.ramp("off", { plan: "pro" });
    expect(flagd).toMatchObject({
      reason: "DISABLED",
      value: "caller-default",
      variant: undefined,
      errorCode: undefined,
    });
    expect(ramp).toMatchObject({ reason: "DISABLED", value: true, variant: "on" });
    expect(ramp.errorCode).toBeUndefined();
  });

  it("keep their targeting, so turning them on restores flagd's behaviour", () => {
    expect(pair.file.flags.off?.environments.default).toEqual({
      on: false,
      hashing: "flagd",
      rules: [{ if: 'plan == "pro"', variant: "off" }, { variant: "on" }],
    });
  });
});

describe("fractional", () => {
  const keys = Array.from({ length: 4000 }, (_, i) => `user-${i}`);
  const split = (targeting: Json, variants: Record<string, Json> = { a: "A", b: "B", c: "C" }) => ({
    state: "ENABLED",
    variants,
    defaultVariant: "a",
    targeting,
  });

  // ASCII keys only: for other characters flagd-core's JavaScript hash (imurmurhash over UTF-16 code
  // units) differs from flagd's Go murmur3 over UTF-8, and Ramp follows UTF-8 (flagd's server).
  it("puts every targeting key in flagd's bucket (flagKey + targetingKey, integer weights)", () => {
    const pair = new Pair({
      flags: {
        even: split({ fractional: [["a"], ["b"]] }),
        weighted: split({
          fractional: [
            ["a", 25],
            ["b", 75],
          ],
        }),
        three: split({
          fractional: [
            ["a", 50],
            ["b", 30],
            ["c", 20],
          ],
        }),
        large: split({
          fractional: [
            ["a", 5000],
            ["b", 3000],
            ["c", 2000],
          ],
        }),
        precise: split({
          fractional: [
            ["a", 7],
            ["b", 1993],
            ["c", 1_000_000],
          ],
        }),
        zero: split({
          fractional: [
            ["a", 0],
            ["b", 1],
            ["c", 0],
          ],
        }),
        reordered: split({
          fractional: [
            ["c", 10],
            ["a", 20],
            ["b", 70],
          ],
        }),
        nested: split({
          if: [
            { "==": [{ var: "plan" }, "pro"] },
            {
              fractional: [
                ["b", 1],
                ["c", 3],
              ],
            },
            "a",
          ],
        }),
        untargeted: split({
          if: [
            { "==": [{ var: "plan" }, "pro"] },
            {
              fractional: [
                ["b", 1],
                ["c", 1],
              ],
            },
            "c",
          ],
        }),
      },
    });
    expect(pair.issues).toEqual([]);
    let counts = 0;
    for (const targetingKey of keys) {
      for (const plan of ["pro", "free"]) {
        expect(pair.disagreement({ targetingKey, plan })).toBeUndefined();
        counts += pair.ramp("weighted", { targetingKey }).variant === "b" ? 1 : 0;
      }
    }
    expect(counts / (2 * keys.length)).toBeCloseTo(0.75, 1);
    expect(pair.file.flags.large?.environments.default?.rules?.[0]?.split).toEqual({ a: 5, b: 3, c: 2 });
    expect(Object.keys(pair.file.flags.reordered?.variants ?? {})).toEqual(["c", "a", "b"]);
    // No targeting key: flagd's fractional is null (DEFAULT), Ramp's rule does not match.
    for (const ctx of [{}, { targetingKey: "" }]) expect(pair.disagreement(ctx)).toBeUndefined();
  });

  it("buckets by a context attribute: {var} hashes the value alone, cat prefixes it", () => {
    const pair = new Pair({
      flags: {
        byEmail: split({ fractional: [{ var: "email" }, ["a", 25], ["b", 25], ["c", 50]] }),
        docs: split({
          fractional: [
            { cat: [{ var: "$flagd.flagKey" }, { var: "email" }] },
            ["a", 50],
            ["b", 20],
            ["c", 30],
          ],
        }),
        seeded: split({ fractional: [{ cat: ["layer-7/", { var: "email" }] }, ["a", 1], ["b", 1]] }),
        withDefault: split({ fractional: [{ var: ["email", "nobody"] }, ["a", 1], ["b", 1], ["c", 1]] }),
        constant: split({ fractional: ["everyone", ["a", 1], ["b", 1], ["c", 1]] }),
      },
    });
    expect(pair.issues).toEqual([]);
    for (const k of keys) expect(pair.disagreement({ email: `${k}@example.com` })).toBeUndefined();
    // flagd also hashes lists and objects ("a,b", "[object Object]"); Ramp buckets strings, numbers
    // and booleans only, so those contexts get no rule (DEFAULT, where flagd says TARGETING_MATCH).
    expectAgreement(pair, ["email"], scalar);
    expect(pair.file.flags.docs?.environments.default?.rules?.at(-1)).toMatchObject({
      bucketBy: "email",
      salt: "docs",
    });
  });

  it("keeps a null bucket's users on the defaultVariant (reason SPLIT where flagd says DEFAULT)", () => {
    const pair = new Pair({
      flags: {
        f: split({
          fractional: [
            ["b", 1],
            [null, 1],
          ],
        }),
      },
    });
    expect(pair.issues.map((i) => i.severity)).toEqual(["warning"]);
    for (const targetingKey of keys.slice(0, 500)) {
      const a = pair.flagd("f", { targetingKey });
      const b = pair.ramp("f", { targetingKey });
      expect([b.value, b.variant]).toEqual([a.value, a.variant]);
    }
  });

  it("reports what a Ramp split cannot express", () => {
    const { issues } = importFlagd({
      flags: {
        f: split({
          if: [
            { var: "x" },
            {
              fractional: [
                ["a", 1],
                ["b", 1],
                ["a", 1],
              ],
            },
            { var: "y" },
            {
              fractional: [
                ["a", 1],
                [{ cat: ["x", { var: "color" }] }, 1],
              ],
            },
            { var: "z" },
            { fractional: [{ var: "user.id" }, ["a", 1], ["b", 1]] },
            {
              fractional: [
                ["a", { "+": [1, 2] }],
                ["b", 1],
              ],
            },
          ],
        }),
      },
    });
    expect(issues.map((i) => [i.path, i.severity])).toEqual([
      ["flags.f.targeting.if[1].fractional", "error"],
      ["flags.f.targeting.if[3].fractional[1][0]", "error"],
      ["flags.f.targeting.if[5].fractional[0]", "error"],
      ["flags.f.targeting.if[6].fractional[0][1]", "error"],
    ]);
    expect(issues[0]?.message).toContain("two separate ranges");
    expect(issues[1]?.message).toContain("must be an 'if' or a 'var'");
    expect(issues[3]?.message).toContain("must be an 'if'");
  });

  it("computed variants and weights (flagd's nested fractional): one split per combination of outcomes", () => {
    const pair = new Pair({
      flags: {
        nestedIf: split({
          fractional: [
            { var: "targetingKey" },
            [{ if: [{ "==": [{ var: "tier" }, "premium"] }, "b", "c"] }, 50],
            ["c", 50],
          ],
        }),
        nestedVar: split({
          fractional: [
            [{ var: "color" }, 50],
            ["b", 50],
          ],
        }),
        nestedWeight: split({
          fractional: [
            { var: "email" },
            ["a", { if: [{ "==": [{ var: "tier" }, "premium"] }, 100, { "<": [{ var: "n" }, 3] }, 5, 0] }],
            ["b", 10],
          ],
        }),
      },
    });
    // The only issue: where `color` is missing, its share of nestedVar is null (flagd: DEFAULT).
    expect(pair.issues.map((i) => [i.path, i.severity])).toEqual([
      ["flags.nestedVar.targeting.fractional", "warning"],
    ]);
    expectAgreementOver(
      pair,
      fc.record(
        {
          targetingKey: fc.oneof(fc.constantFrom("", "u-1"), fc.string({ maxLength: 6 })),
          email: fc.oneof(fc.constantFrom("", "x@y"), fc.string({ maxLength: 6 })),
          tier: fc.oneof(fc.constant("premium"), scalar),
          // A missing color is a null share (flagd: DEFAULT, Ramp: SPLIT; the warning above).
          color: fc.oneof(
            fc.constantFrom<Json>("a", "b", "c"),
            scalar.filter((x) => x !== null),
          ),
          n: scalar,
        },
        { requiredKeys: ["color"] },
      ),
    );
  });
});

describe("$evaluators", () => {
  it("expands $ref as flagd does, including references to later evaluators", () => {
    const definition = {
      flags: {
        fib: {
          state: "ENABLED",
          variants: { recursive: "recursive", binet: "binet" },
          defaultVariant: "recursive",
          targeting: { if: [{ $ref: "emailWithFaas" }, "binet", null] },
        },
        header: {
          state: "ENABLED",
          variants: { red: "#f00", blue: "#00f", green: "#0f0", yellow: "#ff0" },
          defaultVariant: "red",
          targeting: {
            if: [
              { $ref: "proUser" },
              { fractional: [{ var: "email" }, ["red", 25], ["blue", 25], ["green", 25], ["yellow", 25]] },
              null,
            ],
          },
        },
      },
      $evaluators: {
        emailWithFaas: { in: ["@faas.com", { var: ["email"] }] },
        proUser: { and: [{ $ref: "isPro" }, { $ref: "emailWithFaas" }] },
        isPro: { "==": [{ var: "plan" }, "pro"] },
      },
    };
    const pair = new Pair(definition);
    // flagd-core expands a reference inside an evaluator only when it names a later evaluator:
    // proUser's emailWithFaas stays unexpanded, so flagd rejects that flag (PARSE_ERROR) and so do we.
    expect(pair.issues.map((i) => [i.path, i.severity])).toEqual([
      ["flags.header.targeting.if[0].and[1]", "error"],
    ]);
    expect(pair.issues[0]?.message).toContain("$ref");
    expect(pair.flagd("header", { plan: "pro", email: "a@faas.com" })).toMatchObject({
      reason: "ERROR",
      errorCode: "PARSE_ERROR",
    });
    expectAgreement(pair, ["email", "plan"], scalar);
    expect(pair.file.flags.fib?.environments.default?.rules).toEqual([
      { if: 'email.contains("@faas.com") || "@faas.com" in email', variant: "binet" },
    ]);
  });
});

describe("unsupported constructs are reported with their path and operator, never dropped", () => {
  const flag = (targeting: Json) => ({
    state: "ENABLED",
    variants: { on: true, off: false },
    defaultVariant: "off",
    targeting,
  });

  it("operators the importer does not translate, and operators flagd does not know", () => {
    const { file, issues } = importFlagd({
      flags: {
        arith: flag({ if: [{ ">": [{ "+": [{ var: "a" }, 1] }, 3] }, "on", "off"] }),
        some: flag({ if: [{ some: [{ var: "tags" }, { "==": [{ var: "" }, "x"] }] }, "on", "off"] }),
        missing: flag({ if: [{ missing: ["a"] }, "off", "on"] }),
        typo: flag({ if: [{ contains: [{ var: "a" }, "x"] }, "on", "off"] }),
        cat: flag({ cat: ["o", "n"] }),
        ref: flag({ if: [{ $ref: "nowhere" }, "on", "off"] }),
        notVariant: flag({ if: [{ var: "a" }, "maybe", "off"] }),
        later: flag({ if: [{ var: "a" }, "on", { "%": [{ var: "n" }, 2] }, "off", "on"] }),
      },
    });
    const byFlag = (key: string) => issues.filter((i) => i.path.startsWith(`flags.${key}.`));
    expect(byFlag("arith")[0]).toMatchObject({
      path: 'flags.arith.targeting.if[0].">"[0]',
      severity: "error",
    });
    expect(byFlag("arith")[0]?.message).toContain("'+'");
    expect(byFlag("some")[0]?.message).toContain("'some'");
    expect(byFlag("missing")[0]?.message).toContain("'missing'");
    expect(byFlag("typo")[0]?.message).toContain("unknown operator 'contains'");
    expect(byFlag("cat")[0]?.message).toContain("'cat'");
    expect(byFlag("ref")[0]?.message).toContain("$ref");
    expect(byFlag("notVariant")[0]?.message).toContain("'maybe'");
    expect(byFlag("later")[0]?.path).toBe("flags.later.targeting.if[2]");
    expect(issues.every((i) => i.severity === "error")).toBe(true);
    // The branch before an untranslatable condition is kept; nothing after it is guessed.
    expect(file.flags.later?.environments.default?.rules).toHaveLength(1);
    expect(compileFlagSet(file).ok).toBe(true);
  });

  it("flags Ramp cannot represent: mixed variant types, bad state, unknown defaultVariant", () => {
    const { file, issues } = importFlagd({
      flags: {
        mixed: { state: "ENABLED", variants: { a: 1, b: "1" }, defaultVariant: "a" },
        state: { state: "ON", variants: { a: 1 }, defaultVariant: "a" },
        dv: { state: "ENABLED", variants: { a: 1 }, defaultVariant: "z" },
        nodv: { state: "ENABLED", variants: { a: 1, b: 2 } },
        ok: { state: "ENABLED", variants: { "on (green)": true, off: false }, defaultVariant: "on (green)" },
      },
    });
    expect(Object.keys(file.flags)).toEqual(["nodv", "ok"]);
    expect(issues.map((i) => [i.path, i.severity])).toEqual([
      ["flags.mixed.variants", "error"],
      ["flags.state.state", "error"],
      ["flags.dv.defaultVariant", "error"],
      ["flags.nodv.defaultVariant", "error"],
      ['flags.ok.variants."on (green)"', "warning"],
    ]);
    expect(file.flags.ok?.variants).toEqual({ on__green_: true, off: false });
    expect(compileFlagSet(file).ok).toBe(true);
  });

  it("the environment is named by the option", () => {
    const { file } = importFlagd(
      { flags: { f: { state: "ENABLED", variants: { a: 1 }, defaultVariant: "a" } } },
      { environment: "production" },
    );
    expect(file.environments).toEqual(["production"]);
    expect(file.flags.f?.environments.production).toEqual({ on: true, hashing: "flagd", default: "a" });
  });
});
