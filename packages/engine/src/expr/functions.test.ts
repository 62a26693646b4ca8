import { describe, expect, it } from "vitest";
import { compileExpression, isExprError } from "./index.js";

const env = { now: () => 0 };

/** Evaluates; an error value comes back as { error: code }. */
function run(source: string, vars: Record<string, unknown> = {}): unknown {
  const r = compileExpression(source, { selfNames: ["user"] });
  if (!r.ok) throw new Error(`compile error in ${source}: ${r.error.message} at ${r.error.offset}`);
  const v = r.program(vars, env);
  return isExprError(v) ? { error: v.code } : v;
}

const ERR = (code: string) => ({ error: code });
const OVERLOAD = ERR("no_matching_overload");
const INVALID = ERR("invalid_argument");
const RANGE = ERR("index_out_of_range");

describe("size", () => {
  it.each([
    ["size('hello')", 5],
    ["size('héllo')", 5],
    ["size('😀a')", 2],
    ["'😀😀'.size()", 2],
    ["size([1, 2, 3])", 3],
    ["size({'a': 1})", 1],
    ["[].size()", 0],
    ["size(1)", OVERLOAD],
    ["size(null)", OVERLOAD],
  ])("%s", (source, expected) => expect(run(source)).toEqual(expected));
});

describe("string functions", () => {
  it.each([
    ["'hello'.contains('ell')", true],
    ["'hello'.contains('')", true],
    ["'hello'.contains('xyz')", false],
    ["'hello'.startsWith('he')", true],
    ["'hello'.endsWith('lo')", true],
    ["'hello'.endsWith('he')", false],
    ["s.contains(t)", true],
    ["'x'.contains(1)", OVERLOAD],
    ["1.contains('x')", OVERLOAD],
    ["'Hello World'.lowerAscii()", "hello world"],
    ["'ÀbC'.lowerAscii()", "Àbc"],
    ["'hello wörld'.upperAscii()", "HELLO WöRLD"],
    ["'  \\t hi \\n'.trim()", "hi"],
    ["'hello'.indexOf('l')", 2],
    ["'hello'.indexOf('l', 3)", 3],
    ["'hello'.indexOf('z')", -1],
    ["'hello'.indexOf('')", 0],
    ["'hello'.indexOf('o', 5)", -1],
    ["'hello'.indexOf('o', 6)", RANGE],
    ["'😀a😀b'.indexOf('b')", 3],
    ["'😀a😀b'.indexOf('😀', 1)", 2],
    ["'hello'.lastIndexOf('l')", 3],
    ["'hello'.lastIndexOf('l', 2)", 2],
    ["'hello'.lastIndexOf('')", 5],
    ["'😀a😀b'.lastIndexOf('😀')", 2],
    ["'a,b,c'.split(',')", ["a", "b", "c"]],
    ["'a,b,c'.split(',', 2)", ["a", "b,c"]],
    ["'a,b,c'.split(',', 0)", []],
    ["'a,b,c'.split(',', -1)", ["a", "b", "c"]],
    ["''.split(',')", [""]],
    ["'abc'.split('')", ["a", "b", "c"]],
    ["'a😀'.split('')", ["a", "😀"]],
    ["'aaa'.replace('a', 'b')", "bbb"],
    ["'aaa'.replace('a', 'b', 2)", "bba"],
    ["'aaa'.replace('a', 'b', 0)", "aaa"],
    ["'abc'.replace('', '-')", "-a-b-c-"],
    ["'abc'.replace('', '-', 2)", "-a-bc"],
    ["['a', 'b'].join()", "ab"],
    ["['a', 'b'].join(', ')", "a, b"],
    ["[].join('-')", ""],
    ["['a', 1].join()", INVALID],
    ["'hello'.substring(1)", "ello"],
    ["'hello'.substring(1, 3)", "el"],
    ["'hello'.substring(5)", ""],
    ["'hello'.substring(3, 1)", RANGE],
    ["'hello'.substring(6)", RANGE],
    ["'😀bc'.substring(1)", "bc"],
    ["'hello'.charAt(1)", "e"],
    ["'hello'.charAt(5)", ""],
    ["'hello'.charAt(6)", RANGE],
  ])("%s", (source, expected) => expect(run(source, { s: "haystack", t: "st" })).toEqual(expected));
});

describe("matches", () => {
  it.each([
    ["'hello'.matches('^h.*o$')", true],
    ["'hello'.matches('ell')", true],
    ["'hello'.matches('^ell')", false],
    ["matches('abc123', '[0-9]+')", true],
    ["email.matches('@example\\\\.com$')", true],
    ["email.matches(pattern)", true],
    ["email.matches(bad)", INVALID],
    ["1.matches('x')", OVERLOAD],
    ["missing.matches('x')", ERR("no_such_attribute")],
  ])("%s", (source, expected) => {
    expect(run(source, { email: "ada@example.com", pattern: "^[a-z]+@", bad: "(" })).toEqual(expected);
  });

  it("rejects a malformed constant pattern at compile time, pointing at it", () => {
    const r = compileExpression("email.matches('a(b')");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain("invalid regular expression");
      expect(r.error.offset).toBe(14);
    }
  });

  it("is linear on patterns that make backtracking engines explode", () => {
    const start = Date.now();
    expect(run("s.matches('^(a+)+$')", { s: `${"a".repeat(5000)}!` })).toBe(false);
    expect(run("s.matches(p)", { s: `${"a".repeat(5000)}!`, p: "^(a|aa)*$" })).toBe(false);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it("caches dynamic patterns without growing without bound", () => {
    for (let i = 0; i < 200; i++) expect(run("s.matches(p)", { s: `x${i}y`, p: `x${i}y` })).toBe(true);
  });
});

describe("conversions", () => {
  it.each([
    ["int(3.9)", 3],
    ["int(-3.9)", -3],
    ["int('42')", 42],
    ["int('-42')", -42],
    ["int('4.2')", INVALID],
    ["int(' 42')", INVALID],
    ["int(1e300)", ERR("overflow")],
    ["int(0.0 / 0.0)", ERR("overflow")],
    ["int(timestamp('2026-01-01T00:00:00Z'))", 1767225600],
    ["int(true)", OVERLOAD],
    ["uint(3.5)", 3],
    ["uint('7')", 7],
    ["uint(-1)", ERR("overflow")],
    ["uint('-1')", INVALID],
    ["double(3)", 3],
    ["double('2.5')", 2.5],
    ["double('1e3')", 1000],
    ["double('-Inf')", Number.NEGATIVE_INFINITY],
    ["double('abc')", INVALID],
    ["string(42)", "42"],
    ["string(2.5)", "2.5"],
    ["string(true)", "true"],
    ["string('s')", "s"],
    ["string(null)", OVERLOAD],
    ["string([1])", OVERLOAD],
    ["string(timestamp('2026-01-01T10:00:00.5+02:00'))", "2026-01-01T08:00:00.5Z"],
    ["string(duration('1h30m'))", "5400s"],
    ["string(duration('1.5s'))", "1.5s"],
    ["string(semver('v1.2.3-rc.1'))", "1.2.3-rc.1"],
    ["bool('true')", true],
    ["bool('F')", false],
    ["bool('yes')", INVALID],
    ["bool(true)", true],
    ["bool(1)", OVERLOAD],
    ["dyn(1) + 1", 2],
    ["int(7) / int(2)", 3],
    ["double(7) / 2.0", 3.5],
  ])("%s", (source, expected) => expect(run(source)).toEqual(expected));
});

describe("Argo Rollouts analysis helpers", () => {
  const result = { result: [0.97, 0.5] };
  it.each([
    ["result[0] >= 0.95", result, true],
    ["len(result) > 0 && result[0] < 0.5", result, false],
    ["len(result) > 0 && result[0] < 0.5", { result: [] }, false],
    ["len('abc') + len({'a': 1})", {}, 4],
    ["isNaN(result)", { result: Number.NaN }, true],
    ["isNaN(result)", { result: 1.5 }, false],
    ["isNaN(result)", { result: "x" }, OVERLOAD],
    ["isInf(result)", { result: Number.NEGATIVE_INFINITY }, true],
    ["isInf(result)", { result: 1e308 }, false],
    ["isNil(result)", { result: null }, true],
    ["isNil(result)", {}, true],
    ["isNil(user.missing)", {}, true],
    ["isNil(result)", { result: 0 }, false],
    ["isNil(result[0])", { result: [] }, RANGE],
    ["default(result, 0) > 1", { result: null }, false],
    ["default(result, 0) > 1", {}, false],
    ["default(result, 2) > 1", {}, true],
    ["default(result, 0) > 1", { result: 5 }, true],
    ["isNaN(default(result, 0))", { result: Number.NaN }, true],
    ["default(result.value, 'none')", { result: {} }, "none"],
    ["default(result[3], 0)", { result: [1] }, RANGE],
    ["asInt('42') + 1", {}, 43],
    ["asInt(result)", { result: 4.9 }, 4],
    ["asInt(result)", { result: "4.9" }, INVALID],
    ["asInt(result)", { result: "x" }, INVALID],
    ["asFloat('0.95') >= 0.95", {}, true],
    ["asFloat(result)", { result: "1e-3" }, 0.001],
    ["asFloat(result)", { result: "NaN" }, Number.NaN],
    ["asFloat(result)", { result: "+Inf" }, Number.POSITIVE_INFINITY],
    ["asFloat(result)", { result: "fast" }, INVALID],
    ["asFloat(result)", { result: true }, OVERLOAD],
  ])("%s over %j", (source, vars, expected) => {
    expect(run(source, vars)).toEqual(expected);
  });
});

describe("host functions", () => {
  it("calls extra functions with error-free values and never folds them", () => {
    let calls = 0;
    const r = compileExpression("bucket(user.id, 100) < 10", {
      selfNames: ["user"],
      functions: {
        bucket: (id, n) => {
          calls++;
          return typeof id === "string" && typeof n === "number" ? id.length % n : 0;
        },
      },
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.program({ id: "abc" }, env)).toBe(true);
    expect(isExprError(r.program({}, env))).toBe(true);
    expect(calls).toBe(1);
  });

  it("calls a host function without arguments at every evaluation", () => {
    let n = 0;
    const r = compileExpression("tick() + tick()", { functions: { tick: () => ++n } });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.program({}, env)).toBe(3);
    expect(r.program({}, env)).toBe(7);
  });

  it("turns a throwing host function into an error value", () => {
    const r = compileExpression("boom()", {
      functions: {
        boom: () => {
          throw new Error("kaput");
        },
      },
    });
    if (!r.ok) throw new Error(r.error.message);
    const v = r.program({}, env);
    expect(isExprError(v) && v.message).toContain("kaput");
  });
});
