import { describe, expect, it } from "vitest";
import { compileExpression } from "./index.js";

function diagnostic(source: string, functions?: Record<string, () => unknown>) {
  const r = compileExpression(source, functions === undefined ? {} : { functions });
  if (r.ok) throw new Error(`expected a compile error for ${source}`);
  return r.error;
}

describe("unknown functions and methods", () => {
  it.each([
    ["user.email.contians('@')", 11, "unknown method 'contians'", "did you mean 'contains'?"],
    ["s.startswith('a')", 2, "unknown method 'startswith'", "did you mean 'startsWith'?"],
    ["s.lowerascii()", 2, "unknown method 'lowerascii'", "did you mean 'lowerAscii'?"],
    ["xs.exist(x, x > 1)", 3, "unknown method 'exist'", "did you mean 'exists'?"],
    ["t.getHour()", 2, "unknown method 'getHour'", "did you mean 'getHours'?"],
    ["v.isGreater(w)", 2, "unknown method 'isGreater'", "did you mean 'isGreaterThan'?"],
    ["sise(x)", 0, "unknown function 'sise'", "did you mean 'size'?"],
    ["timestmp('2026-01-01T00:00:00Z')", 0, "unknown function 'timestmp'", "did you mean 'timestamp'?"],
    ["isNan(x)", 0, "unknown function 'isNan'", "did you mean 'isNaN'?"],
    ["semvr('1.0.0')", 0, "unknown function 'semvr'", "did you mean 'semver'?"],
    ["x && frobnicate(1)", 5, "unknown function 'frobnicate'", undefined],
    ["hass(x.y)", 0, "unknown function 'hass'", "did you mean 'has'?"],
  ])("%s", (source, offset, message, suggestion) => {
    const d = diagnostic(source);
    expect(d.message).toContain(message);
    expect(d.offset).toBe(offset);
    expect(d.suggestion).toBe(suggestion);
    if (suggestion !== undefined) expect(d.message).toContain(suggestion);
  });

  it("suggests host functions too", () => {
    expect(diagnostic("buckt(x)", { bucket: () => 1 }).suggestion).toBe("did you mean 'bucket'?");
  });

  it.each([
    ["contains(s, 'x')", "'contains' is a method, not a function"],
    ["s.len()", "'len' is a function, not a method: write len(x)"],
    ["s.has()", "'has' is a function, not a method"],
  ])("explains %s", (source, message) => {
    expect(diagnostic(source).message).toContain(message);
  });
});

describe("arity", () => {
  it.each([
    ["size()", "function 'size' takes 1 argument, not 0"],
    ["size(a, b)", "function 'size' takes 1 argument, not 2"],
    ["s.contains()", "method 'contains' takes 1 argument, not 0"],
    ["s.indexOf('a', 1, 2)", "method 'indexOf' takes 1 or 2 arguments, not 3"],
    ["s.trim(1)", "method 'trim' takes 0 arguments, not 1"],
    ["now(1)", "function 'now' takes 0 arguments, not 1"],
    ["default(x)", "function 'default' takes 2 arguments, not 1"],
  ])("%s", (source, message) => {
    expect(diagnostic(source).message).toBe(message);
  });
});

describe("constant arguments checked at compile time", () => {
  it.each([
    ["x.matches('[a-')", 10, "invalid regular expression"],
    ["timestamp('2026-02-30T00:00:00Z')", 10, "invalid timestamp"],
    ["duration('5 minutes')", 9, "invalid duration"],
    ["semver('1.0')", 7, "invalid semver"],
    ["now().getHours('Nowhere/City')", 15, "not a known time zone"],
    ["{'a': 1, 'a': 2}", 9, "duplicate map key 'a'"],
    ["{1.0: 'a'}", 1, "map keys must be int, uint, bool or string, not double"],
    ["{null: 'a'}", 1, "map keys must be int, uint, bool or string, not null_type"],
    ["{1: 'a', 1u: 'b'}", 9, "duplicate map key 1"],
  ])("%s", (source, offset, message) => {
    const d = diagnostic(source);
    expect(d.message).toContain(message);
    expect(d.offset).toBe(offset);
  });

  it("accepts identifiers it has never heard of: they are context attributes", () => {
    expect(compileExpression("anything.at.all == 1 && whatever").ok).toBe(true);
  });
});
