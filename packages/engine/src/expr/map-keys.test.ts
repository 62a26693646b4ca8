import { describe, expect, it } from "vitest";
import { compileExpression, isExprError } from "./index.js";

const env = { now: () => 0 };

/** Evaluates; an error value comes back as { error: code }. */
function run(source: string, vars: Record<string, unknown> = {}): unknown {
  const r = compileExpression(source);
  if (!r.ok) throw new Error(`compile error in ${source}: ${r.error.message} at ${r.error.offset}`);
  const v = r.program(vars, env);
  return isExprError(v) ? { error: v.code } : v;
}

function compileError(source: string): string | undefined {
  const r = compileExpression(source);
  return r.ok ? undefined : r.error.message;
}

const NO_KEY = { error: "no_such_attribute" };
const vars = { i: 1, u: 2, b: true, d: 1.5, s: "1", json: { "1": "one", true: "yes", k: "kay" } };

describe("int, uint and bool map keys", () => {
  it("stores them under their string forms", () => {
    expect(run("{1: 'a', 2u: 'b', true: 'c', -3: 'd', 'e': 'f'}")).toEqual({
      "1": "a",
      "2": "b",
      true: "c",
      "-3": "d",
      e: "f",
    });
    expect(run("{i: 'a', u: 'b', b: 'c'}", vars)).toEqual({ "1": "a", "2": "b", true: "c" });
  });

  it.each([
    ["{1: 'a', 2: 'b'}[2]", "b"],
    ["{1: 'a'}[1u]", "a"],
    ["{1u: 'a'}[1]", "a"],
    ["{1: 'a'}[1.0]", "a"],
    ["{-1: 'a'}[-1]", "a"],
    ["{true: 'a', false: 'b'}[false]", "b"],
    ["{i: 'a'}[1]", "a"],
    ["{1: 'a'}[i]", "a"],
    ["{b: 'a'}[true]", "a"],
    ["{1: 'a'}[2]", NO_KEY],
    ["{1: 'a'}[1.5]", NO_KEY],
    ["{1: 'a'}[true]", NO_KEY],
    ["{true: 'a'}[1]", NO_KEY],
    ["{1: 'a'}[null]", NO_KEY],
  ])("indexes %s", (source, expected) => expect(run(source, vars)).toEqual(expected));

  it.each([
    ["1 in {1: 'a'}", true],
    ["3 in {1: 'a'}", false],
    ["1u in {1: 'a'}", true],
    ["true in {true: 'a'}", true],
    ["false in {true: 'a'}", false],
    ["i in {1: 'a'}", true],
    ["d in {1: 'a'}", false],
    ["[1] in {1: 'a'}", false],
    ["1 in {i: 'a'}", true],
    ["b in {b: 'a'}", true],
    ["missing in {1: 'a'}", { error: "no_such_attribute" }],
  ])("tests membership: %s", (source, expected) => expect(run(source, vars)).toEqual(expected));

  it("leaves field selection and has() to string keys", () => {
    expect(run("has({1: 'a', 'x': 'b'}.x)")).toBe(true);
    expect(run("has({1: 'a'}.x)")).toBe(false);
    expect(run("{1: 'a', 'x': 'b'}.x")).toBe("b");
    expect(run("has(json.k)", vars)).toBe(true);
  });

  it("gives comprehensions the keys as written, in order", () => {
    expect(run("{2: 'a', 1: 'b', -1: 'c', 'z': 'd', true: 'e'}.map(k, k)")).toEqual([2, 1, -1, "z", true]);
    expect(run("{1: 'a', 2: 'b'}.all(k, k > 0)")).toBe(true);
    expect(run("{true: 'a'}.exists(k, k)")).toBe(true);
    expect(run("{1: 'a', 2: 'b'}.exists_one(k, k == 2)")).toBe(true);
    expect(run("{1u: 'a', 5u: 'b'}.filter(k, k > 2u)")).toEqual([5]);
    expect(run("{1: 'a', 2: 'b'}.map(k, k * 10)")).toEqual([10, 20]);
    expect(run("{i: 'a', 'x': 'b'}.map(k, k)", vars)).toEqual([1, "x"]);
    const m = "{1: 'one', 2: 'two'}";
    expect(run(`${m}.map(k, ${m}[k])`)).toEqual(["one", "two"]);
  });

  it("counts and compares maps by their stored keys", () => {
    expect(run("size({1: 'a', true: 'b'})")).toBe(2);
    expect(run("{1: 'a'} == {1u: 'a'}")).toBe(true);
    expect(run("{1: 'a'} == {2: 'a'}")).toBe(false);
  });

  it("rejects doubles, null and other values as keys", () => {
    expect(compileError("{1.0: 'a'}")).toBe("map keys must be int, uint, bool or string, not double");
    expect(compileError("{2.5: 'a'}")).toBe("map keys must be int, uint, bool or string, not double");
    expect(compileError("{null: 'a'}")).toBe("map keys must be int, uint, bool or string, not null_type");
    expect(compileError("{[1]: 'a'}")).toBe("map keys must be int, uint, bool or string, not list");
    expect(run("{d: 'a'}", vars)).toEqual({ error: "invalid_argument" });
    expect(run("{json: 'a'}", vars)).toEqual({ error: "invalid_argument" });
    expect(run("{1/0: 'a'}")).toEqual({ error: "division_by_zero" });
  });

  it("finds duplicates among the stored keys", () => {
    expect(compileError("{1: 'a', 1u: 'b'}")).toBe("duplicate map key 1");
    expect(compileError("{true: 'a', true: 'b'}")).toBe("duplicate map key true");
    expect(run("{i: 'a', 1: 'b'}", vars)).toEqual({ error: "invalid_argument" });
  });
});

describe("deviations: keys are compared by their string forms", () => {
  it("finds a string key with an int or bool of the same text, and the reverse", () => {
    expect(run("{'1': 'a'}[1]")).toBe("a");
    expect(run("{1: 'a'}['1']")).toBe("a");
    expect(run("'true' in {true: 'a'}")).toBe(true);
    expect(run("{1: 'a'} == {'1': 'a'}")).toBe(true);
    expect(compileError("{1: 'a', '1': 'b'}")).toBe("duplicate map key '1'");
  });

  it("reads JSON contexts, whose keys are strings, with int and bool keys too", () => {
    expect(run("json[1]", vars)).toBe("one");
    expect(run("json[true]", vars)).toBe("yes");
    expect(run("1 in json && true in json && !(2 in json)", vars)).toBe(true);
    // Their comprehensions see strings: a JSON context has nothing else.
    expect(run("json.map(k, k)", vars)).toEqual(["1", "true", "k"]);
  });
});
