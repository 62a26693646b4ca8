/**
 * Unicode data for the regex engine: `\p{…}` classes and simple case folding. Rather than bundle
 * tables, they are derived once, on first use, from the runtime's own Unicode support (String case
 * mapping and RegExp property escapes), applied only to fixed patterns over engine-built strings of
 * code points: never to a user's pattern or input, so nothing here can backtrack on untrusted data.
 */

import { ANY_CHAR, type CodePointSet, isWordChar, MAX_CODE_POINT, normalize } from "./regex-charset.js";

/** A run of consecutive code points as one string; `width` is its code units per code point. */
interface Segment {
  readonly first: number;
  readonly width: 1 | 2;
  readonly text: string;
}

/**
 * The code space, minus unpaired surrogates and the unassigned planes 4–13 (callers probe those).
 * About 1.7 MB of strings, so held weakly: rebuilt (in ~10 ms) only if collected.
 */
let codeSpaceRef: WeakRef<readonly Segment[]> | undefined;

function codeSpace(): readonly Segment[] {
  let segments = codeSpaceRef?.deref();
  if (segments === undefined) {
    const ranges = [
      [0, 0xd7ff],
      [0xe000, 0xffff],
      [0x10000, 0x3ffff],
      [0xe0000, MAX_CODE_POINT],
    ] as const;
    segments = ranges.map(([from, to]) => segment(from, to));
    codeSpaceRef = new WeakRef(segments);
  }
  return segments;
}

function segment(from: number, to: number): Segment {
  const parts: string[] = [];
  const chunk: number[] = [];
  for (let cp = from; cp <= to; cp++) {
    chunk.push(cp);
    if (chunk.length === 4096 || cp === to) {
      parts.push(String.fromCodePoint(...chunk));
      chunk.length = 0;
    }
  }
  return { first: from, width: from > 0xffff ? 2 : 1, text: parts.join("") };
}

/** Calls `visit(lo, hi)` for every maximal run of code points that `runs` (a /gu regex, `X+`) matches. */
function forEachRun(runs: RegExp, visit: (lo: number, hi: number) => void): void {
  for (const { first, width, text } of codeSpace()) {
    for (const m of text.matchAll(runs)) {
      const lo = first + m.index / width;
      visit(lo, lo + m[0].length / width - 1);
    }
  }
}

function codePointsMatching(property: string): CodePointSet {
  const out: number[] = [];
  forEachRun(new RegExp(`${property}+`, "gu"), (lo, hi) => {
    out.push(lo, hi);
  });
  const one = new RegExp(`^${property}$`, "u");
  if (one.test("\ud800")) out.push(0xd800, 0xdfff);
  if (one.test(String.fromCodePoint(0x40000))) out.push(0x40000, 0xdffff);
  return normalize(out);
}

const unicodeClasses = new Map<string, CodePointSet | null>();

/**
 * The set RE2 means by `\p{name}`: `Any`, a general category (`L`, `Lu`, `Nd`…) or a script
 * (`Greek`, `Latin`, `Han`…). Undefined for an unknown name. Each is built once (a few ms) and kept.
 */
export function unicodeClass(name: string): CodePointSet | undefined {
  if (name === "Any") return ANY_CHAR;
  const cached = unicodeClasses.get(name);
  if (cached !== undefined) return cached ?? undefined;
  let set: CodePointSet | null = null;
  if (/^[A-Za-z][A-Za-z_]*$/.test(name)) {
    // RE2 accepts only the short category names (L, Lu), but scripts by their long names.
    const candidates = name.length <= 2 ? [`\\p{gc=${name}}`, `\\p{sc=${name}}`] : [`\\p{sc=${name}}`];
    const property = candidates.find(isValidProperty);
    if (property !== undefined) set = codePointsMatching(property);
  }
  unicodeClasses.set(name, set);
  return set ?? undefined;
}

function isValidProperty(property: string): boolean {
  try {
    new RegExp(property, "u");
    return true;
  } catch {
    return false;
  }
}

/** Whether `cp` may appear in a capture group name (RE2: letters, marks, digits, connector punctuation). */
export function isCaptureNameChar(cp: number): boolean {
  return isWordChar(cp) || (cp > 0x7f && /^[\p{L}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]$/u.test(String.fromCodePoint(cp)));
}

/** Simple case folding as orbits: code points that fold together (k, K and the Kelvin sign K). */
interface FoldTable {
  readonly orbits: ReadonlyMap<number, readonly number[]>;
  /** The code points with an orbit, ascending. */
  readonly foldable: readonly number[];
}

let foldTable: FoldTable | undefined;

function singleCodePoint(s: string): number | undefined {
  const cp = s.codePointAt(0);
  if (cp === undefined) return undefined;
  return s.length === (cp > 0xffff ? 2 : 1) ? cp : undefined;
}

/** Which code point `cp` probably folds to: toLowerCase(toUpperCase(cp)), when each is one code point. */
function foldCandidate(cp: number): number {
  const ch = String.fromCodePoint(cp);
  const upper = singleCodePoint(ch.toUpperCase());
  if (upper !== undefined) return singleCodePoint(String.fromCodePoint(upper).toLowerCase()) ?? upper;
  return singleCodePoint(ch.toLowerCase()) ?? cp;
}

function caseFolding(): FoldTable {
  if (foldTable !== undefined) return foldTable;
  const parent = new Map<number, number>();
  const root = (x: number): number => {
    let r = x;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    return r;
  };
  // Only characters that change under case mapping can fold. A round trip through upper case also
  // relates pairs that simple folding keeps apart (dotless ı and i), so such candidates are confirmed
  // against the runtime's /iu matching, which uses Unicode simple case folding, as RE2 does.
  forEachRun(/\p{Changes_When_Casemapped}+/gu, (lo, hi) => {
    for (let cp = lo; cp <= hi; cp++) {
      const target = foldCandidate(cp);
      if (target === cp) continue;
      const confirmed =
        singleCodePoint(String.fromCodePoint(cp).toLowerCase()) === target ||
        new RegExp(`^\\u{${cp.toString(16)}}$`, "iu").test(String.fromCodePoint(target));
      if (!confirmed) continue;
      const a = root(cp);
      const b = root(target);
      if (!parent.has(b)) parent.set(b, b);
      parent.set(a, b);
    }
  });
  const groups = new Map<number, number[]>();
  for (const cp of parent.keys()) {
    const r = root(cp);
    const group = groups.get(r);
    if (group === undefined) groups.set(r, [cp]);
    else group.push(cp);
  }
  const orbits = new Map<number, readonly number[]>();
  for (const group of groups.values()) {
    group.sort((a, b) => a - b);
    for (const cp of group) orbits.set(cp, group);
  }
  foldTable = { orbits, foldable: [...orbits.keys()].sort((a, b) => a - b) };
  return foldTable;
}

/** Every code point that case-folds together with `cp`, including itself. */
export function caseOrbit(cp: number): readonly number[] {
  return caseFolding().orbits.get(cp) ?? [cp];
}

const foldedSets = new WeakMap<CodePointSet, CodePointSet>();

/** Closes `set` under simple case folding, as RE2 does for classes under `(?i)`. */
export function foldSet(set: CodePointSet): CodePointSet {
  const known = foldedSets.get(set);
  if (known !== undefined) return known;
  const { orbits, foldable } = caseFolding();
  const out = [...set];
  for (let r = 0; r + 1 < set.length; r += 2) {
    const hi = set[r + 1] ?? 0;
    for (let i = lowerBound(foldable, set[r] ?? 0); i < foldable.length; i++) {
      const cp = foldable[i] ?? 0;
      if (cp > hi) break;
      for (const member of orbits.get(cp) ?? []) out.push(member, member);
    }
  }
  const folded = normalize(out);
  foldedSets.set(set, folded);
  return folded;
}

/** The index of the first element of `sorted` that is at least `x`. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
