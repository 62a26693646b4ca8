/**
 * The regex syntax tree, and the pattern reader the parsers share (position, flags, errors, literals).
 */

import { type CodePointSet, normalize } from "./regex-charset.js";
import { caseOrbit } from "./regex-unicode.js";

export const BEGIN_TEXT = 0;
export const END_TEXT = 1;
export const BEGIN_LINE = 2;
export const END_LINE = 3;
export const WORD_BOUNDARY = 4;
export const NOT_WORD_BOUNDARY = 5;
export type AssertKind = 0 | 1 | 2 | 3 | 4 | 5;

/** A `set` node matches one code point from the set; literals are one-element sets (more under `(?i)`). */
export type RegexNode =
  | { readonly type: "empty" }
  | { readonly type: "set"; readonly set: CodePointSet }
  | { readonly type: "assert"; readonly kind: AssertKind }
  | { readonly type: "concat"; readonly items: readonly RegexNode[] }
  | { readonly type: "alt"; readonly items: readonly RegexNode[] }
  /** `max` is -1 for unbounded. */
  | { readonly type: "repeat"; readonly item: RegexNode; readonly min: number; readonly max: number };

export const EMPTY: RegexNode = { type: "empty" };

/** A pattern RE2 would not accept; `offset` is a UTF-16 index into the pattern. */
export class RegexSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = "RegexSyntaxError";
    this.offset = offset;
  }
}

export const FOLD_CASE = 1;
export const MULTI_LINE = 2;
export const DOT_NL = 4;
export const UNGREEDY = 8;

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

/** A cursor over the pattern, with the flags in force at that point. */
export class PatternReader {
  readonly src: string;
  pos = 0;
  flags = 0;

  constructor(src: string) {
    this.src = src;
  }

  /** The UTF-16 code unit at `at` (NaN past the end). */
  code(at = this.pos): number {
    return this.src.charCodeAt(at);
  }

  fail(message: string, offset: number): never {
    throw new RegexSyntaxError(message, offset);
  }

  /** The next code point of the pattern itself (a surrogate pair is one). */
  readCodePoint(): number {
    const cp = this.src.codePointAt(this.pos) ?? 0;
    if (isSurrogate(cp)) this.fail("pattern contains an unpaired UTF-16 surrogate", this.pos);
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** A literal code point, matching its whole case orbit under `(?i)`. */
  literal(cp: number): RegexNode {
    if (!(this.flags & FOLD_CASE)) return { type: "set", set: [cp, cp] };
    const ranges: number[] = [];
    for (const member of caseOrbit(cp)) ranges.push(member, member);
    return { type: "set", set: normalize(ranges) };
  }
}
