/**
 * `+ - * / %` and unary minus. Numbers are JS numbers; an operation between two operands the compiler
 * knows to be int (int literals, `int()`, `size()`, … and arithmetic on them) follows CEL int rules:
 * `/` truncates, division by zero is an error, and results beyond ±(2^53 - 1) are overflow errors.
 * Any other numeric operation is double arithmetic (JSON numbers are doubles in CEL).
 */

import { type Compiled, dynamic, fold, strict1, strict2 } from "./compiled.js";
import { ExprError, fail, overloadError } from "./errors.js";
import { Duration, inTimestampRange, Timestamp } from "./time.js";
import { type StaticType, typeName } from "./values.js";

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%";

const MAX = Number.MAX_SAFE_INTEGER;
type IntMode = "int" | "uint" | "double";

const overflow = (op: string, mode: IntMode) => new ExprError("overflow", `${mode} overflow in '${op}'`);

function checked(op: string, mode: IntMode, r: number): number | ExprError {
  if (mode === "int") return r <= MAX && r >= -MAX ? r : overflow(op, mode);
  if (mode === "uint") return r <= MAX && r >= 0 ? r : overflow(op, mode);
  return r;
}

function resultType(op: ArithmeticOp, a: StaticType, b: StaticType): StaticType {
  const numeric = (t: StaticType) => t === "int" || t === "uint" || t === "double";
  if (numeric(a) && numeric(b)) return a === b ? a : "double";
  if (op === "+" && a === b && (a === "string" || a === "list" || a === "duration")) return a;
  if ((op === "+" || op === "-") && a === "timestamp" && b === "duration") return "timestamp";
  if (op === "+" && a === "duration" && b === "timestamp") return "timestamp";
  if (op === "-" && a === "timestamp" && b === "timestamp") return "duration";
  return "dyn";
}

function timestamp(op: string, ms: number): Timestamp | ExprError {
  return inTimestampRange(ms)
    ? new Timestamp(ms)
    : new ExprError("overflow", `timestamp out of range in '${op}'`);
}

function addOther(x: unknown, y: unknown): unknown {
  if (typeof x === "string" && typeof y === "string") return x + y;
  if (Array.isArray(x) && Array.isArray(y)) return [...x, ...y];
  if (x instanceof Timestamp && y instanceof Duration) return timestamp("+", x.epochMs + y.ms);
  if (x instanceof Duration && y instanceof Timestamp) return timestamp("+", y.epochMs + x.ms);
  if (x instanceof Duration && y instanceof Duration) return new Duration(x.ms + y.ms);
  return overloadError("+", typeName(x), typeName(y));
}

function subtractOther(x: unknown, y: unknown): unknown {
  if (x instanceof Timestamp && y instanceof Timestamp) return new Duration(x.epochMs - y.epochMs);
  if (x instanceof Timestamp && y instanceof Duration) return timestamp("-", x.epochMs - y.ms);
  if (x instanceof Duration && y instanceof Duration) return new Duration(x.ms - y.ms);
  return overloadError("-", typeName(x), typeName(y));
}

function operation(op: ArithmeticOp, mode: IntMode): (x: unknown, y: unknown) => unknown {
  switch (op) {
    case "+":
      if (mode === "double")
        return (x, y) => (typeof x === "number" && typeof y === "number" ? x + y : addOther(x, y));
      return (x, y) =>
        typeof x === "number" && typeof y === "number" ? checked(op, mode, x + y) : addOther(x, y);
    case "-":
      if (mode === "double") {
        return (x, y) => (typeof x === "number" && typeof y === "number" ? x - y : subtractOther(x, y));
      }
      return (x, y) =>
        typeof x === "number" && typeof y === "number" ? checked(op, mode, x - y) : subtractOther(x, y);
    case "*":
      return (x, y) =>
        typeof x === "number" && typeof y === "number"
          ? checked(op, mode, x * y)
          : overloadError(op, typeName(x), typeName(y));
    case "/":
      if (mode === "double") {
        return (x, y) =>
          typeof x === "number" && typeof y === "number"
            ? x / y
            : overloadError(op, typeName(x), typeName(y));
      }
      return (x, y) => {
        if (typeof x !== "number" || typeof y !== "number")
          return overloadError(op, typeName(x), typeName(y));
        if (y === 0) return new ExprError("division_by_zero", "division by zero");
        // x % y is exact, so this quotient is exact too (x / y rounded could be off by one).
        return checked(op, mode, (x - (x % y)) / y + 0);
      };
    case "%":
      return (x, y) => {
        if (typeof x !== "number" || typeof y !== "number")
          return overloadError(op, typeName(x), typeName(y));
        if (y === 0) return new ExprError("division_by_zero", "modulus by zero");
        return (x % y) + 0;
      };
  }
}

export function compileArithmetic(op: ArithmeticOp, a: Compiled, b: Compiled, offset: number): Compiled {
  const mode: IntMode =
    a.type === "int" && b.type === "int" ? "int" : a.type === "uint" && b.type === "uint" ? "uint" : "double";
  return strict2(operation(op, mode), a, b, resultType(op, a.type, b.type), offset);
}

export function compileNegate(a: Compiled, offset: number): Compiled {
  if (a.type === "uint") fail("unary '-' is not defined for uint values", offset);
  if (a.type === "int") {
    return strict1(
      (x) => (typeof x === "number" ? 0 - x : overloadError("-_", typeName(x))),
      a,
      "int",
      offset,
    );
  }
  const type: StaticType = a.type === "double" || a.type === "duration" ? a.type : "dyn";
  return strict1(
    (x) => {
      if (typeof x === "number") return -x;
      if (x instanceof Duration) return new Duration(0 - x.ms);
      return overloadError("-_", typeName(x));
    },
    a,
    type,
    offset,
  );
}

/** `!a`: only for booleans. */
export function compileNot(a: Compiled, offset: number): Compiled {
  const ea = a.eval;
  const node = dynamic(
    (v, e) => {
      const x = ea(v, e);
      if (x === true) return false;
      if (x === false) return true;
      return x instanceof ExprError ? x : overloadError("!_", typeName(x));
    },
    "bool",
    offset,
  );
  return fold(node, [a]);
}
