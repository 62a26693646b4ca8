/**
 * CEL's standard functions (`size`, conversions, `matches`) and the strings extension. `matches`
 * compiles a constant pattern once, at compile time; other patterns go through a small LRU cache.
 */

import { type Compiled, type FunctionDef, simple, strict1, strict2 } from "./compiled.js";
import { toBool, toDouble, toInt, toStringValue, toUint } from "./conversions.js";
import { fail, invalidArgument, overloadError } from "./errors.js";
import { compileRegex } from "./regex.js";
import {
  charAt,
  contains,
  endsWith,
  indexOf,
  join,
  lastIndexOf,
  lowerAscii,
  replace,
  split,
  startsWith,
  stringSize,
  substring,
  trim,
  upperAscii,
} from "./strings.js";
import { isMap, typeName } from "./values.js";

export function sizeOf(fn: string, x: unknown): unknown {
  if (typeof x === "string") return stringSize(x);
  if (Array.isArray(x)) return x.length;
  if (isMap(x)) return Object.keys(x).length;
  return overloadError(fn, typeName(x));
}

type Matcher = (input: string) => boolean;

const REGEX_CACHE_SIZE = 64;
const regexCache = new Map<string, Matcher | string>();

/** A compiled pattern, or the reason it is invalid; recently used patterns are kept. */
function cachedRegex(pattern: string): Matcher | string {
  const hit = regexCache.get(pattern);
  if (hit !== undefined) {
    regexCache.delete(pattern);
    regexCache.set(pattern, hit);
    return hit;
  }
  const r = compileRegex(pattern);
  const entry = r.ok ? r.test : r.message;
  if (regexCache.size >= REGEX_CACHE_SIZE) {
    const oldest = regexCache.keys().next();
    if (oldest.done !== true) regexCache.delete(oldest.value);
  }
  regexCache.set(pattern, entry);
  return entry;
}

function matchesDynamic(s: unknown, pattern: unknown): unknown {
  if (typeof s !== "string" || typeof pattern !== "string")
    return overloadError("matches", typeName(s), typeName(pattern));
  const m = cachedRegex(pattern);
  return typeof m === "string" ? invalidArgument(`invalid regular expression '${pattern}': ${m}`) : m(s);
}

const matches: FunctionDef = {
  arities: [2],
  compile: (args: readonly Compiled[], offset: number) => {
    const [s, pattern] = args;
    if (s === undefined || pattern === undefined)
      return fail("matches() needs a string and a pattern", offset);
    if (pattern.isConst && typeof pattern.value === "string") {
      const r = compileRegex(pattern.value);
      if (!r.ok) {
        return fail(`invalid regular expression: ${r.message}`, pattern.offset);
      }
      const test = r.test;
      return strict1(
        (x) => (typeof x === "string" ? test(x) : overloadError("matches", typeName(x), "string")),
        s,
        "bool",
        offset,
      );
    }
    return strict2(matchesDynamic, s, pattern, "bool", offset);
  },
};

const size = simple([1], (x) => sizeOf("size", x), "int");

export const STANDARD_FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map([
  ["size", size],
  ["int", simple([1], toInt, "int")],
  ["uint", simple([1], toUint, "uint")],
  ["double", simple([1], toDouble, "double")],
  ["string", simple([1], toStringValue, "string")],
  ["bool", simple([1], toBool, "bool")],
  ["dyn", simple([1], (x) => x, "dyn")],
  ["matches", matches],
]);

export const STANDARD_METHODS: ReadonlyMap<string, FunctionDef> = new Map([
  ["size", size],
  ["matches", matches],
  ["contains", simple([2], contains, "bool")],
  ["startsWith", simple([2], startsWith, "bool")],
  ["endsWith", simple([2], endsWith, "bool")],
  ["lowerAscii", simple([1], lowerAscii, "string")],
  ["upperAscii", simple([1], upperAscii, "string")],
  ["trim", simple([1], trim, "string")],
  ["indexOf", simple([2, 3], indexOf, "int")],
  ["lastIndexOf", simple([2, 3], lastIndexOf, "int")],
  ["split", simple([2, 3], split, "list")],
  ["replace", simple([3, 4], replace, "string")],
  ["join", simple([1, 2], join, "string")],
  ["substring", simple([2, 3], substring, "string")],
  ["charAt", simple([2], charAt, "string")],
]);
