/**
 * Map keys of type int, uint and bool on maps that are JS objects: a key is stored under its string
 * form (`1` as "1", `true` as "true"), and a map literal holding such keys remembers them, in order,
 * so that comprehensions over its keys see the values that were written.
 */

import type { CelMap } from "./values.js";

/** The string a key is stored under, or undefined for a value that cannot be a key (double, null, …). */
export function keyString(key: unknown): string | undefined {
  switch (typeof key) {
    case "string":
      return key;
    case "boolean":
      return key ? "true" : "false";
    case "number":
      // One number type: an integral number is an int or uint key; anything else is a double.
      return Number.isSafeInteger(key) ? String(key) : undefined;
    default:
      return undefined;
  }
}

/** Keys as written, for maps built by literals with a key that is not a string. */
const writtenKeys = new WeakMap<object, readonly unknown[]>();

/** Records the keys of a map literal (in source order) when any of them is not a string. */
export function rememberKeys(map: object, keys: readonly unknown[]): void {
  if (keys.some((k) => typeof k !== "string")) writtenKeys.set(map, Object.freeze([...keys]));
}

/** A map's keys as CEL sees them: as written for a literal, else the object's own (string) keys. */
export function mapKeys(map: CelMap): readonly unknown[] {
  return writtenKeys.get(map) ?? Object.keys(map);
}
