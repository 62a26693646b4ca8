/**
 * Writing CEL text: expressions carry their precedence so that combining them adds parentheses only
 * where CEL needs them, and constant true/false fold away. Used by the flagd importer.
 */
import type { Json } from "./flagd-jsonlogic.js";

/** CEL precedence, loosest first. */
enum Prec {
  Conditional = 0,
  Or = 1,
  And = 2,
  Relation = 3,
  Unary = 6,
  Primary = 7,
}

export interface Cel {
  readonly s: string;
  readonly p: Prec;
  /** The negation, when it reads better than `!(…)` (`a != b` for `a == b`). */
  readonly negated?: Cel;
  /** For `a && b` and `a || b`: the operands, so negation can apply De Morgan's laws. */
  readonly junction?: { readonly op: "&&" | "||"; readonly parts: readonly Cel[] };
}

export const TRUE: Cel = { s: "true", p: Prec.Primary };
export const FALSE: Cel = { s: "false", p: Prec.Primary };
export const NULL: Cel = { s: "null", p: Prec.Primary };

const RESERVED = new Set(
  "true false null in as break const continue else for function if import let loop package namespace return var void while".split(
    " ",
  ),
);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that stand for the whole context in Ramp when the context has no attribute of that name. */
const SELF_NAMES = new Set(["user", "context"]);

const isIdent = (s: string) => IDENT.test(s) && !RESERVED.has(s);
const wrap = (e: Cel, min: Prec) => (e.p < min ? `(${e.s})` : e.s);

export function celString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A JSON value as a CEL literal. */
export function lit(v: Json): Cel {
  if (v === null) return NULL;
  if (v === true) return TRUE;
  if (v === false) return FALSE;
  if (typeof v === "string") return { s: celString(v), p: Prec.Primary };
  if (typeof v === "number") {
    const text = Number.isInteger(v) && !Number.isSafeInteger(v) ? v.toExponential() : String(v);
    return { s: text, p: v < 0 || Object.is(v, -0) ? Prec.Unary : Prec.Primary };
  }
  if (Array.isArray(v)) return { s: `[${v.map((x) => lit(x).s).join(", ")}]`, p: Prec.Primary };
  const entries = Object.entries(v).map(([k, x]) => `${celString(k)}: ${lit(x).s}`);
  return { s: `{${entries.join(", ")}}`, p: Prec.Primary };
}

/**
 * Reads a context attribute by its path. The first key is a variable; `user` and `context` (Ramp's
 * names for the whole context) and keys that are not identifiers are reached through the other one.
 * `safe`: a missing or null object on the way reads as missing (as in flagd) instead of an error.
 */
export function attribute(path: readonly string[], safe = false): Cel {
  const [first, ...rest] = path;
  if (first === undefined) return { s: "context", p: Prec.Primary };
  let s: string;
  if (isIdent(first) && !SELF_NAMES.has(first)) s = first;
  else {
    const root = first === "context" ? "user" : "context";
    s = isIdent(first) ? `${root}.${first}` : `${root}[${celString(first)}]`;
  }
  for (const key of rest) {
    if (safe) s = `default(${s}, {})`;
    s += isIdent(key) ? `.${key}` : `[${celString(key)}]`;
  }
  return { s, p: Prec.Primary };
}

export function call(fn: string, ...args: Cel[]): Cel {
  return { s: `${fn}(${args.map((a) => a.s).join(", ")})`, p: Prec.Primary };
}

export function method(receiver: Cel, fn: string, ...args: Cel[]): Cel {
  return { s: `${wrap(receiver, Prec.Primary)}.${fn}(${args.map((a) => a.s).join(", ")})`, p: Prec.Primary };
}

export type RelOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in";

export function rel(a: Cel, op: RelOp, b: Cel): Cel {
  const text = (o: RelOp) => `${wrap(a, Prec.Relation + 1)} ${o} ${wrap(b, Prec.Relation + 1)}`;
  if (op === "==" || op === "!=") {
    return {
      s: text(op),
      p: Prec.Relation,
      negated: { s: text(op === "==" ? "!=" : "=="), p: Prec.Relation },
    };
  }
  return { s: text(op), p: Prec.Relation };
}

export const isTrue = (a: Cel): boolean => a.s === "true";
export const isFalse = (a: Cel): boolean => a.s === "false";

export function not(a: Cel): Cel {
  if (isTrue(a)) return FALSE;
  if (isFalse(a)) return TRUE;
  if (a.negated !== undefined) return { ...a.negated, negated: a };
  const j = a.junction;
  if (j?.parts.every((x) => x.negated !== undefined))
    return flatten(j.op === "&&" ? "||" : "&&", j.parts.map(not));
  return { s: `!${wrap(a, Prec.Unary)}`, p: Prec.Unary, negated: a };
}

function flatten(op: "&&" | "||", xs: readonly Cel[]): Cel {
  const unit = op === "&&" ? TRUE : FALSE;
  const zero = op === "&&" ? FALSE : TRUE;
  const prec = op === "&&" ? Prec.And : Prec.Or;
  const parts: Cel[] = [];
  for (const x of xs) {
    if (x.s === zero.s) return zero;
    if (x.s !== unit.s && !parts.some((p) => p.s === x.s)) parts.push(x);
  }
  if (parts.length === 0) return unit;
  if (parts.length === 1) return parts[0] ?? unit;
  return { s: parts.map((x) => wrap(x, prec)).join(` ${op} `), p: prec, junction: { op, parts } };
}

export const and = (...xs: Cel[]): Cel => flatten("&&", xs);
export const or = (...xs: Cel[]): Cel => flatten("||", xs);

/** `c ? a : b`, folded to && / || when a branch is a constant (c must be error-free). */
export function ifThen(c: Cel, a: Cel, b: Cel): Cel {
  if (isTrue(c)) return a;
  if (isFalse(c)) return b;
  if (isTrue(a)) return or(c, b);
  if (isFalse(a)) return and(not(c), b);
  if (isFalse(b)) return and(c, a);
  if (isTrue(b)) return or(not(c), a);
  return {
    s: `${wrap(c, Prec.Or)} ? ${wrap(a, Prec.Or)} : ${wrap(b, Prec.Conditional)}`,
    p: Prec.Conditional,
  };
}
