/** Turns CEL source text into tokens: numbers, strings (all quoting and escape forms), identifiers, operators. */

import { fail } from "./errors.js";

export type TokenKind = "int" | "uint" | "double" | "string" | "ident" | "op" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** Operator or identifier text; the decoded text of a string literal. */
  readonly text: string;
  /** Numeric value of int, uint and double literals. */
  readonly num: number;
  readonly offset: number;
}

const OPERATORS = [
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "<",
  ">",
  "!",
  "+",
  "-",
  "*",
  "/",
  "%",
  "?",
  ":",
  ".",
  ",",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
];

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "`": "`",
  "?": "?",
};

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}
function isHex(c: string): boolean {
  return isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");
}
function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  const push = (kind: TokenKind, text: string, num: number, offset: number) => {
    tokens.push({ kind, text, num, offset });
  };
  while (i < n) {
    const c = source.charAt(i);
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      i++;
      continue;
    }
    if (c === "/" && source.charAt(i + 1) === "/") {
      while (i < n && source.charAt(i) !== "\n") i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === "." && isDigit(source.charAt(i + 1)))) {
      i = lexNumber(source, i, push);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(source.charAt(i))) i++;
      const word = source.slice(start, i);
      const next = source.charAt(i);
      if ((next === '"' || next === "'") && /^(?:[rRbB]|[rR][bB]|[bB][rR])$/.test(word)) {
        if (/[bB]/.test(word)) {
          fail("bytes literals are not supported; use a string", start);
        }
        const [text, end] = lexString(source, i, true);
        push("string", intern(text), 0, start);
        i = end;
        continue;
      }
      push("ident", word, 0, start);
      continue;
    }
    if (c === '"' || c === "'") {
      const [text, end] = lexString(source, i, false);
      push("string", intern(text), 0, start);
      i = end;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) {
      if (c === "=" || c === "&" || c === "|") {
        fail(`unexpected '${c}'; did you mean '${c}${c}'?`, start);
      }
      fail(`unexpected character '${c}'`, start);
    }
    push("op", op, 0, start);
    i += op.length;
  }
  push("eof", "", 0, n);
  return tokens;
}

/**
 * Returns the engine's canonical copy of a string (property keys are interned), so comparing a context
 * value with a literal is a pointer comparison rather than a character-by-character one.
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

type Push = (kind: TokenKind, text: string, num: number, offset: number) => void;

function lexNumber(source: string, start: number, push: Push): number {
  let i = start;
  if (source.startsWith("0x", i) || source.startsWith("0X", i)) {
    i += 2;
    const digitsStart = i;
    while (isHex(source.charAt(i))) i++;
    if (i === digitsStart) fail("hexadecimal literal needs digits after '0x'", start);
    return finishInt(source, start, i, Number.parseInt(source.slice(digitsStart, i), 16), push);
  }
  while (isDigit(source.charAt(i))) i++;
  let isFloat = false;
  if (source.charAt(i) === "." && isDigit(source.charAt(i + 1))) {
    isFloat = true;
    i++;
    while (isDigit(source.charAt(i))) i++;
  }
  const e = source.charAt(i);
  if (e === "e" || e === "E") {
    let j = i + 1;
    if (source.charAt(j) === "+" || source.charAt(j) === "-") j++;
    if (isDigit(source.charAt(j))) {
      isFloat = true;
      while (isDigit(source.charAt(j))) j++;
      i = j;
    }
  }
  const text = source.slice(start, i);
  if (isFloat) {
    push("double", text, Number(text), start);
    return expectEndOfNumber(source, start, i);
  }
  return finishInt(source, start, i, Number(text), push);
}

function finishInt(source: string, start: number, end: number, value: number, push: Push): number {
  let i = end;
  let kind: TokenKind = "int";
  if (source.charAt(i) === "u" || source.charAt(i) === "U") {
    kind = "uint";
    i++;
  }
  // JS numbers are exact only up to 2^53; a larger literal would silently change value.
  if (!Number.isSafeInteger(value)) {
    fail(`integer literal ${source.slice(start, i)} is out of range (at most 2^53 - 1)`, start);
  }
  push(kind, source.slice(start, i), value, start);
  return expectEndOfNumber(source, start, i);
}

function expectEndOfNumber(source: string, start: number, end: number): number {
  const next = source.charAt(end);
  if (isIdentPart(next)) fail(`malformed number '${source.slice(start, end + 1)}'`, start);
  return end;
}

/** Lexes a quoted string starting at the quote; returns the decoded text and the offset after it. */
function lexString(source: string, quoteAt: number, raw: boolean): [string, number] {
  const q = source.charAt(quoteAt);
  const triple = source.startsWith(q + q + q, quoteAt);
  const delimiter = triple ? q + q + q : q;
  let i = quoteAt + delimiter.length;
  let out = "";
  for (;;) {
    if (i >= source.length) fail("unterminated string literal", quoteAt);
    if (source.startsWith(delimiter, i)) return [out, i + delimiter.length];
    const c = source.charAt(i);
    if (!triple && (c === "\n" || c === "\r")) {
      fail("newline in string literal; use a triple-quoted string or '\\n'", i);
    }
    if (c === "\\" && !raw) {
      const [text, end] = lexEscape(source, i);
      out += text;
      i = end;
      continue;
    }
    out += c;
    i++;
  }
}

function lexEscape(source: string, at: number): [string, number] {
  const c = source.charAt(at + 1);
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return [simple, at + 2];
  const hexEscape = (len: number, skip: number): [string, number] => {
    const digits = source.slice(at + skip, at + skip + len);
    if (digits.length !== len || ![...digits].every(isHex)) {
      fail(`invalid escape '\\${c}': expected ${len} hex digits`, at);
    }
    const code = Number.parseInt(digits, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      fail(`invalid escape '\\${c}${digits}': not a Unicode scalar value`, at);
    }
    return [String.fromCodePoint(code), at + skip + len];
  };
  if (c === "x" || c === "X") return hexEscape(2, 2);
  if (c === "u") return hexEscape(4, 2);
  if (c === "U") return hexEscape(8, 2);
  if (c >= "0" && c <= "3") {
    const digits = source.slice(at + 1, at + 4);
    if (!/^[0-3][0-7][0-7]$/.test(digits)) fail("invalid octal escape: expected 3 octal digits", at);
    return [String.fromCodePoint(Number.parseInt(digits, 8)), at + 4];
  }
  return fail(`invalid escape sequence '\\${c}'`, at);
}
