/**
 * CEL's comprehension macros: `all`, `exists`, `exists_one`, `map`, `filter`. The iteration variable
 * lives in a slot of the program (closures are compiled once, so no scope objects are allocated while
 * evaluating). Lists iterate their elements, maps their keys (a literal's int and bool keys as written).
 */

import { type Compiled, dynamic } from "./compiled.js";
import { ExprError, overloadError } from "./errors.js";
import { mapKeys } from "./map-keys.js";
import { type Eval, isMap, typeName } from "./values.js";

export const MACROS: ReadonlyMap<string, readonly number[]> = new Map([
  ["all", [2]],
  ["exists", [2]],
  ["exists_one", [2]],
  ["map", [2, 3]],
  ["filter", [2]],
]);

function elements(macro: string, range: unknown): readonly unknown[] | ExprError {
  if (Array.isArray(range)) return range;
  if (isMap(range)) return mapKeys(range);
  if (range instanceof ExprError) return range;
  return overloadError(macro, typeName(range));
}

function notBool(macro: string, r: unknown): ExprError {
  return r instanceof ExprError ? r : overloadError(macro, typeName(r));
}

/** `all` (absorbing = false) and `exists` (absorbing = true): errors are absorbed like `&&` / `||`. */
function quantifier(
  macro: string,
  absorbing: boolean,
  range: Eval,
  slots: unknown[],
  slot: number,
  pred: Eval,
): Eval {
  return (v, e) => {
    const list = elements(macro, range(v, e));
    if (list instanceof ExprError) return list;
    let bad: unknown;
    let clean = true;
    for (let i = 0; i < list.length; i++) {
      slots[slot] = list[i];
      const r = pred(v, e);
      if (r === absorbing) return absorbing;
      if (r !== !absorbing && clean) {
        bad = r;
        clean = false;
      }
    }
    return clean ? !absorbing : notBool(macro, bad);
  };
}

function existsOne(range: Eval, slots: unknown[], slot: number, pred: Eval): Eval {
  return (v, e) => {
    const list = elements("exists_one", range(v, e));
    if (list instanceof ExprError) return list;
    let count = 0;
    for (let i = 0; i < list.length; i++) {
      slots[slot] = list[i];
      const r = pred(v, e);
      if (r === true) count++;
      else if (r !== false) return notBool("exists_one", r);
    }
    return count === 1;
  };
}

/** `map(x, t)`, `map(x, p, t)` (keep where p, then transform) and `filter(x, p)` (transform = identity). */
function collect(
  macro: string,
  range: Eval,
  slots: unknown[],
  slot: number,
  pred: Eval | undefined,
  transform: Eval | undefined,
): Eval {
  return (v, e) => {
    const list = elements(macro, range(v, e));
    if (list instanceof ExprError) return list;
    const out: unknown[] = [];
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      slots[slot] = item;
      if (pred !== undefined) {
        const keep = pred(v, e);
        if (keep === false) continue;
        if (keep !== true) return notBool(macro, keep);
      }
      if (transform === undefined) {
        out.push(item);
        continue;
      }
      const r = transform(v, e);
      if (r instanceof ExprError) return r;
      out.push(r);
    }
    return out;
  };
}

/** Builds a comprehension whose body (`args`) was compiled with the variable bound to `slots[slot]`. */
export function compileMacro(
  macro: string,
  range: Compiled,
  slots: unknown[],
  slot: number,
  args: readonly Compiled[],
  offset: number,
): Compiled {
  const [first, second] = args.map((a) => a.eval);
  const r = range.eval;
  if (first === undefined) throw new Error(`macro ${macro} compiled without a body`);
  switch (macro) {
    case "all":
      return dynamic(quantifier(macro, false, r, slots, slot, first), "bool", offset);
    case "exists":
      return dynamic(quantifier(macro, true, r, slots, slot, first), "bool", offset);
    case "exists_one":
      return dynamic(existsOne(r, slots, slot, first), "bool", offset);
    case "filter":
      return dynamic(collect(macro, r, slots, slot, first, undefined), "list", offset);
    default:
      return second === undefined
        ? dynamic(collect(macro, r, slots, slot, undefined, first), "list", offset)
        : dynamic(collect(macro, r, slots, slot, first, second), "list", offset);
  }
}
