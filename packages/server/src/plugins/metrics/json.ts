/** Provider settings are stored in runs as JSON: this checks that a parsed document really is JSON. */

import type { JsonValue } from "@ramp/engine";
import { describeValue, type IssueList, joinPath } from "../../analysis/issues.js";

/** `value` as JSON, or undefined after reporting the first part that is not (a function, a date, a cycle). */
export function toJson(value: unknown, path: string, issues: IssueList, depth = 0): JsonValue | undefined {
  if (depth > 64) {
    issues.error(path, "nested too deeply");
    return undefined;
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const [i, item] of value.entries()) {
      const v = toJson(item, joinPath(path, i), issues, depth + 1);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  if (typeof value === "object" && isPlainRecord(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, item] of Object.entries(value)) {
      const v = toJson(item, joinPath(path, k), issues, depth + 1);
      if (v === undefined) return undefined;
      out[k] = v;
    }
    return out;
  }
  issues.error(path, `expected JSON data, got ${describeValue(value)}`);
  return undefined;
}

function isPlainRecord(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An object's entries as JSON, or undefined after reporting what is not JSON. */
export function toJsonObject(
  value: Record<string, unknown>,
  path: string,
  issues: IssueList,
): { [key: string]: JsonValue } | undefined {
  const out: { [key: string]: JsonValue } = {};
  for (const [k, item] of Object.entries(value)) {
    const v = toJson(item, joinPath(path, k), issues, 1);
    if (v === undefined) return undefined;
    out[k] = v;
  }
  return out;
}
