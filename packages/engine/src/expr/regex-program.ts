/**
 * Compiles a regex syntax tree into a Thompson NFA: a program of numbered instructions (states) whose
 * size is linear in the pattern after counted repetitions are expanded, and capped.
 */

import type { CodePointSet } from "./regex-charset.js";
import { BEGIN_TEXT, type RegexNode } from "./regex-syntax.js";

export const OP_MATCH = 0;
/** Consume one code point in `sets[arg]`, then go to `next`. */
export const OP_CHAR = 1;
/** Go to both `next` and `arg`. */
export const OP_SPLIT = 2;
/** Go to `next` if the zero-width assertion `arg` (an AssertKind) holds here. */
export const OP_ASSERT = 3;

export interface Program {
  readonly ops: Uint8Array;
  readonly next: Int32Array;
  readonly arg: Int32Array;
  readonly sets: readonly CodePointSet[];
  readonly start: number;
  /** Every match must begin at the start of the text (so the search need not restart at each position). */
  readonly anchored: boolean;
  /** Bit `1 << kind` is set for each AssertKind the program uses. */
  readonly asserts: number;
}

class ProgramTooLarge extends Error {}

/** Compiles `root`, or returns undefined if the program would exceed `maxSize` instructions. */
export function compileProgram(root: RegexNode, maxSize: number): Program | undefined {
  const builder = new Builder(maxSize);
  let start: number;
  try {
    start = builder.compile(root, builder.emit(OP_MATCH, -1, 0));
  } catch (error) {
    if (error instanceof ProgramTooLarge) return undefined;
    throw error;
  }
  return {
    ops: Uint8Array.from(builder.ops),
    next: Int32Array.from(builder.next),
    arg: Int32Array.from(builder.arg),
    sets: builder.sets,
    start,
    anchored: isAnchored(root),
    asserts: builder.asserts,
  };
}

/** Whether every match of `node` must start with `\A` (conservative: false when unsure). */
function isAnchored(node: RegexNode): boolean {
  switch (node.type) {
    case "assert":
      return node.kind === BEGIN_TEXT;
    case "concat":
      return node.items[0] !== undefined && isAnchored(node.items[0]);
    case "alt":
      return node.items.every(isAnchored);
    case "repeat":
      return node.min > 0 && isAnchored(node.item);
    default:
      return false;
  }
}

/** Emits instructions back to front: each node is compiled knowing where to continue afterwards. */
class Builder {
  readonly ops: number[] = [];
  readonly next: number[] = [];
  readonly arg: number[] = [];
  readonly sets: CodePointSet[] = [];
  asserts = 0;
  private readonly setIndex = new Map<string, number>();
  private readonly maxSize: number;

  constructor(maxSize: number) {
    this.maxSize = maxSize;
  }

  emit(op: number, next: number, arg: number): number {
    if (this.ops.length >= this.maxSize) throw new ProgramTooLarge();
    this.ops.push(op);
    this.next.push(next);
    this.arg.push(arg);
    return this.ops.length - 1;
  }

  /** Returns the entry instruction of `node`, which continues at `next` once `node` has matched. */
  compile(node: RegexNode, next: number): number {
    switch (node.type) {
      case "empty":
        return next;
      case "set":
        return this.emit(OP_CHAR, next, this.internSet(node.set));
      case "assert":
        this.asserts |= 1 << node.kind;
        return this.emit(OP_ASSERT, next, node.kind);
      case "concat": {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--) {
          const item = node.items[i];
          if (item !== undefined) entry = this.compile(item, entry);
        }
        return entry;
      }
      case "alt": {
        let entry = -1;
        for (let i = node.items.length - 1; i >= 0; i--) {
          const item = node.items[i];
          if (item === undefined) continue;
          const branch = this.compile(item, next);
          entry = entry < 0 ? branch : this.emit(OP_SPLIT, branch, entry);
        }
        return entry;
      }
      case "repeat":
        return this.compileRepeat(node.item, node.min, node.max, next);
    }
  }

  /** x{n,m} becomes n copies of x, then m−n nested optional copies: x{2,4} = xx(x(x)?)?. */
  private compileRepeat(item: RegexNode, min: number, max: number, next: number): number {
    let entry = next;
    let copies = min;
    if (max < 0) {
      // x* is a loop; x{n,} is n−1 copies followed by x+, whose entry is the body itself.
      const loop = this.emit(OP_SPLIT, -1, next);
      const body = this.compile(item, loop);
      this.next[loop] = body;
      entry = min > 0 ? body : loop;
      copies = Math.max(min - 1, 0);
    } else {
      for (let i = min; i < max; i++) entry = this.emit(OP_SPLIT, this.compile(item, entry), next);
    }
    for (let i = 0; i < copies; i++) entry = this.compile(item, entry);
    return entry;
  }

  private internSet(set: CodePointSet): number {
    const key = set.join(",");
    let index = this.setIndex.get(key);
    if (index === undefined) {
      index = this.sets.length;
      this.sets.push(set);
      this.setIndex.set(key, index);
    }
    return index;
  }
}
