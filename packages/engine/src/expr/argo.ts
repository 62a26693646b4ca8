/**
 * Argo Rollouts' analysis helpers, so conditions such as `len(result) > 0 && result[0] < 0.5` or
 * `default(result, 0) > 1` keep working (argo-rollouts utils/evaluate/evaluate.go).
 *
 * Where Argo's Go semantics have no direct CEL counterpart we chose:
 * - `isNil(x)` / `default(x, d)`: "nil" is null or a missing attribute/field/key (Go's nil map entry).
 *   Other errors still propagate, and NaN is not nil (Argo's `default` checks only for nil; use `isNaN`).
 *   Unlike Argo, which ignores the argument and looks at the whole result, they test their argument.
 * - `asInt(x)` truncates numbers and parses base-10 integer strings; `asFloat(x)` parses decimal text,
 *   "NaN" and "±Inf" like strconv.ParseFloat. Anything else is an error value (Argo panics).
 * - `len(x)` is `size(x)`: strings count code points (Go's len counts bytes).
 */

import { type Compiled, dynamic, type FunctionDef, fold, simple } from "./compiled.js";
import { parseFloatStrict, parseInteger } from "./conversions.js";
import { ExprError, invalidArgument, isMissing, overloadError } from "./errors.js";
import { sizeOf } from "./standard-functions.js";
import { typeName } from "./values.js";

function asInt(v: unknown): unknown {
  if (typeof v === "number") {
    return Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER
      ? Math.trunc(v) + 0
      : invalidArgument(`asInt: ${v} is not representable as an integer`);
  }
  if (typeof v === "string")
    return parseInteger(v) ?? invalidArgument(`asInt: cannot parse '${v}' as an integer`);
  return overloadError("asInt", typeName(v));
}

function asFloat(v: unknown): unknown {
  if (typeof v === "number") return v;
  if (typeof v === "string")
    return parseFloatStrict(v) ?? invalidArgument(`asFloat: cannot parse '${v}' as a number`);
  return overloadError("asFloat", typeName(v));
}

const isNil: FunctionDef = {
  arities: [1],
  compile: ([a], offset) => {
    if (a === undefined) return invalidArity(offset);
    const ea = a.eval;
    const node = dynamic(
      (v, e) => {
        const x = ea(v, e);
        if (x === null || isMissing(x)) return true;
        return x instanceof ExprError ? x : false;
      },
      "bool",
      offset,
    );
    return fold(node, [a]);
  },
};

const defaultTo: FunctionDef = {
  arities: [2],
  compile: ([a, d], offset) => {
    if (a === undefined || d === undefined) return invalidArity(offset);
    const [ea, ed] = [a.eval, d.eval];
    const node = dynamic(
      (v, e) => {
        const x = ea(v, e);
        return x === null || isMissing(x) ? ed(v, e) : x;
      },
      a.type === d.type ? a.type : "dyn",
      offset,
    );
    return fold(node, [a, d]);
  },
};

function invalidArity(offset: number): Compiled {
  return dynamic(() => new ExprError("internal", "wrong number of arguments"), "dyn", offset);
}

export const ARGO_FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map([
  ["len", simple([1], (x) => sizeOf("len", x), "int")],
  [
    "isNaN",
    simple(
      [1],
      (x) => (typeof x === "number" ? Number.isNaN(x) : overloadError("isNaN", typeName(x))),
      "bool",
    ),
  ],
  [
    "isInf",
    simple(
      [1],
      (x) =>
        typeof x === "number"
          ? x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY
          : overloadError("isInf", typeName(x)),
      "bool",
    ),
  ],
  ["isNil", isNil],
  ["default", defaultTo],
  ["asInt", simple([1], asInt, "int")],
  ["asFloat", simple([1], asFloat, "double")],
]);
