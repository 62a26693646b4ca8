/**
 * Code-point sets for the regex engine: sorted ranges, set algebra, and RE2's ASCII classes (Perl
 * `\d \s \w`, POSIX `[:alpha:]`). Unicode classes and case folding are in regex-unicode.ts.
 */

export const MAX_CODE_POINT = 0x10ffff;

/** Sorted, disjoint, non-adjacent inclusive ranges, flattened: `[lo0, hi0, lo1, hi1, ...]`. */
export type CodePointSet = readonly number[];

export const ANY_CHAR: CodePointSet = [0, MAX_CODE_POINT];
/** What `.` matches without the `s` flag: RE2 excludes only `\n` (JavaScript also excludes `\r`, U+2028/9). */
export const ANY_EXCEPT_NEWLINE: CodePointSet = [0, 9, 11, MAX_CODE_POINT];

/** `\w`, and the characters `\b` treats as word characters: ASCII only, as in RE2. */
export const WORD_CHARS: CodePointSet = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];

/** RE2's Perl classes are ASCII-only; note `\s` is `[\t\n\f\r ]` (no `\v`, unlike JavaScript). */
export const PERL_CLASSES: Readonly<Record<string, CodePointSet>> = {
  d: [0x30, 0x39],
  s: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20],
  w: WORD_CHARS,
};

const POSIX_CLASSES: Readonly<Record<string, CodePointSet>> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: WORD_CHARS,
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/** The ASCII class `[[:name:]]` names, or undefined for an unknown name. */
export function posixClass(name: string): CodePointSet | undefined {
  return Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
}

export function isWordChar(cp: number): boolean {
  return (
    (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x30 && cp <= 0x39) || cp === 0x5f
  );
}

/** Sorts and merges arbitrary (possibly overlapping) flattened ranges into a set. */
export function normalize(ranges: readonly number[]): CodePointSet {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) pairs.push([ranges[i] ?? 0, ranges[i + 1] ?? 0]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    const lastHi = out[last] ?? -2;
    if (last > 0 && lo <= lastHi + 1) {
      if (hi > lastHi) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

export function complement(set: CodePointSet): CodePointSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i + 1 < set.length; i += 2) {
    const lo = set[i] ?? 0;
    if (lo > next) out.push(next, lo - 1);
    next = (set[i + 1] ?? 0) + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

export function setContains(set: CodePointSet, cp: number): boolean {
  let lo = 0;
  let hi = set.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cp > (set[2 * mid + 1] ?? 0)) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo < set.length && cp >= (set[2 * lo] ?? 0);
}

export function appendAll(target: number[], source: readonly number[]): void {
  for (const x of source) target.push(x);
}
