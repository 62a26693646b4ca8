/**
 * The runtime value model. Context values are JSON-shaped: null, booleans, numbers (CEL int, uint and
 * double are all JS numbers), strings, arrays (lists) and plain objects (maps with string keys). The
 * language adds Timestamp, Duration and Semver; errors are ExprError values.
 */

import { ExprError } from "./errors.js";
import { OpaqueValue } from "./opaque.js";
import { compareSemver, Semver } from "./semver.js";
import { Duration, Timestamp } from "./time.js";

export type Vars = Readonly<Record<string, unknown>>;

export interface EvalEnv {
  /** Milliseconds since the epoch; `now()` reads it. */
  readonly now: () => number;
}

/** A compiled expression node: pure apart from reading `vars` and `env`. */
export type Eval = (vars: Vars, env: EvalEnv) => unknown;

/** What the compiler knows of a value's type; `dyn` when only evaluation can tell. */
export type StaticType =
  | "int"
  | "uint"
  | "double"
  | "string"
  | "bool"
  | "null"
  | "list"
  | "map"
  | "timestamp"
  | "duration"
  | "semver"
  | "dyn";

export type CelMap = Readonly<Record<string, unknown>>;

/** A map value: any non-array object that is not one of the language's own value classes. */
export function isMap(v: unknown): v is CelMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof OpaqueValue);
}

export function isList(v: unknown): v is readonly unknown[] {
  return Array.isArray(v);
}

export const hasOwn = (o: object, key: string): boolean => Object.hasOwn(o, key);

/** CEL's name for a value's type, for messages. Integral numbers are called int. */
export function typeName(v: unknown): string {
  if (v === null) return "null_type";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "double";
    case "string":
      return "string";
    case "undefined":
      return "undefined";
    case "object":
      if (Array.isArray(v)) return "list";
      if (v instanceof Timestamp) return "timestamp";
      if (v instanceof Duration) return "duration";
      if (v instanceof Semver) return "semver";
      if (v instanceof ExprError) return "error";
      return "map";
    default:
      return typeof v;
  }
}

/**
 * CEL equality: heterogeneous (values of different types are unequal, never an error), numeric across
 * int/uint/double, deep for lists and maps, NaN unequal to itself.
 */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!celEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Timestamp) return b instanceof Timestamp && a.epochMs === b.epochMs;
  if (a instanceof Duration) return b instanceof Duration && a.ms === b.ms;
  if (a instanceof Semver) return b instanceof Semver && compareSemver(a, b) === 0;
  if (!isMap(a) || !isMap(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!hasOwn(b, k) || !celEquals(a[k], b[k])) return false;
  }
  return true;
}

/**
 * Ordering for `< <= > >=`: negative, zero or positive; NaN when numbers are unordered (NaN); undefined
 * when the types cannot be ordered (`"a" < 1` is a no_matching_overload error).
 */
export function celCompare(a: unknown, b: unknown): number | undefined {
  const ta = typeof a;
  if (ta !== typeof b) return undefined;
  if (ta === "number") {
    const x = a as number;
    const y = b as number;
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN;
  }
  if (ta === "string") return compareStrings(a as string, b as string);
  if (ta === "boolean") return a === b ? 0 : a === false ? -1 : 1;
  if (a instanceof Timestamp && b instanceof Timestamp) return Math.sign(a.epochMs - b.epochMs);
  if (a instanceof Duration && b instanceof Duration) return Math.sign(a.ms - b.ms);
  if (a instanceof Semver && b instanceof Semver) return compareSemver(a, b);
  return undefined;
}

/** Strings order by Unicode code point, which differs from UTF-16 order only around surrogates. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate (astral code point) sorts after every BMP code unit.
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Freezes a value computed at compile time, so callers of a program cannot alter its constants. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
