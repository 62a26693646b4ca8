/**
 * Regular expressions for CEL's `matches`: RE2 syntax, matched in time linear in input × pattern
 * whatever the pattern, so patterns from configuration are safe on untrusted input (no ReDoS).
 */

import { LazyDfa, NfaStepper, nfaMatch } from "./regex-match.js";
import { MAX_NESTING, MAX_REPEAT, parseRegex } from "./regex-parse.js";
import { compileProgram } from "./regex-program.js";
import { BEGIN_TEXT, END_TEXT, type RegexNode, RegexSyntaxError } from "./regex-syntax.js";

export type RegexResult =
  | { ok: true; test: (input: string) => boolean }
  | { ok: false; message: string; offset?: number };

export const REGEX_LIMITS = {
  /** Pattern length in UTF-16 code units. */
  maxPatternLength: 4096,
  /** Largest count in `{n}`, `{n,}` and `{n,m}` (as RE2). */
  maxRepeat: MAX_REPEAT,
  /** Largest compiled program, in NFA states, after counted repetitions are expanded. */
  maxProgramSize: 5000,
  /** Deepest nesting of groups. */
  maxNesting: MAX_NESTING,
} as const;

/**
 * Compiles an RE2-syntax pattern with CEL's `matches` semantics: an unanchored search, true if any
 * substring matches. Never throws; an unsupported or malformed pattern gives `ok: false` with a message
 * and the UTF-16 offset of the problem.
 *
 * @example
 * const re = compileRegex("^[a-z]+@example\\.com$");
 * if (re.ok) re.test("ada@example.com"); // true
 */
export function compileRegex(pattern: string): RegexResult {
  if (pattern.length > REGEX_LIMITS.maxPatternLength) {
    return {
      ok: false,
      message: `pattern is too long: ${pattern.length} characters, at most ${REGEX_LIMITS.maxPatternLength} allowed`,
    };
  }
  try {
    return compile(parseRegex(pattern));
  } catch (error) {
    if (error instanceof RegexSyntaxError) return { ok: false, message: error.message, offset: error.offset };
    // A bug in this engine must not take down flag loading: report it like a bad pattern.
    return { ok: false, message: `internal error in the regular expression engine: ${String(error)}` };
  }
}

function compile(root: RegexNode): RegexResult {
  const literal = literalTest(root);
  if (literal !== undefined) return { ok: true, test: literal };
  const prog = compileProgram(root, REGEX_LIMITS.maxProgramSize);
  if (prog === undefined) {
    return {
      ok: false,
      message:
        `pattern is too large: it compiles to more than ${REGEX_LIMITS.maxProgramSize} states ` +
        "(reduce counted repetitions such as {n,m})",
    };
  }
  const dfa = LazyDfa.create(prog);
  if (dfa !== undefined) return { ok: true, test: (input) => dfa.test(input) };
  const stepper = new NfaStepper(prog);
  return { ok: true, test: (input) => nfaMatch(prog, input, stepper) };
}

/** A plain-string test when the pattern is a literal, optionally anchored with `^` and `$`. */
function literalTest(root: RegexNode): ((input: string) => boolean) | undefined {
  const items = root.type === "concat" ? [...root.items] : root.type === "empty" ? [] : [root];
  const first = items[0];
  const atStart = first?.type === "assert" && first.kind === BEGIN_TEXT;
  if (atStart) items.shift();
  const last = items[items.length - 1];
  const atEnd = last?.type === "assert" && last.kind === END_TEXT;
  if (atEnd) items.pop();
  let text = "";
  for (const item of items) {
    if (item.type !== "set" || item.set.length !== 2 || item.set[0] !== item.set[1]) return undefined;
    text += String.fromCodePoint(item.set[0] ?? 0);
  }
  if (atStart && atEnd) return (input) => input === text;
  if (atStart) return (input) => input.startsWith(text);
  if (atEnd) return (input) => input.endsWith(text);
  return (input) => input.includes(text);
}
