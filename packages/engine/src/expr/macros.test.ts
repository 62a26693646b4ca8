import { describe, expect, it } from "vitest";
import { compileExpression, isExprError } from "./index.js";

const env = { now: () => 0 };
const vars = {
  nums: [1, 2, 3, 4],
  users: [
    { name: "ada", admin: true, score: 90 },
    { name: "bob", admin: false, score: 70 },
  ],
  m: { a: 1, b: 2 },
  mixed: [1, "x", 3],
};

function run(source: string): unknown {
  const r = compileExpression(source);
  if (!r.ok) throw new Error(`compile error in ${source}: ${r.error.message} at ${r.error.offset}`);
  const v = r.program(vars, env);
  return isExprError(v) ? { error: v.code } : v;
}

const OVERLOAD = { error: "no_matching_overload" };
const MISSING = { error: "no_such_attribute" };

describe("comprehension macros", () => {
  it.each([
    ["nums.all(n, n > 0)", true],
    ["nums.all(n, n > 1)", false],
    ["[].all(n, n > 1)", true],
    ["nums.exists(n, n == 3)", true],
    ["nums.exists(n, n == 9)", false],
    ["[].exists(n, true)", false],
    ["nums.exists_one(n, n > 3)", true],
    ["nums.exists_one(n, n > 2)", false],
    ["nums.map(n, n * 2)", [2, 4, 6, 8]],
    ["nums.map(n, n % 2 == 0, n * 10)", [20, 40]],
    ["nums.filter(n, n % 2 == 1)", [1, 3]],
    ["users.filter(u, u.admin).map(u, u.name)", ["ada"]],
    ["users.exists(u, u.name == 'bob' && u.score < 80)", true],
    ["m.all(k, k in ['a', 'b'])", true],
    ["m.map(k, m[k] * 2)", [2, 4]],
    ["m.filter(k, m[k] > 1)", ["b"]],
    ["nums.all(x, nums.exists(y, y > x)) ", false],
    ["nums.exists(x, nums.all(y, y <= x))", true],
    ["[[1, 2], [3]].map(x, x.map(x, x + 1))", [[2, 3], [4]]],
    ["nums.map(n, n).size()", 4],
    // error absorption: all/exists absorb like && / ||, the others are strict
    ["mixed.all(x, x > 2)", false],
    ["mixed.all(x, x > 0)", OVERLOAD],
    ["mixed.exists(x, x > 2)", true],
    ["mixed.exists(x, x > 5)", OVERLOAD],
    ["mixed.exists_one(x, x == 3)", true],
    ["mixed.exists_one(x, x > 2)", OVERLOAD],
    ["mixed.map(x, x + 1)", { error: "no_matching_overload" }],
    ["mixed.filter(x, x > 1)", OVERLOAD],
    ["nums.all(n, n)", OVERLOAD],
    ["nums.filter(n, 1)", OVERLOAD],
    ["missing.all(x, true)", MISSING],
    ["'abc'.all(x, true)", OVERLOAD],
    ["users.all(u, u.missing == 1)", MISSING],
    ["users.exists(u, u.missing == 1 || u.admin)", true],
  ])("%s", (source, expected) => expect(run(source)).toEqual(expected));

  it("does not leak the iteration variable outside the macro", () => {
    expect(run("nums.all(n, n > 0) && n == 1")).toEqual(MISSING);
  });

  it.each([
    ["nums.all(1, true)", "takes a variable name first"],
    ["nums.all(n.x, true)", "takes a variable name first"],
    ["nums.all(n)", "takes a variable name and an expression"],
    ["nums.map(n, n, n, n)", "takes a variable name and an expression"],
    ["all(nums, n, true)", "is a method, not a function"],
  ])("rejects %s at compile time", (source, message) => {
    const r = compileExpression(source);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain(message);
  });
});
