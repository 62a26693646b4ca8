import { describe, expect, it } from "vitest";
import { compileExpression, isExprError } from "./index.js";
import { compareSemver, parseSemver, Semver } from "./semver.js";

const env = { now: () => 0 };

function run(source: string, vars: Record<string, unknown> = {}): unknown {
  const r = compileExpression(source, { selfNames: ["user"] });
  if (!r.ok) throw new Error(`compile error in ${source}: ${r.error.message} at ${r.error.offset}`);
  const v = r.program(vars, env);
  return isExprError(v) ? { error: v.code } : v;
}

function version(text: string): Semver {
  const v = parseSemver(text);
  if (typeof v === "string") throw new Error(v);
  return v;
}

describe("semver parsing", () => {
  it.each([
    ["1.2.3", [1, 2, 3, [], ""]],
    ["v1.2.3", [1, 2, 3, [], ""]],
    ["V0.0.0", [0, 0, 0, [], ""]],
    ["1.0.0-alpha.1", [1, 0, 0, ["alpha", 1], ""]],
    ["1.0.0-0.3.7", [1, 0, 0, [0, 3, 7], ""]],
    ["1.0.0-x-y-z.--", [1, 0, 0, ["x-y-z", "--"], ""]],
    ["1.0.0+20130313144700", [1, 0, 0, [], "20130313144700"]],
    ["1.0.0-beta+exp.sha.5114f85", [1, 0, 0, ["beta"], "exp.sha.5114f85"]],
  ])("%s", (text, [major, minor, patch, prerelease, build]) => {
    expect(version(text)).toEqual(
      new Semver(major as number, minor as number, patch as number, prerelease as [], build as string),
    );
  });

  it.each([
    "1.2",
    "1",
    "01.2.3",
    "1.02.3",
    "1.2.3-",
    "1.2.3-01",
    "1.2.3-a..b",
    "1.2.3+",
    "1.2.3+a_b",
    "a.b.c",
    " 1.2.3",
    "vv1.2.3",
    "",
  ])("rejects %j", (text) => {
    expect(typeof parseSemver(text)).toBe("string");
  });

  it("normalizes when asked (Kubernetes' second argument)", () => {
    expect(parseSemver("1.2", true)).toEqual(new Semver(1, 2, 0, [], ""));
    expect(parseSemver("v3", true)).toEqual(new Semver(3, 0, 0, [], ""));
    expect(parseSemver("01.002.3", true)).toEqual(new Semver(1, 2, 3, [], ""));
  });
});

describe("semver precedence (semver.org §11)", () => {
  const ordered = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "1.10.0",
    "2.0.0",
  ];
  it("orders the specification's example chain", () => {
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const c = compareSemver(version(ordered[i] ?? ""), version(ordered[j] ?? ""));
        expect(Math.sign(c)).toBe(Math.sign(i - j));
      }
    }
  });

  it("ignores build metadata", () => {
    expect(compareSemver(version("1.0.0+a"), version("1.0.0+b"))).toBe(0);
  });
});

describe("semver in expressions", () => {
  it.each([
    ["semver('1.2.3') < semver('1.10.0')", true],
    ["semver('v2.0.0') == semver('2.0.0')", true],
    ["semver('1.0.0-rc.1') < semver('1.0.0')", true],
    ["semver('1.0.0') >= semver('1.0.0+build')", true],
    ["semver('1.0.0') != semver('1.0.1')", true],
    ["semver(user.appVersion) >= semver('2.3.0')", true],
    ["semver(user.appVersion).major() == 2", true],
    ["semver('1.2.3').minor() + semver('1.2.3').patch()", 5],
    ["semver('1.2.3').isGreaterThan(semver('1.2.2'))", true],
    ["semver('1.2.3').isLessThan(semver('1.2.2'))", false],
    ["semver('1.2.3').compareTo(semver('1.2.4'))", -1],
    ["semver('1.2.3').compareTo(semver('1.2.3'))", 0],
    ["semver('1.3.0').compareTo(semver('1.2.9'))", 1],
    ["semver('1.2', true) == semver('1.2.0')", true],
    ["isSemver('1.2.3')", true],
    ["isSemver('1.2')", false],
    ["isSemver('1.2', true)", true],
    ["isSemver(user.appVersion)", true],
    ["isSemver(1)", { error: "no_matching_overload" }],
    ["semver(user.bad)", { error: "invalid_argument" }],
    ["semver(user.bad) > semver('1.0.0')", { error: "invalid_argument" }],
    ["semver(user.missing) > semver('1.0.0')", { error: "no_such_attribute" }],
    ["semver('1.0.0') < '2.0.0'", { error: "no_matching_overload" }],
    ["semver('1.0.0').isGreaterThan('0.9.0')", { error: "no_matching_overload" }],
    ["semver('1.0.0').major(1)", "compile error"],
  ])("%s", (source, expected) => {
    if (expected === "compile error") {
      expect(compileExpression(source).ok).toBe(false);
      return;
    }
    expect(run(source, { appVersion: "v2.4.1-beta.1", bad: "2.x" })).toEqual(expected);
  });

  it("rejects a malformed constant version at compile time, pointing at it", () => {
    const r = compileExpression("user.v >= semver('2.x')");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain("invalid semver: '2.x' is not a semantic version");
      expect(r.error.offset).toBe(17);
    }
  });
});
