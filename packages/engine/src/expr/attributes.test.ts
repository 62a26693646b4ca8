import { describe, expect, it } from "vitest";
import { compileExpression, isExprError } from "./index.js";

const env = { now: () => 0 };

function evaluate(
  source: string,
  vars: Record<string, unknown>,
  selfNames: readonly string[] = ["user", "context"],
) {
  const r = compileExpression(source, { selfNames });
  if (!r.ok) throw new Error(`compile error in ${source}: ${r.error.message}`);
  return r.program(vars, env);
}

function messageOf(v: unknown): string {
  if (!isExprError(v)) throw new Error(`expected an error, got ${JSON.stringify(v)}`);
  return v.message;
}

describe("variables and self names", () => {
  const flat = { plan: "enterprise", country: "VN", request: { method: "POST", size: 2_000_000 } };

  it("reads a self name's fields from vars itself", () => {
    expect(evaluate('user.plan == "enterprise"', flat)).toBe(true);
    expect(evaluate('context.country in ["US", "VN"]', flat)).toBe(true);
    expect(evaluate("user", flat)).toBe(flat);
  });

  it("prefers vars' own entry for a self name", () => {
    expect(evaluate("user.plan", { plan: "free", user: { plan: "pro" } })).toBe("pro");
  });

  it("reads other names as variables", () => {
    expect(evaluate('request.method == "POST" && request.size > 1048576', flat)).toBe(true);
    expect(evaluate("plan", flat)).toBe("enterprise");
  });

  it("treats self names as ordinary variables when not configured", () => {
    expect(messageOf(evaluate("user.plan", flat, []))).toBe("no such attribute 'user'");
  });

  it("reports missing attributes by their path in the context", () => {
    expect(messageOf(evaluate("user.plan", {}))).toBe("no such attribute 'plan'");
    expect(messageOf(evaluate("user.plan", { user: {} }))).toBe("no such attribute 'user.plan'");
    expect(messageOf(evaluate("user.address.city", { address: {} }))).toBe(
      "no such attribute 'address.city'",
    );
    expect(messageOf(evaluate("user.address.city", {}))).toBe("no such attribute 'address'");
    expect(messageOf(evaluate("request.size", {}))).toBe("no such attribute 'request'");
    expect(messageOf(evaluate("request.size", { request: {} }))).toBe("no such attribute 'request.size'");
    expect(messageOf(evaluate("country", {}))).toBe("no such attribute 'country'");
  });

  it("keeps null attributes distinct from missing ones", () => {
    expect(evaluate("user.plan == null", { plan: null })).toBe(true);
    expect(isExprError(evaluate("user.plan == null", {}))).toBe(true);
  });

  it("makes a clause on a missing attribute not match, even negated", () => {
    for (const source of ['user.plan == "x"', '!(user.plan == "x")', 'user.plan != "x"', "!user.beta"]) {
      expect(evaluate(source, {})).not.toBe(true);
    }
  });

  it("errors when selecting a field of a non-map", () => {
    expect(messageOf(evaluate("user.plan.tier", { plan: "pro" }))).toContain("cannot select field 'tier'");
    expect(messageOf(evaluate("xs.length", { xs: [1, 2] }))).toContain("cannot select field 'length'");
    expect(messageOf(evaluate("s.length", { s: "abc" }))).toContain("cannot select field 'length'");
    expect(isExprError(evaluate("n.x", { n: null }))).toBe(true);
  });

  it("never reads inherited properties", () => {
    for (const name of ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"]) {
      expect(messageOf(evaluate(`user.${name}`, {}))).toBe(`no such attribute '${name}'`);
      expect(messageOf(evaluate(`m.${name}`, { m: {} }))).toBe(`no such attribute 'm.${name}'`);
      expect(messageOf(evaluate(`${name}`, {}, []))).toBe(`no such attribute '${name}'`);
      expect(evaluate(`has(m.${name})`, { m: {} })).toBe(false);
      expect(evaluate(`"${name}" in m`, { m: {} })).toBe(false);
    }
    expect(evaluate("m.constructor", { m: { constructor: "mine" } })).toBe("mine");
    expect(evaluate("now().epochMs", {}, [])).toSatisfy(isExprError);
    expect(evaluate("duration('1s').ms", {}, [])).toSatisfy(isExprError);
    expect(evaluate("semver('1.2.3').major", {}, [])).toSatisfy(isExprError);
  });

  it("reads fields named like JS properties when they are real", () => {
    const vars = { m: { length: 3, map: "x", message: "hi", code: 7 } };
    expect(evaluate("m.length + m.code", vars)).toBe(10);
    expect(evaluate('m.map + m.message == "xhi"', vars)).toBe(true);
  });

  it("supports absolute names that skip comprehension variables", () => {
    expect(evaluate("[1, 2].all(x, .x == 5)", { x: 5 })).toBe(true);
    expect(evaluate("[1, 2].all(x, x == 5)", { x: 5 })).toBe(false);
  });
});

describe("has()", () => {
  it.each([
    ["has(user.plan)", { plan: "x" }, true],
    ["has(user.plan)", {}, false],
    ["has(user.plan)", { plan: null }, true],
    ["has(m.a.b)", { m: { a: { b: 1 } } }, true],
    ["has(m.a.c)", { m: { a: { b: 1 } } }, false],
    ["has({'a': 1}.a)", {}, true],
    ["has(user.address.city)", { address: {} }, false],
  ])("%s over %j", (source, vars, expected) => {
    expect(evaluate(source, vars)).toBe(expected);
  });

  it.each([
    ["has(m.a.b)", { m: {} }, "no such attribute 'm.a'"],
    ["has(s.a)", { s: "str" }, "has() cannot test field 'a'"],
  ])("%s errors", (source, vars, message) => {
    expect(messageOf(evaluate(source, vars))).toContain(message);
  });

  it.each(["has(x)", "has(x[0])", "has(a.b, c)", "has()"])("rejects %s at compile time", (source) => {
    const r = compileExpression(source);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain("has() takes one field selection");
  });
});

describe("indexing", () => {
  const vars = { xs: [10, 20, 30], m: { a: 1, "b c": 2, "0": "zero" }, s: "abc" };
  it.each([
    ["xs[0]", 10],
    ["xs[2]", 30],
    ["xs[1.0]", 20],
    ["xs[size(xs) - 1]", 30],
    ["m['a']", 1],
    ["m['b c']", 2],
    ["m['0']", "zero"],
    ["{'k': [1, {'z': 2}]}['k'][1]['z']", 2],
    ["m[k]", 1],
  ])("%s", (source, expected) => {
    expect(evaluate(source, { ...vars, k: "a" })).toEqual(expected);
  });

  it.each([
    ["xs[3]", "index out of range: 3"],
    ["xs[-1]", "index out of range: -1"],
    ["xs[0.5]", "no matching overload"],
    ["xs['0']", "cannot select field '0'"],
    ["m['zz']", "no such key: 'zz'"],
    ["m[1]", "no such key: 1"],
    ["s[0]", "no matching overload"],
    ["missing[0]", "no such attribute 'missing'"],
    ["xs[missing]", "no such attribute 'missing'"],
  ])("%s is an error", (source, message) => {
    expect(messageOf(evaluate(source, vars))).toContain(message);
  });
});

describe("never throws", () => {
  it("turns unexpected exceptions into error values", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const v = evaluate("a == b", { a: cyclic, b: { self: { self: {} } } });
    expect(v === false || isExprError(v)).toBe(true);
    const deep = evaluate("a == a2", { a: cyclic, a2: { ...cyclic } });
    expect(deep === true || deep === false || isExprError(deep)).toBe(true);
  });

  it("survives vars that are not objects", () => {
    const r = compileExpression("user.plan", { selfNames: ["user"] });
    if (!r.ok) throw new Error(r.error.message);
    expect(isExprError(r.program(null as unknown as Record<string, unknown>, env))).toBe(true);
  });
});
