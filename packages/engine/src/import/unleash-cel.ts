/**
 * A small builder of CEL source for the Unleash importer: constant folding, precedence-aware
 * parenthesising, and the two-sided conditions that keep negation exact in Ramp's CEL.
 *
 * In Ramp a rule matches only when its `if` is exactly `true`; an error (a missing attribute, a
 * value that does not parse) means no match, even under `!`. Unleash's operators are total
 * instead: a missing attribute is simply "not matching", so `NOT_IN` holds for it. A `Test` is
 * therefore built as two expressions: `holds` is true exactly when Unleash's answer is true, `fails`
 * exactly when it is false, and each may be false or an error otherwise. Negation swaps them, so
 * every condition written into a flag file is true precisely when Unleash would say so.
 */

import { KEYWORDS, RESERVED } from "../expr/parser.js";

/** Binding strength, loosest first (CEL's precedence). */
const Prec = { Conditional: 0, Or: 1, And: 2, Relation: 3, Unary: 5, Primary: 6 } as const;
type Prec = (typeof Prec)[keyof typeof Prec];

export type Cel =
  | { readonly kind: "const"; readonly value: boolean }
  | { readonly kind: "expr"; readonly src: string; readonly prec: Prec };

export const TRUE: Cel = { kind: "const", value: true };
export const FALSE: Cel = { kind: "const", value: false };

export const constant = (value: boolean): Cel => (value ? TRUE : FALSE);

/** A primary expression: identifier, call, literal, index, or anything already parenthesised. */
export const primary = (src: string): Cel => ({ kind: "expr", src, prec: Prec.Primary });
/** A comparison or membership test (`a == b`, `a in b`, `a > b`). */
export const relation = (src: string): Cel => ({ kind: "expr", src, prec: Prec.Relation });

export function source(c: Cel): string {
  return c.kind === "const" ? String(c.value) : c.src;
}

function operand(c: Cel, min: Prec): string {
  if (c.kind === "const") return String(c.value);
  return c.prec < min ? `(${c.src})` : c.src;
}

/** Conjunction with constant folding: `false` absorbs, `true` disappears. */
export function and(...xs: readonly Cel[]): Cel {
  const parts: Cel[] = [];
  for (const x of xs) {
    if (x.kind === "const") {
      if (!x.value) return FALSE;
    } else parts.push(x);
  }
  if (parts.length === 0) return TRUE;
  if (parts.length === 1) return parts[0] ?? TRUE;
  return { kind: "expr", src: parts.map((p) => operand(p, Prec.And)).join(" && "), prec: Prec.And };
}

/** Disjunction with constant folding: `true` absorbs, `false` disappears. */
export function or(...xs: readonly Cel[]): Cel {
  const parts: Cel[] = [];
  for (const x of xs) {
    if (x.kind === "const") {
      if (x.value) return TRUE;
    } else parts.push(x);
  }
  if (parts.length === 0) return FALSE;
  if (parts.length === 1) return parts[0] ?? FALSE;
  return { kind: "expr", src: parts.map((p) => operand(p, Prec.Or)).join(" || "), prec: Prec.Or };
}

/** Plain CEL negation: only for expressions that cannot be an error. */
export function not(x: Cel): Cel {
  if (x.kind === "const") return constant(!x.value);
  return { kind: "expr", src: `!${operand(x, Prec.Unary)}`, prec: Prec.Unary };
}

export function conditional(cond: Cel, then: Cel, otherwise: Cel): Cel {
  if (cond.kind === "const") return cond.value ? then : otherwise;
  const src = `${operand(cond, Prec.Or)} ? ${operand(then, Prec.Or)} : ${operand(otherwise, Prec.Conditional)}`;
  return { kind: "expr", src, prec: Prec.Conditional };
}

/** `a OP b` where a and b are CEL sources of primary or unary strength. */
export function compare(a: string, op: "==" | "!=" | "<" | "<=" | ">" | ">=" | "in", b: string): Cel {
  return relation(`${a} ${op} ${b}`);
}

/** A condition with Unleash's two-valued meaning; see the module comment. */
export interface Test {
  /** True exactly when Unleash's answer is true (false or an error otherwise). */
  readonly holds: Cel;
  /** True exactly when Unleash's answer is false (false or an error otherwise). */
  readonly fails: Cel;
}

export const ALWAYS: Test = { holds: TRUE, fails: FALSE };
export const NEVER: Test = { holds: FALSE, fails: TRUE };

export const negate = (t: Test): Test => ({ holds: t.fails, fails: t.holds });
export const allOf = (ts: readonly Test[]): Test => ({
  holds: and(...ts.map((t) => t.holds)),
  fails: or(...ts.map((t) => t.fails)),
});
export const anyOf = (ts: readonly Test[]): Test => ({
  holds: or(...ts.map((t) => t.holds)),
  fails: and(...ts.map((t) => t.fails)),
});

/** A CEL string literal. JSON's escapes are all valid in CEL. */
export const quote = (s: string): string => JSON.stringify(s);

export const list = (xs: readonly string[]): string => `[${xs.map(quote).join(", ")}]`;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that cannot be bare identifiers: CEL keywords and reserved words, and Ramp's self names. */
const NOT_BARE: ReadonlySet<string> = new Set([
  ...KEYWORDS,
  ...RESERVED,
  // `user` and `context` name the whole context when it has no attribute of that name.
  "user",
  "context",
]);

/** The CEL expression reading context attribute `name`: `plan`, or `context["odd-name"]`. */
export function attribute(name: string): string {
  return IDENT.test(name) && !NOT_BARE.has(name) ? name : `context[${quote(name)}]`;
}

/** Absent or null — Unleash's "no value" (its SDKs read `context[name] ?? properties[name]`). */
export const isNil = (name: string): Cel => primary(`isNil(${attribute(name)})`);

/** Escapes a literal string for use inside an RE2 pattern. */
export function regexLiteral(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}
