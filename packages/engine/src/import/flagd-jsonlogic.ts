/**
 * flagd's JsonLogic value rules (json-logic-engine 5 in compiled mode, as @openfeature/flagd-core 4
 * runs it), restated for values known when importing: constants fold with exactly these rules, and
 * the CEL the importer writes must agree with them for every context.
 */
import { parseSemver, type Semver } from "../expr/semver.js";
import type { JsonValue } from "../schema/dsl.js";

export type Json = JsonValue;
export type JsonObject = { readonly [k: string]: Json };

export type CompareOp = "==" | "===" | "!=" | "!==" | "<" | "<=" | ">" | ">=";
export const COMPARE_OPS: ReadonlySet<string> = new Set(["==", "===", "!=", "!==", "<", "<=", ">", ">="]);

/** Every operator json-logic-engine and flagd know; others make flagd reject the targeting (PARSE_ERROR). */
export const FLAGD_OPERATORS: ReadonlySet<string> = new Set([
  ...COMPARE_OPS,
  ..."+ - * / % throw max min in preserve if ?: or and ?? try substr length exists val map some all every none merge filter reduce ! not !! cat keys pipe eachKey get var missing missing_some".split(
    " ",
  ),
  "starts_with",
  "ends_with",
  "sem_ver",
  "fractional",
]);

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JsonLogic truthiness: JavaScript's, except that empty lists and empty objects are false. */
export function truthy(v: Json): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return v !== null && v !== false && v !== 0 && v !== "";
}

/** JavaScript's String(v) for JSON values. */
export function jsString(v: Json): string {
  if (Array.isArray(v)) return v.map((x) => (x === null ? "" : jsString(x))).join(",");
  if (isObject(v)) return "[object Object]";
  return String(v);
}

/** JavaScript's Number(v) for JSON primitives; NaN for lists and objects. */
export function jsNumber(v: Json): number {
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return Number(v);
  return Number.NaN;
}

/** Decimal text as both JavaScript's Number() and Ramp's double() read it. */
export const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
/** DECIMAL in RE2 syntax, for CEL's matches(). */
export const DECIMAL_RE2 = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$";

function looseEquals(a: Json, b: Json): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === "boolean") return looseEquals(a ? 1 : 0, b);
  if (typeof b === "boolean") return looseEquals(a, b ? 1 : 0);
  if (typeof a === typeof b) return a === b;
  if (typeof a === "object" || typeof b === "object") return false;
  return jsNumber(a) === jsNumber(b);
}

/** JavaScript's `a op b` on primitives (null, booleans, numbers, strings). */
function jsRelation(op: CompareOp, a: Json, b: Json): boolean {
  if (op === "==" || op === "===") return looseEquals(a, b);
  if (op === "!=" || op === "!==") return !looseEquals(a, b);
  let c: number;
  if (typeof a === "string" && typeof b === "string") c = a < b ? -1 : a > b ? 1 : 0;
  else {
    const x = jsNumber(a);
    const y = jsNumber(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return false;
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
}

function strictEquals(a: Json, b: Json): boolean {
  return (typeof a !== "object" || a === null) && a === b;
}

/**
 * flagd's `{op: [a, b]}`: undefined where flagd throws (which makes the evaluation an ERROR).
 * json-logic-engine checks its operands (a list or object operand, or a non-numeric string against a
 * number, throws; null against a falsy value compares as null == null or x == 0) — except when `b` is
 * read from the context (`var`): its compiled code then overwrites the value the check looks at, so
 * `c op var` is plain JavaScript (`rightIsVar`).
 */
export function compareValues(op: CompareOp, a: Json, b: Json, rightIsVar = false): boolean | undefined {
  if (op === "===") return strictEquals(a, b);
  if (op === "!==") return !strictEquals(a, b);
  const stringOrNull = (v: Json) => typeof v === "string" || v === null;
  if (typeof a === "object" && a !== null) return undefined;
  if (typeof b === "object" && b !== null) return undefined;
  if (rightIsVar || (stringOrNull(a) && stringOrNull(b))) return jsRelation(op, a, b);
  if (Number.isNaN(jsNumber(b)) && a !== null) return undefined;
  if (Number.isNaN(jsNumber(a))) return undefined;
  if (a === null && !truthyJs(b)) return jsRelation(op, null, null);
  if (b === null && !truthyJs(a)) return jsRelation(op, a, 0);
  return jsRelation(op, a, b);
}

/** JavaScript truthiness (not JsonLogic's): `x || []` uses it. */
export function truthyJs(v: Json): boolean {
  return v !== null && v !== false && v !== 0 && v !== "" && !Number.isNaN(v);
}

/** `{"in": [a, b]}` is `(b || []).includes(a)`; undefined where that throws (b a number, boolean or object). */
export function includesValue(a: Json, b: Json): boolean | undefined {
  const container = truthyJs(b) ? b : [];
  if (typeof container === "string") return container.includes(jsString(a));
  if (Array.isArray(container)) return container.some((x) => strictEquals(x, a));
  return undefined;
}

/** The variant name flagd takes from a targeting result (`result.toString()`); undefined for null. */
export function variantNameOf(v: Json): string | undefined {
  if (v === null) return undefined;
  return jsString(v);
}

/** json-logic-engine's dotted path: `a.b` is two keys, `a\.b` one. */
export function splitVarPath(path: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    const next = path[i + 1];
    if (c === "\\" && (next === "." || next === "/" || next === "\\")) {
      current += next;
      i++;
    } else if (c === ".") {
      parts.push(current);
      current = "";
    } else current += c;
  }
  if (parts.length !== path.length) parts.push(current);
  return parts;
}

/** The body of a version after flagd strips one leading v/V: full semver, or "1" / "1.2". */
const NUM = "(0|[1-9][0-9]*)";
const PRE_ID = "(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][a-zA-Z0-9-]*)";
const SEMVER_FULL = `${NUM}[.]${NUM}[.]${NUM}(-${PRE_ID}([.]${PRE_ID})*)?([+][0-9A-Za-z-]+([.][0-9A-Za-z-]+)*)?`;
const SEMVER_PARTIAL = "[0-9]+([.][0-9]+)?";
/** What flagd accepts as a version string, in RE2 syntax for CEL's matches(). */
export const FLAGD_SEMVER_RE2 = `^[vV]?(${SEMVER_FULL}|${SEMVER_PARTIAL})$`;
const FLAGD_SEMVER = new RegExp(FLAGD_SEMVER_RE2);

/**
 * flagd's sem_ver reading of a value: one leading v/V stripped, strict semver or a partial "1" / "1.2"
 * (padded with zeros); numbers are stringified first. Undefined where flagd answers null.
 * Ramp's `semver(s, true)` reads every string this accepts to the same version.
 */
export function flagdVersion(v: Json): Semver | undefined {
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  const text = String(v);
  if (!FLAGD_SEMVER.test(text)) return undefined;
  const r = parseSemver(text, true);
  return typeof r === "string" ? undefined : r;
}
