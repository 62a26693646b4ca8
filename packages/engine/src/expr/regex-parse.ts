/**
 * Parses RE2 syntax into a small syntax tree. Rejects what RE2 rejects — notably the backtracking-only
 * features (backreferences, lookaround, possessive quantifiers) — with a message and the offset.
 */

import { ANY_CHAR, ANY_EXCEPT_NEWLINE } from "./regex-charset.js";
import { parseClass, parseEscape } from "./regex-class.js";
import {
  BEGIN_LINE,
  BEGIN_TEXT,
  DOT_NL,
  EMPTY,
  END_LINE,
  END_TEXT,
  FOLD_CASE,
  isDigit,
  MULTI_LINE,
  PatternReader,
  type RegexNode,
  UNGREEDY,
} from "./regex-syntax.js";
import { isCaptureNameChar } from "./regex-unicode.js";

export const MAX_REPEAT = 1000;
export const MAX_NESTING = 1000;

const FLAG_BITS: Readonly<Record<string, number>> = { i: FOLD_CASE, m: MULTI_LINE, s: DOT_NL, U: UNGREEDY };

/** Constructs that only backtracking engines have, keyed by what follows `(?`. */
const UNSUPPORTED_GROUPS: readonly (readonly [string, string])[] = [
  ["<=", "lookbehind assertions"],
  ["<!", "negative lookbehind assertions"],
  ["=", "lookahead assertions"],
  ["!", "negative lookahead assertions"],
  ["P=", "named backreferences"],
  ["P>", "recursive patterns"],
  [">", "atomic groups"],
  ["#", "comment groups"],
  ["|", "branch reset groups"],
  ["(", "conditional groups"],
  ["R", "recursive patterns"],
  ["&", "subroutine calls"],
  ["+", "subroutine calls"],
];

/** Parses an RE2 pattern; throws RegexSyntaxError. */
export function parseRegex(pattern: string): RegexNode {
  return new Parser(pattern).parse();
}

class Parser extends PatternReader {
  private depth = 0;
  private readonly names = new Set<string>();

  parse(): RegexNode {
    const node = this.parseAlternation();
    if (this.pos < this.src.length) this.fail('unmatched ")"', this.pos);
    return node;
  }

  private parseAlternation(): RegexNode {
    const items = [this.parseConcat()];
    while (this.code() === 0x7c /* | */) {
      this.pos++;
      items.push(this.parseConcat());
    }
    return items.length === 1 ? (items[0] ?? EMPTY) : { type: "alt", items };
  }

  private parseConcat(): RegexNode {
    const items: RegexNode[] = [];
    while (this.pos < this.src.length) {
      const c = this.code();
      if (c === 0x7c /* | */ || c === 0x29 /* ) */) break;
      let atom: RegexNode | undefined;
      if (this.src.startsWith("\\Q", this.pos)) {
        // \Q...\E is a run of literals, so a quantifier after it applies to the last one only.
        const literals = this.readQuoted();
        atom = literals.pop();
        for (const literal of literals) items.push(literal);
      } else {
        atom = this.parseAtom();
      }
      if (atom === undefined) continue;
      const node = this.parseRepetition(atom);
      if (node.type === "concat") for (const item of node.items) items.push(item);
      else if (node.type !== "empty") items.push(node);
    }
    return items.length === 0 ? EMPTY : items.length === 1 ? (items[0] ?? EMPTY) : { type: "concat", items };
  }

  /** One atom, or undefined for a flag group like `(?i)` that only changes later parsing. */
  private parseAtom(): RegexNode | undefined {
    const start = this.pos;
    switch (this.code()) {
      case 0x28 /* ( */:
        return this.parseGroup();
      case 0x5b /* [ */:
        return { type: "set", set: parseClass(this) };
      case 0x2e /* . */:
        this.pos++;
        return { type: "set", set: this.flags & DOT_NL ? ANY_CHAR : ANY_EXCEPT_NEWLINE };
      case 0x5e /* ^ */:
        this.pos++;
        return { type: "assert", kind: this.flags & MULTI_LINE ? BEGIN_LINE : BEGIN_TEXT };
      case 0x24 /* $ */:
        this.pos++;
        return { type: "assert", kind: this.flags & MULTI_LINE ? END_LINE : END_TEXT };
      case 0x5c /* \ */:
        return this.parseEscapeAtom();
      case 0x2a /* * */:
      case 0x2b /* + */:
      case 0x3f /* ? */:
        return this.fail(`missing argument to repetition operator "${this.src[start]}"`, start);
      case 0x7b /* { */:
        if (this.readBraces() !== undefined) {
          this.fail(`missing argument to repetition operator "${this.src.slice(start, this.pos)}"`, start);
        }
    }
    return this.literal(this.readCodePoint());
  }

  private parseEscapeAtom(): RegexNode {
    const e = parseEscape(this, false);
    switch (e.kind) {
      case "char":
        return this.literal(e.cp);
      case "set":
        return { type: "set", set: e.set };
      case "assert":
        return { type: "assert", kind: e.assert };
    }
  }

  private parseRepetition(atom: RegexNode): RegexNode {
    const opStart = this.pos;
    const q = this.readQuantifier();
    if (q === undefined) return atom;
    const op = this.src.slice(opStart, this.pos);
    if (this.code() === 0x3f /* ? */) {
      this.pos++; // lazy: same boolean result
    } else if (this.code() === 0x2b /* + */) {
      this.fail(`RE2 does not support possessive quantifiers ("${op}+")`, opStart);
    }
    const end = this.pos;
    if (this.readQuantifier() !== undefined) {
      const stacked = this.src.slice(opStart, this.pos);
      this.fail(
        `bad repetition operator "${stacked}": RE2 does not allow a quantifier to follow another ` +
          `(use a group, as in (?:x${op})${this.src.slice(end, this.pos)})`,
        opStart,
      );
    }
    if (q.min > MAX_REPEAT || q.max > MAX_REPEAT) {
      this.fail(`bad repetition count "${op}": RE2 allows at most ${MAX_REPEAT}`, opStart);
    }
    if (q.max !== -1 && q.max < q.min)
      this.fail(`bad repetition range "${op}": minimum exceeds maximum`, opStart);
    return { type: "repeat", item: atom, min: q.min, max: q.max };
  }

  /** Reads `*`, `+`, `?` or a valid `{n}`, `{n,}`, `{n,m}`; otherwise reads nothing. */
  private readQuantifier(): { min: number; max: number } | undefined {
    switch (this.code()) {
      case 0x2a /* * */:
        this.pos++;
        return { min: 0, max: -1 };
      case 0x2b /* + */:
        this.pos++;
        return { min: 1, max: -1 };
      case 0x3f /* ? */:
        this.pos++;
        return { min: 0, max: 1 };
      case 0x7b /* { */:
        return this.readBraces();
      default:
        return undefined;
    }
  }

  /** `{n}`, `{n,}` or `{n,m}`; anything else (like `{,3}` or `{x}`) is, as in RE2, a literal `{`. */
  private readBraces(): { min: number; max: number } | undefined {
    let i = this.pos + 1;
    const number = (): number | undefined => {
      const from = i;
      let value = 0;
      while (isDigit(this.code(i))) value = Math.min(value * 10 + this.code(i++) - 0x30, 1e6);
      return i > from ? value : undefined;
    };
    const min = number();
    if (min === undefined) return undefined;
    let max = min;
    if (this.code(i) === 0x2c /* , */) {
      i++;
      max = number() ?? -1;
    }
    if (this.code(i) !== 0x7d /* } */) return undefined;
    this.pos = i + 1;
    return { min, max };
  }

  private parseGroup(): RegexNode | undefined {
    const start = this.pos;
    if (this.depth >= MAX_NESTING) this.fail(`groups are nested more than ${MAX_NESTING} deep`, start);
    if (this.code(start + 1) !== 0x3f /* ? */) {
      this.pos = start + 1;
      return this.parseGroupBody(start, this.flags);
    }
    const after = this.src.slice(start + 2, start + 4);
    for (const [prefix, what] of UNSUPPORTED_GROUPS) {
      if (after.startsWith(prefix) || (prefix === "R" && isDigit(this.code(start + 2)))) {
        this.fail(`RE2 does not support ${what} "(?${prefix === "R" ? after[0] : prefix}"`, start);
      }
    }
    if (after.startsWith("P<")) return this.parseNamedGroup(start, start + 4);
    if (after.startsWith("<")) return this.parseNamedGroup(start, start + 3);
    return this.parseFlags(start);
  }

  private parseGroupBody(start: number, flags: number): RegexNode {
    const saved = this.flags;
    this.flags = flags;
    this.depth++;
    const body = this.parseAlternation();
    this.depth--;
    if (this.code() !== 0x29 /* ) */) this.fail('missing closing ")" for this group', start);
    this.pos++;
    this.flags = saved;
    return body;
  }

  private parseNamedGroup(start: number, nameStart: number): RegexNode {
    const close = this.src.indexOf(">", nameStart);
    if (close < 0) this.fail("invalid named capture group: missing closing >", start);
    const name = this.src.slice(nameStart, close);
    const valid = name !== "" && [...name].every((ch) => isCaptureNameChar(ch.codePointAt(0) ?? 0));
    if (!valid) this.fail(`invalid capture group name "${name}"`, start);
    if (this.names.has(name)) this.fail(`duplicate capture group name "${name}"`, start);
    this.names.add(name);
    this.pos = close + 1;
    return this.parseGroupBody(start, this.flags);
  }

  /** `(?flags)` sets flags until the end of the enclosing group; `(?flags:re)` only inside. */
  private parseFlags(start: number): RegexNode | undefined {
    let flags = this.flags;
    let negated = false;
    let sawFlag = false;
    for (let i = start + 2; i < this.src.length; i++) {
      const ch = this.src[i] ?? "";
      const bit = Object.hasOwn(FLAG_BITS, ch) ? FLAG_BITS[ch] : undefined;
      if (bit !== undefined) {
        flags = negated ? flags & ~bit : flags | bit;
        sawFlag = true;
      } else if (ch === "-" && !negated) {
        negated = true;
        sawFlag = false;
      } else if ((ch === ":" || ch === ")") && (sawFlag || (!negated && ch === ":"))) {
        this.pos = i + 1;
        if (ch === ":") return this.parseGroupBody(start, flags);
        this.flags = flags;
        return undefined;
      } else {
        const text = this.src.slice(start, i + 1);
        this.fail(
          `invalid or unsupported group or flags "${text}": RE2 supports the flags i, m, s and U`,
          start,
        );
      }
    }
    return this.fail('missing closing ")" for this group', start);
  }

  /** `\Q...\E`: everything up to `\E` (or the end) is literal. */
  private readQuoted(): RegexNode[] {
    const end = this.src.indexOf("\\E", this.pos + 2);
    const stop = end < 0 ? this.src.length : end;
    const literals: RegexNode[] = [];
    this.pos += 2;
    while (this.pos < stop) literals.push(this.literal(this.readCodePoint()));
    this.pos = end < 0 ? stop : stop + 2;
    return literals;
  }
}
