/**
 * Logic, equality, ordering and membership, specialised at compile time: comparing with a literal
 * captures the literal, `x in [constant list]` becomes a Set lookup. `&&` and `||` are commutative
 * with error absorption, as in CEL: `false && err` and `err && false` are both false.
 */

import { type Compiled, constant, dynamic, fold } from "./compiled.js";
import { ExprError, overloadError } from "./errors.js";
import { keyString } from "./map-keys.js";
import { celCompare, celEquals, type Eval, hasOwn, isMap, typeName } from "./values.js";

export type RelationOp = "<" | "<=" | ">" | ">=";

function logicalError(op: string, bad: unknown): ExprError {
  return bad instanceof ExprError ? bad : overloadError(op, typeName(bad));
}

/** `a && b && …` (absorbing = false) or `a || b || …` (absorbing = true). */
export function compileLogical(op: "&&" | "||", args: readonly Compiled[], offset: number): Compiled {
  const absorbing = op === "||";
  if (args.some((a) => a.isConst && a.value === absorbing)) return constant(absorbing, "bool", offset);
  // A constant identity operand (true in &&, false in ||) does not change the result.
  const live = args.filter((a) => !(a.isConst && a.value === !absorbing)).map((a) => a.eval);
  const [a, b] = live;
  if (a === undefined) return constant(!absorbing, "bool", offset);
  let evaluate: Eval;
  if (b === undefined) {
    evaluate = (v, e) => {
      const x = a(v, e);
      return x === true || x === false ? x : logicalError(op, x);
    };
  } else if (live.length === 2) {
    evaluate = (v, e) => {
      const x = a(v, e);
      if (x === absorbing) return absorbing;
      const y = b(v, e);
      if (y === absorbing) return absorbing;
      if (x === !absorbing && y === !absorbing) return !absorbing;
      return logicalError(op, x === !absorbing ? y : x);
    };
  } else {
    evaluate = (v, e) => {
      let bad: unknown;
      let clean = true;
      for (let i = 0; i < live.length; i++) {
        const f = live[i];
        const x = f === undefined ? !absorbing : f(v, e);
        if (x === absorbing) return absorbing;
        if (x !== !absorbing && clean) {
          bad = x;
          clean = false;
        }
      }
      return clean ? !absorbing : logicalError(op, bad);
    };
  }
  return fold(dynamic(evaluate, "bool", offset), args);
}

/** `c ? a : b`; an error in `c` is the result. */
export function compileConditional(c: Compiled, a: Compiled, b: Compiled, offset: number): Compiled {
  if (c.isConst && (c.value === true || c.value === false)) return c.value ? a : b;
  const [ec, ea, eb] = [c.eval, a.eval, b.eval];
  const node = dynamic(
    (v, e) => {
      const x = ec(v, e);
      if (x === true) return ea(v, e);
      if (x === false) return eb(v, e);
      return logicalError("_?_:_", x);
    },
    a.type === b.type ? a.type : "dyn",
    offset,
  );
  return fold(node, [c, a, b]);
}

const isPrimitive = (v: unknown): v is string | number | boolean | null =>
  v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** `a == b` / `a != b`: deep, heterogeneous, never a type error. */
export function compileEquality(op: "==" | "!=", a: Compiled, b: Compiled, offset: number): Compiled {
  const equal = op === "==";
  let evaluate: Eval;
  const literal = b.isConst && isPrimitive(b.value) ? b : a.isConst && isPrimitive(a.value) ? a : undefined;
  if (literal !== undefined && !(a.isConst && b.isConst)) {
    const operand = (literal === b ? a : b).eval;
    const c = literal.value;
    if (Number.isNaN(c)) {
      evaluate = (v, e) => {
        const x = operand(v, e);
        return x instanceof ExprError ? x : !equal;
      };
    } else if (equal) {
      evaluate = (v, e) => {
        const x = operand(v, e);
        return x === c ? true : x instanceof ExprError ? x : false;
      };
    } else {
      evaluate = (v, e) => {
        const x = operand(v, e);
        return x === c ? false : x instanceof ExprError ? x : true;
      };
    }
  } else {
    const [ea, eb] = [a.eval, b.eval];
    evaluate = (v, e) => {
      const x = ea(v, e);
      if (x instanceof ExprError) return x;
      const y = eb(v, e);
      if (y instanceof ExprError) return y;
      return (x === y || celEquals(x, y)) === equal;
    };
  }
  return fold(dynamic(evaluate, "bool", offset), [a, b]);
}

function orderError(op: string, x: unknown, y: unknown): ExprError {
  if (x instanceof ExprError) return x;
  if (y instanceof ExprError) return y;
  return overloadError(op, typeName(x), typeName(y));
}

function relationTest(op: RelationOp): (c: number) => boolean {
  switch (op) {
    case "<":
      return (c) => c < 0;
    case "<=":
      return (c) => c <= 0;
    case ">":
      return (c) => c > 0;
    case ">=":
      return (c) => c >= 0;
  }
}

function compareSlow(op: RelationOp, test: (c: number) => boolean, x: unknown, y: unknown): unknown {
  if (x instanceof ExprError || y instanceof ExprError) return orderError(op, x, y);
  const c = celCompare(x, y);
  return c === undefined ? orderError(op, x, y) : test(c);
}

/** `x < number literal` and friends: one typeof test, one comparison. */
function compareWithNumber(op: RelationOp, operand: Eval, n: number): Eval {
  const test = relationTest(op);
  const slow = (x: unknown) => compareSlow(op, test, x, n);
  switch (op) {
    case "<":
      return (v, e) => {
        const x = operand(v, e);
        return typeof x === "number" ? x < n : slow(x);
      };
    case "<=":
      return (v, e) => {
        const x = operand(v, e);
        return typeof x === "number" ? x <= n : slow(x);
      };
    case ">":
      return (v, e) => {
        const x = operand(v, e);
        return typeof x === "number" ? x > n : slow(x);
      };
    case ">=":
      return (v, e) => {
        const x = operand(v, e);
        return typeof x === "number" ? x >= n : slow(x);
      };
  }
}

const FLIP: Readonly<Record<RelationOp, RelationOp>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

export function compileRelation(op: RelationOp, a: Compiled, b: Compiled, offset: number): Compiled {
  let evaluate: Eval;
  if (b.isConst && typeof b.value === "number" && !a.isConst) {
    evaluate = compareWithNumber(op, a.eval, b.value);
  } else if (a.isConst && typeof a.value === "number" && !b.isConst) {
    evaluate = compareWithNumber(FLIP[op], b.eval, a.value);
  } else {
    const [ea, eb] = [a.eval, b.eval];
    const test = relationTest(op);
    evaluate = (v, e) => {
      const x = ea(v, e);
      if (x instanceof ExprError) return x;
      const y = eb(v, e);
      if (typeof x === "number" && typeof y === "number")
        return test(x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN);
      return compareSlow(op, test, x, y);
    };
  }
  return fold(dynamic(evaluate, "bool", offset), [a, b]);
}

export function membership(x: unknown, container: unknown): unknown {
  if (x instanceof ExprError) return x;
  if (container instanceof ExprError) return container;
  if (Array.isArray(container)) {
    for (const item of container) if (item === x || celEquals(item, x)) return true;
    return false;
  }
  if (isMap(container)) {
    const key = keyString(x);
    return key !== undefined && hasOwn(container, key) && container[key] !== undefined;
  }
  return overloadError("@in", typeName(x), typeName(container));
}

/** Up to this many constants, comparing one by one beats hashing into a Set. */
const LINEAR_SCAN_MAX = 8;

function scanMembership(node: Compiled, items: readonly unknown[]): Eval {
  const n = items.length;
  const operand = node.eval;
  if (n <= 3) {
    // Unrolled: the common `country in ["US", "VN", "JP"]` is three pointer comparisons. Missing
    // places hold a symbol, which no value equals.
    const none = Symbol("none");
    const [a = none, b = none, c = none] = items;
    return (v, e) => {
      const x = operand(v, e);
      if (x === a || x === b || x === c) return true;
      return x instanceof ExprError ? x : false;
    };
  }
  return (v, e) => {
    const x = operand(v, e);
    for (let i = 0; i < n; i++) if (items[i] === x) return true;
    return x instanceof ExprError ? x : false;
  };
}

function setMembership(operand: Eval, set: ReadonlySet<unknown>): Eval {
  return (v, e) => {
    const x = operand(v, e);
    if (set.has(x)) return true;
    return x instanceof ExprError ? x : false;
  };
}

/** `key in {constant map}`: keys are stored as strings, so an int or bool operand is looked up as one. */
function keyMembership(operand: Eval, keys: ReadonlySet<string>): Eval {
  return (v, e) => {
    const x = operand(v, e);
    if (typeof x === "string") return keys.has(x);
    if (x instanceof ExprError) return x;
    const key = keyString(x);
    return key !== undefined && keys.has(key);
  };
}

/** `x in list` / `key in map`; a constant list of scalars (or a constant map) becomes a Set lookup. */
export function compileIn(a: Compiled, b: Compiled, offset: number): Compiled {
  const ea = a.eval;
  let evaluate: Eval;
  const c = b.value;
  const scalars =
    b.isConst && Array.isArray(c) && c.every((item) => isPrimitive(item) && !Number.isNaN(item));
  if (scalars && Array.isArray(c)) {
    const items: readonly unknown[] = [...new Set(c)];
    evaluate = items.length <= LINEAR_SCAN_MAX ? scanMembership(a, items) : setMembership(ea, new Set(items));
  } else if (b.isConst && isMap(c)) {
    evaluate = keyMembership(ea, new Set(Object.keys(c)));
  } else {
    const eb = b.eval;
    evaluate = (v, e) => {
      const x = ea(v, e);
      return x instanceof ExprError ? x : membership(x, eb(v, e));
    };
  }
  return fold(dynamic(evaluate, "bool", offset), [a, b]);
}
