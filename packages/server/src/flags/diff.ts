/** Structural diff of two JSON documents: the leaf paths whose values differ. */
import type { Json } from "../store/store.js";

export interface DiffEntry {
  readonly path: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

export function diffJson(before: Json | undefined, after: Json | undefined, path = ""): DiffEntry[] {
  if (isObject(before) && isObject(after)) {
    const out: DiffEntry[] = [];
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)]))
      out.push(...diffJson(before[k], after[k], join(path, k)));
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => diffJson(b, after[i], join(path, i)));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

export function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  return diffJson(a, b).length === 0;
}
