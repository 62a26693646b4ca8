/**
 * Reading context attributes: variables, field chains (`user.address.city`), indexes and `has()`.
 * A missing variable, field or key is an ExprError (no_such_attribute), allocated once per site.
 */

import { ExprError, overloadError } from "./errors.js";
import { keyString } from "./map-keys.js";
import { Semver } from "./semver.js";
import { Duration, Timestamp } from "./time.js";
import { type Eval, hasOwn, isMap, typeName, type Vars } from "./values.js";

/**
 * Keys that a non-map object may answer for (`length` of arrays, `constructor`, `toString`, fields of
 * the language's value classes). Reading them takes the slow, own-property path; every other key can
 * be read directly, because JSON objects hold nothing else.
 */
const UNSAFE_KEYS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Array.prototype),
  ...Object.getOwnPropertyNames(new Timestamp(0)),
  ...Object.getOwnPropertyNames(new Duration(0)),
  ...Object.getOwnPropertyNames(new Semver(0, 0, 0, [], "")),
  ...Object.getOwnPropertyNames(new ExprError("internal", "")),
  "toString",
]);

/** Array indices ("0") are unsafe too: a list would answer them. */
export const isSafeKey = (key: string): boolean => !UNSAFE_KEYS.has(key) && !/^[0-9]/.test(key);

/** Where a variable lives: the activation (`vars`), or a comprehension variable's slot. */
export type Root =
  | { readonly kind: "var"; readonly name: string; readonly self: boolean }
  | { readonly kind: "slot"; readonly slots: unknown[]; readonly index: number };

export function missingAttribute(path: string): ExprError {
  return new ExprError("no_such_attribute", `no such attribute '${path}'`);
}

/** Reads a variable. A self name (e.g. `user`) absent from vars stands for the whole of vars. */
export function readRoot(root: Root): Eval {
  if (root.kind === "slot") {
    const { slots, index } = root;
    return () => slots[index];
  }
  const { name, self } = root;
  if (!isSafeKey(name)) {
    const missing = missingAttribute(name);
    return (v) => (hasOwn(v, name) && v[name] !== undefined ? v[name] : self ? v : missing);
  }
  if (self) {
    return (v) => {
      const o = v[name];
      return o === undefined ? v : o;
    };
  }
  const missing = missingAttribute(name);
  return (v) => {
    const o = v[name];
    return o === undefined ? missing : o;
  };
}

/**
 * The missing-field error for a field chain. Under a self root the attribute path leaves the root out
 * (`user.plan` reads the context's `plan`), unless vars really has its own `user`.
 */
export type MissingField = (vars: Vars) => ExprError;

export function missingField(root: Root | undefined, fields: readonly string[]): MissingField {
  if (root === undefined || root.kind === "slot") {
    const err = missingAttribute(fields.join("."));
    return () => err;
  }
  const rooted = missingAttribute([root.name, ...fields].join("."));
  if (!root.self) return () => rooted;
  const bare = missingAttribute(fields.join("."));
  const name = root.name;
  if (isSafeKey(name)) return (v) => (v[name] === undefined ? bare : rooted);
  return (v) => (hasOwn(v, name) && v[name] !== undefined ? rooted : bare);
}

/** `operand.key` where operand evaluates to a map. */
export function selectField(operand: Eval, key: string, missing: MissingField): Eval {
  if (!isSafeKey(key)) return (v, e) => selectSlow(operand(v, e), key, missing, v);
  return (v, e) => {
    const o = operand(v, e);
    if (typeof o === "object" && o !== null) {
      const r = (o as Record<string, unknown>)[key];
      if (r !== undefined) return r;
    }
    // A safe key that reads undefined is absent from any map: no own-property check needed.
    return isMap(o) ? missing(v) : selectSlow(o, key, missing, v);
  };
}

/** `name.key` read in one closure: the most common attribute shape (`user.plan`, `request.size`). */
export function selectFromVar(root: Root, key: string, missing: MissingField): Eval | undefined {
  if (root.kind !== "var" || !isSafeKey(root.name) || !isSafeKey(key)) return undefined;
  const { name, self } = root;
  const rootMissing = missingAttribute(name);
  return (v) => {
    let o: unknown = v[name];
    if (o === undefined) {
      if (!self) return rootMissing;
      o = v;
    }
    if (typeof o === "object" && o !== null) {
      const r = (o as Record<string, unknown>)[key];
      if (r !== undefined) return r;
    }
    return isMap(o) ? missing(v) : selectSlow(o, key, missing, v);
  };
}

function selectSlow(o: unknown, key: string, missing: MissingField, vars: Vars): unknown {
  if (o instanceof ExprError) return o;
  if (isMap(o)) {
    if (!hasOwn(o, key)) return missing(vars);
    const r = o[key];
    return r === undefined ? missing(vars) : r;
  }
  return new ExprError(
    "no_matching_overload",
    `cannot select field '${key}' on a value of type ${typeName(o)}`,
  );
}

/** `has(operand.key)`: whether the map has the field; an error when operand is not a map. */
export function hasField(operand: Eval, key: string): Eval {
  return (v, e) => {
    const o = operand(v, e);
    if (isMap(o)) return hasOwn(o, key) && o[key] !== undefined;
    if (o instanceof ExprError) return o;
    return new ExprError(
      "no_matching_overload",
      `has() cannot test field '${key}' on a value of type ${typeName(o)}`,
    );
  };
}

/** `container[index]` for lists (integral numeric index) and maps (string, int, uint or bool key). */
export function indexValue(container: unknown, index: unknown): unknown {
  if (container instanceof ExprError) return container;
  if (index instanceof ExprError) return index;
  if (Array.isArray(container)) {
    if (typeof index !== "number" || !Number.isInteger(index))
      return overloadError("_[_]", "list", typeName(index));
    const r: unknown = container[index];
    if (index < 0 || index >= container.length || r === undefined) {
      return new ExprError(
        "index_out_of_range",
        `index out of range: ${index} (list size ${container.length})`,
      );
    }
    return r;
  }
  if (isMap(container)) {
    const key = keyString(index);
    if (key !== undefined && hasOwn(container, key)) {
      const r = container[key];
      if (r !== undefined) return r;
    }
    return new ExprError(
      "no_such_attribute",
      `no such key: ${typeof index === "string" ? `'${index}'` : String(index)}`,
    );
  }
  return overloadError("_[_]", typeName(container), typeName(index));
}

/** `m["key"]` with a constant string key reads like a field. */
export function indexConstKey(container: Eval, key: string): Eval {
  const missing = new ExprError("no_such_attribute", `no such key: '${key}'`);
  return selectField(container, key, () => missing);
}
