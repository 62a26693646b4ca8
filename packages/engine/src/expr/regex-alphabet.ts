/**
 * The DFA's alphabet: code points partitioned into classes that no set of the program tells apart
 * (for `^[a-z]+@x\.com$`: the letters of "xcom", "@", ".", other lowercase letters, everything else),
 * so transition rows are short and shared by many code points.
 */

import { type CodePointSet, MAX_CODE_POINT } from "./regex-charset.js";

/** Work allowed for finding which intervals share a class before settling for one class per interval. */
const MERGE_WORK = 1 << 20;

export class Alphabet {
  /** Number of classes. */
  readonly size: number;
  /** Interval j holds code points from bounds[j − 1] (or 0) up to, not including, bounds[j]. */
  private readonly bounds: Int32Array;
  private readonly intervalClass: Uint16Array;
  /** classOf for ASCII, as a table. */
  readonly asciiClass: Uint16Array;
  /** One code point of each class, to compute transitions with. */
  readonly representative: Int32Array;

  /** Classes for `sets`, or undefined if there would be more than `maxClasses`. */
  static create(sets: readonly CodePointSet[], maxClasses: number): Alphabet | undefined {
    const points = new Set<number>();
    for (const set of sets) {
      for (let i = 0; i + 1 < set.length; i += 2) {
        points.add(set[i] ?? 0);
        points.add((set[i + 1] ?? 0) + 1);
      }
    }
    points.delete(0);
    points.delete(MAX_CODE_POINT + 1);
    if (points.size >= maxClasses) return undefined;
    const bounds = Int32Array.from(points).sort();
    return new Alphabet(bounds, classifyIntervals(sets, bounds));
  }

  private constructor(bounds: Int32Array, intervalClass: Uint16Array) {
    this.bounds = bounds;
    this.intervalClass = intervalClass;
    let size = 0;
    for (const k of intervalClass) size = Math.max(size, k + 1);
    this.size = size;
    this.representative = new Int32Array(size).fill(-1);
    for (let j = intervalClass.length - 1; j >= 0; j--) {
      this.representative[intervalClass[j] ?? 0] = j === 0 ? 0 : (bounds[j - 1] ?? 0);
    }
    this.asciiClass = new Uint16Array(128);
    for (let cp = 0; cp < 128; cp++) this.asciiClass[cp] = intervalClass[intervalOf(bounds, cp)] ?? 0;
  }

  classOf(cp: number): number {
    if (cp < 128) return this.asciiClass[cp] ?? 0;
    return this.intervalClass[intervalOf(this.bounds, cp)] ?? 0;
  }
}

function intervalOf(bounds: Int32Array, cp: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((bounds[mid] ?? 0) <= cp) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Gives intervals covered by exactly the same sets the same class. */
function classifyIntervals(sets: readonly CodePointSet[], bounds: Int32Array): Uint16Array {
  const count = bounds.length + 1;
  const signature: string[] = new Array<string>(count).fill("");
  let work = 0;
  for (let s = 0; s < sets.length && work <= MERGE_WORK; s++) {
    const set = sets[s] ?? [];
    for (let i = 0; i + 1 < set.length; i += 2) {
      const hi = set[i + 1] ?? 0;
      for (
        let j = intervalOf(bounds, set[i] ?? 0);
        j < count && (j === 0 || (bounds[j - 1] ?? 0) <= hi);
        j++
      ) {
        signature[j] += `${s},`;
        work++;
      }
    }
  }
  const classes = new Uint16Array(count);
  if (work > MERGE_WORK) {
    for (let j = 0; j < count; j++) classes[j] = j;
    return classes;
  }
  const ids = new Map<string, number>();
  for (let j = 0; j < count; j++) {
    const key = signature[j] ?? "";
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    classes[j] = id;
  }
  return classes;
}
