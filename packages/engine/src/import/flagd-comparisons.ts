/** flagd's comparisons (==, ===, !=, !==, <, <=, >, >=) and `in` as CEL conditions. */
import { and, type Cel, call, FALSE, ifThen, lit, method, NULL, not, or, rel } from "./flagd-cel.js";
import {
  type CompareOp,
  compareValues,
  DECIMAL,
  DECIMAL_RE2,
  includesValue,
  type Json,
  jsNumber,
  jsString,
  truthyJs,
} from "./flagd-jsonlogic.js";
import {
  byCases,
  type Cond,
  constant,
  type Dynamic,
  isString,
  NEVER,
  nilTest,
  type Operand,
  operand,
  type Scope,
  type Sym,
  valueCel,
} from "./flagd-operands.js";

type OrderOp = "<" | "<=" | ">" | ">=";
const FLIP: Readonly<Record<OrderOp, OrderOp>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
const isOrder = (op: string): op is OrderOp => Object.hasOwn(FLIP, op);

export function comparison(op: CompareOp, args: Json, path: string, scope: Scope): Cond | undefined {
  if (!Array.isArray(args) || args.length < 2) {
    scope.unsupported(path, `'${op}' needs two operands; flagd fails on this (ERROR)`);
    return undefined;
  }
  const operands: Operand[] = [];
  for (const [i, a] of args.entries()) {
    const x = operand(a, `${path}[${i}]`, scope);
    if (x === undefined) return undefined;
    operands.push(x);
  }
  const parts: Cond[] = [];
  for (let i = 0; i + 1 < operands.length; i++) {
    const a = operands[i];
    const b = operands[i + 1];
    if (a === undefined || b === undefined) return undefined;
    const c = compareTwo(op, a, b, path, scope);
    if (c === undefined) return undefined;
    parts.push(c);
  }
  if (parts.length === 1) return parts[0];
  const tot = and(...parts.map((p) => p.tot));
  return { pos: and(...parts.map((p) => p.pos)), tot, fls: not(tot) };
}

function compareTwo(op: CompareOp, a: Operand, b: Operand, path: string, scope: Scope): Cond | undefined {
  if (op === "!=" || op === "!==") {
    const eq = compareTwo(op === "!=" ? "==" : "===", a, b, path, scope);
    return eq === undefined ? undefined : { pos: not(eq.tot), tot: not(eq.tot), fls: eq.tot };
  }
  if (a.kind === "const" && b.kind === "const") {
    const r = compareValues(op, a.value, b.value);
    if (r === undefined)
      scope.unsupported(
        path,
        `flagd fails on '${op}' of ${JSON.stringify(a.value)} and ${JSON.stringify(b.value)} (ERROR)`,
      );
    return constant(r === true);
  }
  if (a.kind !== "const" && b.kind !== "const") return compareDynamic(op, a, b);
  if (a.kind !== "const" && b.kind === "const") return compareWithConstant(op, a, b.value, true);
  if (a.kind === "const" && b.kind !== "const") return compareWithConstant(op, b, a.value, false);
  return undefined;
}

/** `x op c` (left) or `c op x`. */
function compareWithConstant(op: CompareOp, x: Dynamic, c: Json, left: boolean): Cond {
  // With the context value on the right flagd compares as plain JavaScript (see compareValues).
  const flagd = (v: Json) => (left ? compareValues(op, v, c) : compareValues(op, c, v, true));
  const relOp: "==" | OrderOp = isOrder(op) ? (left ? op : FLIP[op]) : "==";
  if (x.kind === "number") {
    // $flagd.timestamp: always a number, so only the constant's coercion matters.
    const n = c === null ? 0 : typeof c === "object" ? Number.NaN : jsNumber(c);
    if (!Number.isFinite(n) || (op === "===" && typeof c !== "number")) return NEVER;
    const e = rel(x.value, relOp, lit(n));
    return { pos: e, tot: e, fls: not(e) };
  }
  const sym = compareSym(op, relOp, valueCel(x), c, !left);
  return sym === undefined ? NEVER : byCases(x, flagd, sym);
}

/**
 * `value relOp c` for numbers and strings, with flagd's coercions; undefined when flagd always
 * throws. `plain`: JavaScript's rules, where a non-numeric string is unequal and unordered to a
 * number instead of an error.
 */
function compareSym(op: CompareOp, relOp: "==" | OrderOp, v: Cel, c: Json, plain: boolean): Sym | undefined {
  if (typeof c === "object" && c !== null) return undefined;
  const test = (x: number | string, y: number | string) =>
    compareValues(relOp === "==" ? "===" : relOp, x, y) === true;
  if (op === "===") {
    const e = rel(v, "==", lit(c));
    return { pos: e, tot: e, on: (x) => x === c };
  }
  if (op === "==" && typeof c === "string") {
    const n = jsNumber(c);
    const numeric = Number.isFinite(n);
    const e = numeric ? or(rel(v, "==", lit(c)), rel(v, "==", lit(n))) : rel(v, "==", lit(c));
    return { pos: e, tot: e, on: (x) => x === c || (numeric && x === n) };
  }
  if (op === "==" && c === null) {
    // null == x: JavaScript says only null; json-logic-engine's check also lets 0 through.
    const e = plain ? FALSE : rel(v, "==", lit(0));
    return { pos: e, tot: e, on: (x) => !plain && x === 0 };
  }
  if (typeof c === "string") {
    const n = jsNumber(c);
    const asString = rel(v, relOp, lit(c));
    const asNumber = Number.isFinite(n) ? rel(v, relOp, lit(n)) : FALSE;
    return {
      pos: or(asString, asNumber),
      tot: ifThen(isString(v), asString, asNumber),
      on: (x) =>
        typeof x === "string"
          ? test(x, c)
          : typeof x !== "number"
            ? undefined
            : Number.isFinite(n)
              ? test(x, n)
              : plain
                ? false
                : undefined,
    };
  }
  // A number, boolean or null against numbers and numeric strings: flagd compares numerically.
  const n = c === null ? 0 : jsNumber(c);
  const e = rel(call("asFloat", v), relOp, lit(n));
  const numeric = (x: Json) =>
    typeof x === "number" ? x : typeof x === "string" && DECIMAL.test(x) ? Number(x) : undefined;
  // Strings that are not numbers compare false without an error in plain JavaScript, and against null.
  const lenient = plain || c === null;
  const on = (x: Json) => {
    const m = numeric(x);
    return m !== undefined ? test(m, n) : lenient && typeof x === "string" ? false : undefined;
  };
  if (!lenient) return { pos: e, tot: e, on };
  // Other strings are simply not equal or ordered here, so the total form must say false for them.
  const guarded = ifThen(isString(v), and(method(v, "matches", lit(DECIMAL_RE2)), e), e);
  return { pos: guarded, tot: guarded, on };
}

/**
 * Two context values (flagd: plain JavaScript). Equality is CEL's (no string↔number coercion) with
 * missing as null; orderings read missing or null as 0, as JavaScript does for numbers.
 */
function compareDynamic(op: CompareOp, a: Dynamic, b: Dynamic): Cond {
  if (a.kind === "number" && b.kind === "attr") return compareWithNumber(op, b, a.value, false);
  if (a.kind === "attr" && b.kind === "number") return compareWithNumber(op, a, b.value, true);
  const read = (x: Dynamic, missing: Json) =>
    x.kind === "attr" && x.nullable ? call("default", x.safe, lit(missing)) : x.value;
  if (op === "==" || op === "===") {
    const e = rel(read(a, null), "==", read(b, null));
    return { pos: e, tot: e, fls: not(e) };
  }
  const e = rel(read(a, 0), isOrder(op) ? op : "==", read(b, 0));
  return { pos: e, tot: e, fls: not(e) };
}

/**
 * An attribute against a number known only when evaluating ($flagd.timestamp), with JavaScript's
 * coercions: missing, false and "" count as 0, true as 1, numeric strings as their number.
 */
function compareWithNumber(
  op: CompareOp,
  x: Extract<Dynamic, { kind: "attr" }>,
  n: Cel,
  attrLeft: boolean,
): Cond {
  const v = x.value;
  if (op === "===") {
    const e = rel(x.nullable ? call("default", x.safe, NULL) : v, "==", n);
    return { pos: e, tot: e, fls: not(e) };
  }
  const relOp: "==" | OrderOp = isOrder(op) ? (attrLeft ? op : FLIP[op]) : "==";
  const vs = (k: Cel) => rel(k, relOp, n);
  const asNumber = ifThen(
    isString(v),
    and(method(v, "matches", lit(DECIMAL_RE2)), vs(call("asFloat", v))),
    vs(v),
  );
  let tot = ifThen(rel(v, "==", lit("")), vs(lit(0)), asNumber);
  tot = ifThen(rel(v, "==", FALSE), vs(lit(0)), tot);
  tot = ifThen(rel(v, "==", lit(true)), vs(lit(1)), tot);
  // JavaScript: null == n is false, but null < n compares 0 < n.
  tot = ifThen(nilTest(x), relOp === "==" ? FALSE : vs(lit(0)), tot);
  return { pos: tot, tot, fls: not(tot) };
}

export function membership(args: Json, path: string, scope: Scope): Cond | undefined {
  if (!Array.isArray(args) || args.length !== 2) {
    scope.unsupported(path, "'in' needs two operands");
    return undefined;
  }
  const x = operand(args[0] ?? null, `${path}[0]`, scope);
  const y = operand(args[1] ?? null, `${path}[1]`, scope);
  if (x === undefined || y === undefined) return undefined;
  if (x.kind === "const" && y.kind === "const") {
    const r = includesValue(x.value, y.value);
    if (r === undefined)
      scope.unsupported(path, `flagd fails on 'in' with ${JSON.stringify(y.value)} (ERROR)`);
    return constant(r === true);
  }
  if (x.kind !== "const" && y.kind === "const") {
    const item = x;
    const container = y.value;
    if (!truthyJs(container)) return constant(false);
    const flagd = (v: Json) => includesValue(v, container);
    if (typeof container === "string") {
      const e = method(lit(container), "contains", call("string", valueCel(item)));
      const sym = {
        pos: e,
        tot: e,
        on: (v: Json) => (v === null || typeof v === "object" ? undefined : container.includes(String(v))),
      };
      return byCases(item, flagd, sym);
    }
    const scalars = Array.isArray(container)
      ? container.filter((v) => typeof v !== "object" || v === null)
      : [];
    if (scalars.length === 0) return constant(false);
    const e = rel(valueCel(item), "in", lit(scalars));
    return byCases(item, flagd, { pos: e, tot: e, on: (v) => scalars.includes(v) });
  }
  if (x.kind === "const" && y.kind !== "const") {
    const c = x.value;
    if (typeof c === "object" && c !== null) return constant(false);
    const v = valueCel(y);
    const inString = method(v, "contains", lit(jsString(c)));
    const inList = rel(lit(c), "in", v);
    const sym: Sym = {
      pos: or(inString, inList),
      tot: ifThen(isString(v), inString, inList),
      on: (s) => (typeof s === "string" ? s.includes(jsString(c)) : undefined),
    };
    return byCases(y, (s) => includesValue(c, s), sym);
  }
  if (x.kind === "const" || y.kind === "const") return undefined;
  // (y || []).includes(x): a falsy y holds nothing; a string holds String(x), so a missing x is "null".
  const vx = valueCel(x);
  const vy = valueCel(y);
  const orNull = (o: Dynamic) => (o.kind === "attr" && o.nullable ? call("default", o.safe, NULL) : o.value);
  const text = ifThen(nilTest(x), lit("null"), call("string", vx));
  const holds = ifThen(isString(vy), method(vy, "contains", text), rel(orNull(x), "in", vy));
  const tot = and(not(rel(orNull(y), "in", lit([null, false, 0, ""]))), holds);
  // Either test alone may err on the other kind of container; || lets the one that holds decide.
  const pos = or(and(rel(vy, "!=", lit("")), method(vy, "contains", text)), rel(orNull(x), "in", vy));
  return { pos, tot, fls: not(tot) };
}
