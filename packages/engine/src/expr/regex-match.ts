/**
 * Runs a compiled program over an input in a single left-to-right pass, tracking the set of live NFA
 * states (Thompson/Pike simulation), so time is O(input × program) whatever the pattern. A lazily
 * built, size-capped DFA caches those state sets for speed and falls back to the plain simulation
 * when a pattern makes the cache thrash.
 */

import { Alphabet } from "./regex-alphabet.js";
import { isWordChar, setContains, WORD_CHARS } from "./regex-charset.js";
import { OP_ASSERT, OP_CHAR, OP_MATCH, OP_SPLIT, type Program } from "./regex-program.js";
import {
  BEGIN_LINE,
  BEGIN_TEXT,
  END_LINE,
  END_TEXT,
  NOT_WORD_BOUNDARY,
  WORD_BOUNDARY,
} from "./regex-syntax.js";

/** What lies on one side of a position, as far as assertions care. */
const CTX_OTHER = 0;
/** The start (before) or end (after) of the text. */
const CTX_EDGE = 1;
const CTX_NEWLINE = 2;
const CTX_WORD = 3;

function contextOf(cp: number): number {
  if (cp === 0x0a) return CTX_NEWLINE;
  return isWordChar(cp) ? CTX_WORD : CTX_OTHER;
}

function assertHolds(kind: number, before: number, after: number): boolean {
  switch (kind) {
    case BEGIN_TEXT:
      return before === CTX_EDGE;
    case END_TEXT:
      return after === CTX_EDGE;
    case BEGIN_LINE:
      return before === CTX_EDGE || before === CTX_NEWLINE;
    case END_LINE:
      return after === CTX_EDGE || after === CTX_NEWLINE;
    case WORD_BOUNDARY:
      return (before === CTX_WORD) !== (after === CTX_WORD);
    case NOT_WORD_BOUNDARY:
      return (before === CTX_WORD) === (after === CTX_WORD);
    default:
      return false;
  }
}

/** Code point at `i` (a surrogate pair is one; an unpaired surrogate stands for itself). */
function codePointAt(input: string, i: number): number {
  const c = input.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < input.length) {
    const d = input.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/**
 * One step of the NFA simulation, with reusable buffers sized to the program. A "kernel" is the set of
 * states reached right after consuming a code point, before following empty transitions.
 */
export class NfaStepper {
  readonly kernel: Int32Array;
  kernelSize = 0;
  private readonly prog: Program;
  private readonly mark: Int32Array;
  private generation = 0;
  private readonly stack: Int32Array;
  private readonly chars: Int32Array;
  private charCount = 0;

  constructor(prog: Program) {
    const size = prog.ops.length;
    this.prog = prog;
    this.kernel = new Int32Array(size);
    this.mark = new Int32Array(size);
    this.stack = new Int32Array(size);
    this.chars = new Int32Array(size);
  }

  reset(kernel: ArrayLike<number>): void {
    this.kernelSize = kernel.length;
    for (let i = 0; i < kernel.length; i++) this.kernel[i] = kernel[i] ?? 0;
  }

  private nextGeneration(): number {
    if (this.generation === 0x3fffffff) {
      this.mark.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }

  /**
   * Follows empty transitions from the kernel at a position between contexts `before` and `after`,
   * keeping the CHAR states reached. Returns true if the MATCH state is reached.
   */
  close(before: number, after: number): boolean {
    const { ops, next, arg } = this.prog;
    const { mark, stack, chars, kernel } = this;
    const gen = this.nextGeneration();
    let sp = 0;
    for (let i = 0; i < this.kernelSize; i++) {
      const pc = kernel[i] ?? 0;
      if (mark[pc] !== gen) {
        mark[pc] = gen;
        stack[sp++] = pc;
      }
    }
    let count = 0;
    while (sp > 0) {
      const pc = stack[--sp] ?? 0;
      let follow = -1;
      let alsoFollow = -1;
      switch (ops[pc]) {
        case OP_MATCH:
          this.charCount = 0;
          return true;
        case OP_CHAR:
          chars[count++] = pc;
          break;
        case OP_SPLIT:
          follow = next[pc] ?? -1;
          alsoFollow = arg[pc] ?? -1;
          break;
        case OP_ASSERT:
          if (assertHolds(arg[pc] ?? -1, before, after)) follow = next[pc] ?? -1;
          break;
      }
      if (alsoFollow >= 0 && mark[alsoFollow] !== gen) {
        mark[alsoFollow] = gen;
        stack[sp++] = alsoFollow;
      }
      if (follow >= 0 && mark[follow] !== gen) {
        mark[follow] = gen;
        stack[sp++] = follow;
      }
    }
    this.charCount = count;
    return false;
  }

  /** Consumes `cp` from the CHAR states found by `close`, making the next kernel; returns its size. */
  advance(cp: number): number {
    const { next, arg, sets, start, anchored } = this.prog;
    const { mark, chars, kernel } = this;
    const gen = this.nextGeneration();
    let size = 0;
    for (let i = 0; i < this.charCount; i++) {
      const pc = chars[i] ?? 0;
      if (!setContains(sets[arg[pc] ?? 0] ?? [], cp)) continue;
      const to = next[pc] ?? 0;
      if (mark[to] !== gen) {
        mark[to] = gen;
        kernel[size++] = to;
      }
    }
    // An unanchored search may begin a new match at every position.
    if (!anchored && mark[start] !== gen) kernel[size++] = start;
    this.kernelSize = size;
    return size;
  }
}

/** The NFA simulation from `pos`, with the stepper's kernel live there and `before` the context behind. */
export function runNfa(stepper: NfaStepper, input: string, pos: number, before: number): boolean {
  let ctx = before;
  for (let i = pos; i < input.length; ) {
    const cp = codePointAt(input, i);
    const after = contextOf(cp);
    if (stepper.close(ctx, after)) return true;
    if (stepper.advance(cp) === 0) return false;
    ctx = after;
    i += cp > 0xffff ? 2 : 1;
  }
  return stepper.close(ctx, CTX_EDGE);
}

/** Whether the program matches anywhere in `input`, by NFA simulation alone. */
export function nfaMatch(prog: Program, input: string, stepper = new NfaStepper(prog)): boolean {
  stepper.reset([prog.start]);
  return runNfa(stepper, input, 0, CTX_EDGE);
}

const UNKNOWN = -1;
const MATCHED = -2;
const DEAD = -3;
const NO_ROW = new Int32Array(0);

/** Cache budget, in 32-bit words of transition rows and kernels (256 KiB). */
const DFA_BUDGET = 1 << 16;

/**
 * A DFA built on demand: each state is a kernel plus the context behind it; transitions are over
 * classes of code points that every instruction treats alike. When the cache fills it is cleared;
 * if that happens too often for the input consumed, matching falls back to NFA simulation.
 */
export class LazyDfa {
  private readonly prog: Program;
  private readonly stepper: NfaStepper;
  private readonly alphabet: Alphabet;
  private readonly classContext: Uint8Array;
  private readonly contextMask: Uint8Array;
  private kernels: Int32Array[] = [];
  private before: number[] = [];
  private rows: Int32Array[] = [];
  private endMatch: number[] = [];
  private index = new Map<string, number>();
  private used = 0;
  private startState = -1;
  private clears = 0;
  private statesAtClear = 0;

  /** A DFA for `prog`, or undefined when its alphabet alone would not fit the cache. */
  static create(prog: Program): LazyDfa | undefined {
    // Newlines and word characters get classes of their own, so a class fixes the context for assertions.
    const alphabet = Alphabet.create([...prog.sets, [0x0a, 0x0a], WORD_CHARS], DFA_BUDGET / 16);
    return alphabet === undefined ? undefined : new LazyDfa(prog, alphabet);
  }

  private constructor(prog: Program, alphabet: Alphabet) {
    this.prog = prog;
    this.stepper = new NfaStepper(prog);
    this.alphabet = alphabet;
    this.classContext = Uint8Array.from(alphabet.representative, contextOf);
    // Contexts the program cannot tell apart are merged, so they do not multiply the states.
    const uses = (kind: number): boolean => (prog.asserts & (1 << kind)) !== 0;
    const line = uses(BEGIN_LINE) || uses(END_LINE);
    const word = uses(WORD_BOUNDARY) || uses(NOT_WORD_BOUNDARY);
    this.contextMask = Uint8Array.from([
      CTX_OTHER,
      uses(BEGIN_TEXT) ? CTX_EDGE : uses(BEGIN_LINE) ? CTX_NEWLINE : CTX_OTHER,
      line ? CTX_NEWLINE : CTX_OTHER,
      word ? CTX_WORD : CTX_OTHER,
    ]);
  }

  test(input: string): boolean {
    let state = this.startState;
    if (state < 0) {
      state = this.intern(Int32Array.of(this.prog.start), this.contextMask[CTX_EDGE] ?? CTX_EDGE);
      this.startState = state;
    }
    const alphabet = this.alphabet;
    const ascii = alphabet.asciiClass;
    const length = input.length;
    let row = this.rows[state] ?? NO_ROW;
    let lastClear = 0;
    for (let i = 0; i < length; ) {
      let cp = input.charCodeAt(i);
      let width = 1;
      let k: number;
      if (cp < 128) {
        k = ascii[cp] ?? 0;
      } else {
        if (cp >= 0xd800) {
          cp = codePointAt(input, i);
          width = cp > 0xffff ? 2 : 1;
        }
        k = alphabet.classOf(cp);
      }
      let to = row[k] ?? UNKNOWN;
      if (to < 0) {
        if (to === UNKNOWN) {
          const clears = this.clears;
          to = this.transition(state, k);
          if (this.clears !== clears && to >= 0) {
            // Like RE2, give up on the DFA for this input if the cache keeps filling up before it has
            // paid for itself (fewer than 10 code points read per state built).
            if (i - lastClear < 10 * this.statesAtClear) return this.finishWithNfa(to, input, i + width);
            lastClear = i;
          }
        }
        if (to === MATCHED) return true;
        if (to === DEAD) return false;
      }
      state = to;
      row = this.rows[state] ?? NO_ROW;
      i += width;
    }
    return this.matchesAtEnd(state);
  }

  private finishWithNfa(state: number, input: string, pos: number): boolean {
    this.stepper.reset(this.kernels[state] ?? []);
    return runNfa(this.stepper, input, pos, this.before[state] ?? CTX_OTHER);
  }

  private matchesAtEnd(state: number): boolean {
    let known = this.endMatch[state] ?? UNKNOWN;
    if (known === UNKNOWN) {
      this.stepper.reset(this.kernels[state] ?? []);
      known = this.stepper.close(this.before[state] ?? CTX_OTHER, CTX_EDGE) ? 1 : 0;
      this.endMatch[state] = known;
    }
    return known === 1;
  }

  /** Computes and caches the transition of `state` on class `k`: a state index, MATCHED or DEAD. */
  private transition(state: number, k: number): number {
    const stepper = this.stepper;
    const row = this.rows[state];
    const after = this.classContext[k] ?? CTX_OTHER;
    stepper.reset(this.kernels[state] ?? []);
    let to: number;
    if (stepper.close(this.before[state] ?? CTX_OTHER, after)) {
      to = MATCHED;
    } else {
      const size = stepper.advance(this.alphabet.representative[k] ?? 0);
      to =
        size === 0
          ? DEAD
          : this.intern(stepper.kernel.slice(0, size).sort(), this.contextMask[after] ?? after);
    }
    // After a cache clear `row` belongs to no live state; writing it is harmless.
    if (row !== undefined) row[k] = to;
    return to;
  }

  private intern(kernel: Int32Array, before: number): number {
    const key = `${before}:${kernel.join(",")}`;
    const found = this.index.get(key);
    if (found !== undefined) return found;
    const classes = this.alphabet.size;
    const cost = classes + kernel.length + 16;
    if (this.used + cost > DFA_BUDGET) this.clear();
    this.used += cost;
    const id = this.kernels.length;
    this.kernels.push(kernel);
    this.before.push(before);
    this.rows.push(new Int32Array(classes).fill(UNKNOWN));
    this.endMatch.push(UNKNOWN);
    this.index.set(key, id);
    return id;
  }

  private clear(): void {
    this.clears++;
    this.statesAtClear = this.kernels.length;
    this.kernels = [];
    this.before = [];
    this.rows = [];
    this.endMatch = [];
    this.index = new Map();
    this.used = 0;
    this.startState = -1;
  }
}
