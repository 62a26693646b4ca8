/**
 * Ramp's semver functions, named as in Kubernetes CEL: `semver(s)`, `isSemver(s)`, and the methods
 * `major() minor() patch() isGreaterThan(v) isLessThan(v) compareTo(v)`. Versions also compare with
 * `< <= > >= == !=`. A constant malformed version is a compile error.
 */

import { constant, type FunctionDef, simple, strictCall } from "./compiled.js";
import { fail, invalidArgument, overloadError } from "./errors.js";
import { compareSemver, parseSemver, Semver } from "./semver.js";
import { typeName } from "./values.js";

function toSemver(v: unknown, normalize: unknown = false): unknown {
  if (typeof normalize !== "boolean") return overloadError("semver", typeName(v), typeName(normalize));
  if (v instanceof Semver) return v;
  if (typeof v !== "string") return overloadError("semver", typeName(v));
  const r = parseSemver(v, normalize);
  return typeof r === "string" ? invalidArgument(r) : r;
}

function isSemver(v: unknown, normalize: unknown = false): unknown {
  if (typeof v !== "string" || typeof normalize !== "boolean") {
    return overloadError("isSemver", typeName(v), typeName(normalize));
  }
  return typeof parseSemver(v, normalize) !== "string";
}

const semverFunction: FunctionDef = {
  arities: [1, 2],
  compile: (args, offset) => {
    const [text, normalize] = args;
    if (text?.isConst && typeof text.value === "string" && (normalize === undefined || normalize.isConst)) {
      const r = parseSemver(text.value, normalize?.value === true);
      if (typeof r === "string") fail(`invalid semver: ${r}`, text.offset);
      return constant(r, "semver", offset);
    }
    return strictCall(toSemver, args, "semver", offset);
  },
};

function part(name: "major" | "minor" | "patch"): FunctionDef {
  return simple([1], (v) => (v instanceof Semver ? v[name] : overloadError(name, typeName(v))), "int");
}

function comparison(name: string, result: (c: number) => unknown, type: "bool" | "int"): FunctionDef {
  return simple(
    [2],
    (a, b) =>
      a instanceof Semver && b instanceof Semver
        ? result(compareSemver(a, b))
        : overloadError(name, typeName(a), typeName(b)),
    type,
  );
}

export const SEMVER_FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map([
  ["semver", semverFunction],
  ["isSemver", simple([1, 2], isSemver, "bool")],
]);

export const SEMVER_METHODS: ReadonlyMap<string, FunctionDef> = new Map([
  ["major", part("major")],
  ["minor", part("minor")],
  ["patch", part("patch")],
  ["isGreaterThan", comparison("isGreaterThan", (c) => c > 0, "bool")],
  ["isLessThan", comparison("isLessThan", (c) => c < 0, "bool")],
  ["compareTo", comparison("compareTo", (c) => c, "int")],
]);
