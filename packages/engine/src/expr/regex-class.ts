/**
 * Character-level RE2 syntax: escapes (`\n`, `\x{41}`, `\d`, `\p{Greek}`, `\b`) and bracketed classes
 * (`[^a-z[:digit:]\s]`). Under `(?i)` every class is closed under case folding.
 */

import {
  appendAll,
  type CodePointSet,
  complement,
  normalize,
  PERL_CLASSES,
  posixClass,
} from "./regex-charset.js";
import {
  type AssertKind,
  BEGIN_TEXT,
  END_TEXT,
  FOLD_CASE,
  isDigit,
  isSurrogate,
  NOT_WORD_BOUNDARY,
  type PatternReader,
  WORD_BOUNDARY,
} from "./regex-syntax.js";
import { foldSet, unicodeClass } from "./regex-unicode.js";

export type Escape =
  | { readonly kind: "char"; readonly cp: number }
  | { readonly kind: "set"; readonly set: CodePointSet }
  | { readonly kind: "assert"; readonly assert: AssertKind };

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

function hexValue(c: number): number {
  if (isDigit(c)) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Reads a bracketed class from `[` to `]`. */
export function parseClass(r: PatternReader): CodePointSet {
  const start = r.pos;
  r.pos++;
  const negated = r.code() === 0x5e; /* ^ */
  if (negated) r.pos++;
  const ranges: number[] = [];
  for (let first = true; ; first = false) {
    if (r.pos >= r.src.length) r.fail('missing closing "]" for character class', start);
    const c = r.code();
    if (c === 0x5d /* ] */ && !first) break;
    if (c === 0x5b /* [ */ && r.code(r.pos + 1) === 0x3a /* : */) {
      const posix = parsePosixClass(r);
      if (posix !== undefined) {
        appendAll(ranges, posix);
        continue;
      }
    }
    const itemStart = r.pos;
    const lo = parseClassChar(r, ranges);
    if (lo === undefined) continue;
    let hi = lo;
    if (r.code() === 0x2d /* - */ && r.pos + 1 < r.src.length && r.code(r.pos + 1) !== 0x5d) {
      r.pos++;
      const end = parseClassChar(r, undefined);
      if (end === undefined || end < lo) {
        r.fail(`invalid character class range "${r.src.slice(itemStart, r.pos)}"`, itemStart);
      }
      hi = end;
    }
    appendAll(ranges, r.flags & FOLD_CASE ? foldSet([lo, hi]) : [lo, hi]);
  }
  r.pos++;
  const set = normalize(ranges);
  return negated ? complement(set) : set;
}

/** A class member: returns its code point, or adds a class escape like `\d` to `into` (if allowed). */
function parseClassChar(r: PatternReader, into: number[] | undefined): number | undefined {
  if (r.code() !== 0x5c /* \ */) return r.readCodePoint();
  const start = r.pos;
  const e = parseEscape(r, true);
  if (e.kind === "char") return e.cp;
  if (e.kind === "set" && into !== undefined) {
    appendAll(into, e.set);
    return undefined;
  }
  return r.fail(`invalid character class range ending in "${r.src.slice(start, r.pos)}"`, start);
}

/** `[:alpha:]` or `[:^alpha:]` inside a class; undefined (reading nothing) if this is no such form. */
function parsePosixClass(r: PatternReader): CodePointSet | undefined {
  const start = r.pos;
  const close = r.src.indexOf(":]", start + 2);
  if (close < 0) return undefined;
  const text = r.src.slice(start, close + 2);
  const negated = r.code(start + 2) === 0x5e; /* ^ */
  const set = posixClass(r.src.slice(start + (negated ? 3 : 2), close));
  if (set === undefined) r.fail(`invalid character class "${text}"`, start);
  r.pos = close + 2;
  return signedClass(r, set, negated);
}

/** As RE2: fold the positive class first, then negate, so `(?i)[^k]` excludes K and the Kelvin sign. */
function signedClass(r: PatternReader, set: CodePointSet, negated: boolean): CodePointSet {
  const folded = r.flags & FOLD_CASE ? foldSet(set) : set;
  return negated ? complement(folded) : folded;
}

/** Reads an escape, from its backslash. Inside a class, assertions such as `\b` are errors (as in RE2). */
export function parseEscape(r: PatternReader, inClass: boolean): Escape {
  const start = r.pos;
  r.pos++;
  if (r.pos >= r.src.length) r.fail("trailing backslash at end of pattern", start);
  const c = r.readCodePoint();
  const ch = String.fromCodePoint(c);
  const char = (cp: number): Escape => ({ kind: "char", cp });
  const outside = (e: Escape): Escape => {
    if (inClass) r.fail(`invalid escape sequence "\\${ch}" inside a character class`, start);
    return e;
  };
  switch (ch) {
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
    case "6":
    case "7":
      // RE2 reads \1 to \7 as octal only when another octal digit follows (\12); alone they are backreferences.
      if (!isOctal(r.code())) break;
      return char(readOctal(r, c));
    case "0":
      return char(readOctal(r, c));
    case "x":
      return char(readHexEscape(r, start, false));
    case "u":
      return char(readHexEscape(r, start, true));
    case "a":
      return char(0x07);
    case "f":
      return char(0x0c);
    case "n":
      return char(0x0a);
    case "r":
      return char(0x0d);
    case "t":
      return char(0x09);
    case "v":
      return char(0x0b);
    case "d":
    case "s":
    case "w":
      return { kind: "set", set: signedClass(r, PERL_CLASSES[ch] ?? [], false) };
    case "D":
    case "S":
    case "W":
      return { kind: "set", set: signedClass(r, PERL_CLASSES[ch.toLowerCase()] ?? [], true) };
    case "p":
    case "P":
      return { kind: "set", set: readUnicodeClass(r, start, ch === "P") };
    case "b":
      return outside({ kind: "assert", assert: WORD_BOUNDARY });
    case "B":
      return outside({ kind: "assert", assert: NOT_WORD_BOUNDARY });
    case "A":
      return outside({ kind: "assert", assert: BEGIN_TEXT });
    case "z":
      return outside({ kind: "assert", assert: END_TEXT });
    case "Z":
      return r.fail('RE2 does not support "\\Z"; use "\\z" for the end of the text', start);
    case "C":
      return r.fail('RE2\'s "\\C" (any byte) is not supported', start);
  }
  if (isDigit(c) || ch === "k" || ch === "g") {
    r.fail(`RE2 does not support backreferences ("${r.src.slice(start, r.pos)}")`, start);
  }
  const isLetter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
  if (c < 0x80 && !isLetter && c !== 0x5f) return char(c); // escaped punctuation
  return r.fail(`invalid escape sequence "\\${ch}"`, start);
}

function readOctal(r: PatternReader, first: number): number {
  let value = first - 0x30;
  for (let n = 0; n < 2 && isOctal(r.code()); n++) {
    value = value * 8 + r.code() - 0x30;
    r.pos++;
  }
  return value;
}

/** `\x41`, `\x{1F600}`, and (beyond RE2) `\u00e9`, `\u{1F600}` and `\uD83D\uDE00` pairs. */
function readHexEscape(r: PatternReader, start: number, unicode: boolean): number {
  let value = 0;
  if (r.code() === 0x7b /* { */) {
    const close = r.src.indexOf("}", r.pos);
    const digits = close < 0 ? "" : r.src.slice(r.pos + 1, close);
    if (!/^[0-9A-Fa-f]{1,8}$/.test(digits)) r.fail("invalid escape sequence: bad hex digits", start);
    value = Number.parseInt(digits, 16);
    r.pos = close + 1;
  } else {
    const count = unicode ? 4 : 2;
    for (let n = 0; n < count; n++) {
      const digit = hexValue(r.code());
      if (digit < 0)
        r.fail(`invalid escape sequence: "\\${unicode ? "u" : "x"}" needs ${count} hex digits`, start);
      value = value * 16 + digit;
      r.pos++;
    }
    if (unicode && value >= 0xd800 && value <= 0xdbff && r.src.startsWith("\\u", r.pos)) {
      const low = Number.parseInt(r.src.slice(r.pos + 2, r.pos + 6), 16);
      if (low >= 0xdc00 && low <= 0xdfff && /^[0-9A-Fa-f]{4}$/.test(r.src.slice(r.pos + 2, r.pos + 6))) {
        value = 0x10000 + ((value - 0xd800) << 10) + (low - 0xdc00);
        r.pos += 6;
      }
    }
  }
  if (value > 0x10ffff) r.fail("invalid escape sequence: code point above U+10FFFF", start);
  if (isSurrogate(value)) r.fail("invalid escape sequence: unpaired surrogate code point", start);
  return value;
}

/** `\pL`, `\p{Greek}`, `\p{^Greek}`, `\PL`. */
function readUnicodeClass(r: PatternReader, start: number, negatedEscape: boolean): CodePointSet {
  let negated = negatedEscape;
  let name: string;
  if (r.code() === 0x7b /* { */) {
    const close = r.src.indexOf("}", r.pos);
    if (close < 0) r.fail('missing closing "}" in Unicode class', start);
    name = r.src.slice(r.pos + 1, close);
    r.pos = close + 1;
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
  } else {
    if (r.pos >= r.src.length) r.fail("missing Unicode class name", start);
    name = String.fromCodePoint(r.readCodePoint());
  }
  const set = unicodeClass(name);
  if (set === undefined) r.fail(`unknown Unicode class name "${name}"`, start);
  return signedClass(r, set, negated);
}
