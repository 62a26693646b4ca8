import { describe, expect, it } from "vitest";
import { compileExpression, isExprError, MAX_DEPTH, MAX_EXPRESSION_LENGTH } from "./index.js";

const env = { now: () => 0 };

function run(source: string, vars: Record<string, unknown> = {}): unknown {
  const r = compileExpression(source);
  if (!r.ok) throw new Error(`compile error in ${source}: ${r.error.message} at ${r.error.offset}`);
  const v = r.program(vars, env);
  return isExprError(v) ? { error: v.message } : v;
}

function diagnostic(source: string) {
  const r = compileExpression(source);
  if (r.ok) throw new Error(`expected a compile error for ${source}`);
  return r.error;
}

describe("literals", () => {
  it.each([
    ["42", 42],
    ["0x2A", 42],
    ["0X2a", 42],
    ["42u", 42],
    ["42U", 42],
    ["3.25", 3.25],
    [".5", 0.5],
    ["1e3", 1000],
    ["1.5E-2", 0.015],
    ["2e+2", 200],
    ["true", true],
    ["false", false],
    ["null", null],
    ['"double"', "double"],
    ["'single'", "single"],
    ['"it\'s"', "it's"],
    ["'say \"hi\"'", 'say "hi"'],
    ['"""triple "quoted"\nlines"""', 'triple "quoted"\nlines'],
    ["'''x'''", "x"],
    ['r"\\d+\\n"', "\\d+\\n"],
    ["R'\\w'", "\\w"],
    ['r"""a\\b"""', "a\\b"],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\\\"\\\'\\`\\?"', "\x07\b\f\n\r\t\v\\\"'`?"],
    ['"\\x41\\X42"', "AB"],
    ['"\\u00e9\\U0001F600"', "é😀"],
    ['"\\101\\060"', "A0"],
    ["[]", []],
    ["[1, 'a', [true]]", [1, "a", [true]]],
    ["[1, 2,]", [1, 2]],
    ["{}", {}],
    ["{'a': 1, 'b': {'c': [2]}}", { a: 1, b: { c: [2] } }],
    ["{'a': 1,}", { a: 1 }],
    ["// a comment\n1 + // another\n 2", 3],
  ])("%s", (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it("keeps map literals free of prototype tricks", () => {
    const v = run("{'__proto__': 1, 'constructor': 2}");
    expect(Object.keys(v as object)).toEqual(["__proto__", "constructor"]);
    expect(run("{'__proto__': 1}['__proto__']")).toBe(1);
  });
});

describe("precedence and associativity", () => {
  it.each([
    ["1 + 2 * 3 - 4 / 2", 5],
    ["2 * 3 % 4", 2],
    ["10 - 2 - 3", 5],
    ["100 / 10 / 5", 2],
    ["1 < 2 == true", true],
    ["1 + 1 == 2 && 3 > 2", true],
    ["true || false && false", true],
    ["(true || false) && false", false],
    ["false && false || true", true],
    ["!true || true", true],
    ["-2 * -3", 6],
    ["true ? 1 : 0 + 5", 1],
    ["false || true ? 'y' : 'n'", "y"],
    ["2 in [1, 2] == true", true],
    ["[1, 2, 3][1] + 1", 3],
    ["{'a': [1, 2]}.a[1]", 2],
    ["'abc'.size() * 2", 6],
    ["-'abc'.size()", -3],
  ])("%s", (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
});

describe("syntax errors carry an offset", () => {
  it.each([
    ["1 +", 3, "unexpected end"],
    ["(1 + 2", 6, "expected ')'"],
    ["[1, 2", 5, "expected ']'"],
    ["{'a' 1}", 5, "expected ':'"],
    ["1 = 2", 2, "did you mean '=='"],
    ["a & b", 2, "did you mean '&&'"],
    ["a | b", 2, "did you mean '||'"],
    ["1 2", 2, "after the end"],
    ["'abc", 0, "unterminated string"],
    ["'a\nb'", 2, "newline in string"],
    ['"\\q"', 1, "invalid escape"],
    ['"\\x4"', 1, "hex digits"],
    ['"\\uD800"', 1, "Unicode scalar"],
    ['b"bytes"', 0, "bytes literals are not supported"],
    ["0x", 0, "hexadecimal"],
    ["1e", 0, "malformed number"],
    ["12abc", 0, "malformed number"],
    ["9007199254740993", 0, "out of range"],
    ["x.", 2, "expected a field or method name"],
    ["a.1", 1, "after the end"],
    ["if", 0, "reserved"],
    ["x.in", 2, "reserved word"],
    ["x.null", 2, "reserved word"],
    ["in", 0, "reserved"],
    ["Foo{a: 1}", 0, "message construction"],
    ["true ? 1 ? 2 : 3 : 4", 9, "expected ':'"],
    ["#", 0, "unexpected character"],
    ["", 0, "unexpected end"],
  ])("%j", (source, offset, message) => {
    const d = diagnostic(source);
    expect(d.message).toContain(message);
    expect(d.offset).toBe(offset);
  });
});

describe("limits", () => {
  it(`rejects input longer than ${MAX_EXPRESSION_LENGTH} characters`, () => {
    const source = `"${"a".repeat(MAX_EXPRESSION_LENGTH)}"`;
    expect(diagnostic(source).message).toContain("too long");
  });

  it("accepts input at the limit", () => {
    const source = `"${"a".repeat(MAX_EXPRESSION_LENGTH - 2)}"`;
    expect(run(source)).toHaveLength(MAX_EXPRESSION_LENGTH - 2);
  });

  it.each([
    ["parentheses", (n: number) => `${"(".repeat(n)}1${")".repeat(n)}`],
    ["lists", (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}`],
    ["negations", (n: number) => `${"!".repeat(n)}true`],
    ["additions", (n: number) => `1${" + 1".repeat(n)}`],
    ["member chains", (n: number) => `x${".f".repeat(n)}`],
    ["calls", (n: number) => `${"size(".repeat(n)}'a'${")".repeat(n)}`],
    ["conditionals", (n: number) => `${"true ? 1 : ".repeat(n)}0`],
  ])("rejects %s nested deeper than the limit, and accepts shallow ones", (_, make) => {
    const deep = diagnostic(make(MAX_DEPTH + 1));
    expect(deep.message).toContain("nested too deeply");
    expect(compileExpression(make(MAX_DEPTH - 5)).ok).toBe(true);
  });

  it("fails cleanly on hostile nesting that fills the whole length budget", () => {
    for (const s of [
      "(".repeat(16000),
      "[".repeat(16000),
      "-".repeat(16000),
      "a.b".repeat(5000),
      "!".repeat(16000),
    ]) {
      const r = compileExpression(s);
      expect(r.ok).toBe(false);
    }
  });

  it("does not count long && / || chains as nesting", () => {
    const chain = Array.from({ length: 500 }, (_, i) => `x == ${i}`).join(" || ");
    expect(run(chain, { x: 499 })).toBe(true);
    expect(run(chain, { x: 500 })).toBe(false);
  });
});
