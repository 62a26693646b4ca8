/**
 * CEL's string functions (`size`, the strings extension: `lowerAscii`, `indexOf`, `split`, …).
 * Positions and sizes count Unicode code points, as CEL does, not UTF-16 code units.
 */

import { ExprError, invalidArgument, overloadError } from "./errors.js";
import { typeName } from "./values.js";

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points of a string, or undefined when it has none outside the BMP (then indices match). */
function codePoints(s: string): string[] | undefined {
  return SURROGATE.test(s) ? Array.from(s) : undefined;
}

export function stringSize(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

function badIndex(fn: string, i: number, size: number): ExprError {
  return new ExprError("index_out_of_range", `${fn}: index ${i} out of range (string size ${size})`);
}

function isIndex(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

export function indexOf(s: unknown, sub: unknown, start: unknown = 0): unknown {
  if (typeof s !== "string" || typeof sub !== "string" || !isIndex(start)) {
    return overloadError("indexOf", typeName(s), typeName(sub), typeName(start));
  }
  const cps = codePoints(s) ?? (SURROGATE.test(sub) ? Array.from(s) : undefined);
  if (cps === undefined) {
    if (start < 0 || start > s.length) return badIndex("indexOf", start, s.length);
    return s.indexOf(sub, start);
  }
  if (start < 0 || start > cps.length) return badIndex("indexOf", start, cps.length);
  const needle = Array.from(sub);
  for (let i = start; i + needle.length <= cps.length; i++) {
    if (needle.every((c, j) => cps[i + j] === c)) return i;
  }
  return -1;
}

export function lastIndexOf(s: unknown, sub: unknown, end?: unknown): unknown {
  if (typeof s !== "string" || typeof sub !== "string" || (end !== undefined && !isIndex(end))) {
    return overloadError("lastIndexOf", typeName(s), typeName(sub), typeName(end));
  }
  const cps = Array.from(s);
  const needle = Array.from(sub);
  const last = end === undefined ? cps.length : end;
  if (last < 0 || last > cps.length) return badIndex("lastIndexOf", last, cps.length);
  for (let i = Math.min(last, cps.length - needle.length); i >= 0; i--) {
    if (needle.every((c, j) => cps[i + j] === c)) return i;
  }
  return -1;
}

export function substring(s: unknown, start: unknown, end?: unknown): unknown {
  if (typeof s !== "string" || !isIndex(start) || (end !== undefined && !isIndex(end))) {
    return overloadError("substring", typeName(s), typeName(start), typeName(end));
  }
  const cps = Array.from(s);
  const stop = end === undefined ? cps.length : end;
  if (start < 0 || start > cps.length) return badIndex("substring", start, cps.length);
  if (stop < start || stop > cps.length) return badIndex("substring", stop, cps.length);
  return cps.slice(start, stop).join("");
}

export function charAt(s: unknown, i: unknown): unknown {
  if (typeof s !== "string" || !isIndex(i)) return overloadError("charAt", typeName(s), typeName(i));
  const cps = Array.from(s);
  if (i < 0 || i > cps.length) return badIndex("charAt", i, cps.length);
  return cps[i] ?? "";
}

export function lowerAscii(s: unknown): unknown {
  return typeof s === "string"
    ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
    : overloadError("lowerAscii", typeName(s));
}

export function upperAscii(s: unknown): unknown {
  return typeof s === "string"
    ? s.replace(/[a-z]+/g, (m) => m.toUpperCase())
    : overloadError("upperAscii", typeName(s));
}

export function trim(s: unknown): unknown {
  return typeof s === "string" ? s.trim() : overloadError("trim", typeName(s));
}

/** Go's strings.SplitN: n < 0 splits everywhere, n == 0 gives [], n > 0 at most n parts. */
export function split(s: unknown, sep: unknown, n: unknown = -1): unknown {
  if (typeof s !== "string" || typeof sep !== "string" || !isIndex(n)) {
    return overloadError("split", typeName(s), typeName(sep), typeName(n));
  }
  if (n === 0) return [];
  const parts = sep === "" ? Array.from(s) : s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  const head = parts.slice(0, n - 1);
  head.push(parts.slice(n - 1).join(sep));
  return head;
}

/** Go's strings.Replace: n < 0 replaces every occurrence. */
export function replace(s: unknown, from: unknown, to: unknown, n: unknown = -1): unknown {
  if (typeof s !== "string" || typeof from !== "string" || typeof to !== "string" || !isIndex(n)) {
    return overloadError("replace", typeName(s), typeName(from), typeName(to), typeName(n));
  }
  if (n < 0)
    return from === ""
      ? Array.from(s)
          .map((c) => to + c)
          .join("") + to
      : s.split(from).join(to);
  const parts = from === "" ? ["", ...Array.from(s)] : s.split(from);
  let out = parts[0] ?? "";
  for (let i = 1; i < parts.length; i++) out += (i <= n ? to : from) + parts[i];
  if (from === "" && parts.length <= n) out += to;
  return out;
}

export function join(list: unknown, sep: unknown = ""): unknown {
  if (!Array.isArray(list) || typeof sep !== "string")
    return overloadError("join", typeName(list), typeName(sep));
  for (const item of list) {
    if (typeof item !== "string")
      return invalidArgument(`join: list element is a ${typeName(item)}, not a string`);
  }
  return list.join(sep);
}

export function contains(s: unknown, sub: unknown): unknown {
  return typeof s === "string" && typeof sub === "string"
    ? s.includes(sub)
    : overloadError("contains", typeName(s), typeName(sub));
}

export function startsWith(s: unknown, prefix: unknown): unknown {
  return typeof s === "string" && typeof prefix === "string"
    ? s.startsWith(prefix)
    : overloadError("startsWith", typeName(s), typeName(prefix));
}

export function endsWith(s: unknown, suffix: unknown): unknown {
  return typeof s === "string" && typeof suffix === "string"
    ? s.endsWith(suffix)
    : overloadError("endsWith", typeName(s), typeName(suffix));
}
