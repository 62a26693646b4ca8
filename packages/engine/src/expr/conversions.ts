/** Type conversions: `int()`, `uint()`, `double()`, `string()`, `bool()`, and number parsing they share. */

import { ExprError, invalidArgument, overloadError } from "./errors.js";
import { Semver } from "./semver.js";
import { Duration, formatDuration, formatTimestamp, Timestamp } from "./time.js";
import { typeName } from "./values.js";

const MAX = Number.MAX_SAFE_INTEGER;
const INTEGER = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/** Parses a base-10 integer string strictly (no spaces, no fraction); undefined when it is not one. */
export function parseInteger(s: string): number | undefined {
  if (!INTEGER.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n + 0 : undefined;
}

/** Parses a float as Go's strconv.ParseFloat does for decimal text, including "NaN" and "±Inf". */
export function parseFloatStrict(s: string): number | undefined {
  if (FLOAT.test(s)) return Number(s);
  const special = SPECIAL_FLOAT.exec(s);
  if (special === null) return undefined;
  if (special[2]?.toLowerCase() === "nan") return Number.NaN;
  return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

function rangeError(fn: string, v: unknown): ExprError {
  return new ExprError("overflow", `${fn}: ${String(v)} is out of range`);
}

export function toInt(v: unknown): unknown {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return rangeError("int", v);
    const n = Math.trunc(v) + 0;
    return n <= MAX && n >= -MAX ? n : rangeError("int", v);
  }
  if (typeof v === "string")
    return parseInteger(v) ?? invalidArgument(`int: cannot parse '${v}' as an integer`);
  if (v instanceof Timestamp) return Math.floor(v.epochMs / 1000);
  return overloadError("int", typeName(v));
}

export function toUint(v: unknown): unknown {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return rangeError("uint", v);
    const n = Math.trunc(v) + 0;
    return n <= MAX && n >= 0 ? n : rangeError("uint", v);
  }
  if (typeof v === "string") {
    const n = /^[0-9]+$/.test(v) ? parseInteger(v) : undefined;
    return n ?? invalidArgument(`uint: cannot parse '${v}' as an unsigned integer`);
  }
  return overloadError("uint", typeName(v));
}

export function toDouble(v: unknown): unknown {
  if (typeof v === "number") return v;
  if (typeof v === "string")
    return parseFloatStrict(v) ?? invalidArgument(`double: cannot parse '${v}' as a number`);
  return overloadError("double", typeName(v));
}

export function toStringValue(v: unknown): unknown {
  switch (typeof v) {
    case "string":
      return v;
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return String(v);
  }
  if (v instanceof Timestamp) return formatTimestamp(v);
  if (v instanceof Duration) return formatDuration(v);
  if (v instanceof Semver) return v.toString();
  return overloadError("string", typeName(v));
}

const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

export function toBool(v: unknown): unknown {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    return invalidArgument(`bool: cannot parse '${v}' as a boolean`);
  }
  return overloadError("bool", typeName(v));
}
