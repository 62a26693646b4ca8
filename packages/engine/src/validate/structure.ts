/**
 * Checks a value against a schema of the schema DSL and reports every mismatch with its path,
 * what was expected and, for unknown fields, the nearest known one.
 */
import type { Schema } from "../schema/dsl.js";
import type { Issue } from "../types.js";
import { nearest } from "./suggest.js";

/** Unknown-field issues: reported, but harmless to the meaning checks that follow. */
export const UNKNOWN_FIELD = new WeakSet<Issue>();

export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const safe = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? key : JSON.stringify(key);
  return path === "" ? safe : `${path}.${safe}`;
}

/** The inverse of joinPath: flags."a.b".rules[2].if → ["flags", "a.b", "rules", 2, "if"]. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\.?(?:"((?:[^"\\]|\\.)*)"|([^.[\]"]+))|\[(\d+)\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(JSON.parse(`"${m[1]}"`) as string);
    else if (m[2] !== undefined) out.push(m[2]);
    else if (m[3] !== undefined) out.push(Number(m[3]));
  }
  return out;
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function expectedOf(s: Schema): string {
  switch (s.kind) {
    case "string":
      return s.patternHint ?? "a string";
    case "number":
      return s.minimum !== undefined && s.maximum !== undefined
        ? `a number from ${s.minimum} to ${s.maximum}`
        : "a number";
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${s.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "json":
      return "any JSON value";
    case "array":
      return "a list";
    case "record":
    case "object":
      return "an object";
    case "union":
      return s.expected;
  }
}

/** Appends to `issues` every way `value` fails `schema`; returns whether it passed. */
export function checkStructure(schema: Schema, value: unknown, path: string, issues: Issue[]): boolean {
  const fail = (message: string, extra: Partial<Issue> = {}): false => {
    issues.push({ path, message, expected: expectedOf(schema), severity: "error", ...extra });
    return false;
  };
  switch (schema.kind) {
    case "string": {
      if (typeof value !== "string")
        return fail(`expected ${expectedOf(schema)}, got ${describeValue(value)}`);
      if (schema.minLength !== undefined && value.length < schema.minLength) return fail("must not be empty");
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        return fail(`is longer than ${schema.maxLength} characters`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
        return fail(`${describeValue(value)} is not ${expectedOf(schema)}`);
      return true;
    }
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value))
        return fail(`expected ${expectedOf(schema)}, got ${describeValue(value)}`);
      if (
        (schema.minimum !== undefined && value < schema.minimum) ||
        (schema.maximum !== undefined && value > schema.maximum)
      )
        return fail(`${value} is out of range; expected ${expectedOf(schema)}`);
      return true;
    }
    case "boolean":
      return typeof value === "boolean" || fail(`expected true or false, got ${describeValue(value)}`);
    case "enum": {
      if ((schema.values as readonly unknown[]).includes(value)) return true;
      const suggestion =
        typeof value === "string"
          ? nearest(
              value,
              schema.values.filter((v): v is string => typeof v === "string"),
            )
          : undefined;
      return fail(
        `${describeValue(value)} is not ${expectedOf(schema)}`,
        suggestion ? { suggestion: `did you mean '${suggestion}'?` } : {},
      );
    }
    case "json":
      return true;
    case "array": {
      if (!Array.isArray(value)) return fail(`expected a list, got ${describeValue(value)}`);
      let ok = true;
      if (schema.minItems !== undefined && value.length < schema.minItems)
        ok = fail(`needs at least ${schema.minItems} item(s)`);
      value.forEach((item, i) => {
        ok = checkStructure(schema.items, item, joinPath(path, i), issues) && ok;
      });
      return ok;
    }
    case "record": {
      if (!isPlainObject(value)) return fail(`expected an object, got ${describeValue(value)}`);
      let ok = true;
      const keyRe = schema.keyPattern !== undefined ? new RegExp(schema.keyPattern) : undefined;
      for (const [k, v] of Object.entries(value)) {
        if (keyRe && !keyRe.test(k)) {
          issues.push({
            path: joinPath(path, k),
            message: `${JSON.stringify(k)} is not a valid ${schema.keyHint ?? "name"}`,
            expected: "letters, digits, '_', '.', ':' or '-', starting with a letter or digit",
            severity: "error",
          });
          ok = false;
        }
        ok = checkStructure(schema.values, v, joinPath(path, k), issues) && ok;
      }
      return ok;
    }
    case "object": {
      if (!isPlainObject(value)) return fail(`expected an object, got ${describeValue(value)}`);
      let ok = true;
      const known = Object.keys(schema.props);
      for (const [k, v] of Object.entries(value)) {
        const prop = schema.props[k];
        if (prop === undefined) {
          const guess = nearest(k, known);
          const issue: Issue = {
            path: joinPath(path, k),
            message: `unknown field '${k}'`,
            expected: `one of ${known.join(", ")}`,
            ...(guess !== undefined && { suggestion: `did you mean '${guess}'?` }),
            severity: "error",
          };
          UNKNOWN_FIELD.add(issue);
          issues.push(issue);
          ok = false;
          continue;
        }
        ok = checkStructure(prop, v, joinPath(path, k), issues) && ok;
      }
      for (const r of schema.required) {
        const key = String(r);
        if (!(key in value)) {
          issues.push({
            path: joinPath(path, key),
            message: `missing required field '${key}'`,
            severity: "error",
          });
          ok = false;
        }
      }
      return ok;
    }
    case "union": {
      // Report the option whose own errors are fewest and deepest: usually what the author meant.
      let best: Issue[] | undefined;
      let bestScore = Number.POSITIVE_INFINITY;
      for (const option of schema.options) {
        const attempt: Issue[] = [];
        if (checkStructure(option, value, path, attempt)) return true;
        const s = score(attempt, option, value);
        if (s < bestScore) {
          best = attempt;
          bestScore = s;
        }
      }
      if (best?.some((i) => i.path !== path)) {
        issues.push(...best);
        return false;
      }
      return fail(`expected ${schema.expected}, got ${describeValue(value)}`);
    }
  }
}

function score(attempt: Issue[], option: Schema, value: unknown): number {
  // An option of the value's own shape (object for object…) is the better explanation, and among
  // objects the one whose fields the value actually uses: unknown or missing fields mean "wrong form".
  const wrongForm = attempt.filter(
    (i) => UNKNOWN_FIELD.has(i) || i.message.startsWith("missing required field"),
  ).length;
  const sameShape =
    (option.kind === "object" && isPlainObject(value)) ||
    (option.kind === "array" && Array.isArray(value)) ||
    (option.kind === "string" && typeof value === "string");
  return attempt.length + 10 * wrongForm + (sameShape ? 0 : 100);
}
