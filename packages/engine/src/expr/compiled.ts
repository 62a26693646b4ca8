/**
 * The compiler's unit of output: a closure plus what is known about it at compile time (static type,
 * constant value). Helpers here build strict calls, which return the first error among their arguments.
 */

import { ExprError } from "./errors.js";
import { deepFreeze, type Eval, type EvalEnv, type StaticType, type Vars } from "./values.js";

export interface Compiled {
  readonly eval: Eval;
  readonly type: StaticType;
  /** True when the value is known at compile time; `value` then holds it. */
  readonly isConst: boolean;
  readonly value: unknown;
  /** Source offset of the expression, for diagnostics about it. */
  readonly offset: number;
}

export function constant(value: unknown, type: StaticType, offset: number): Compiled {
  const frozen = deepFreeze(value);
  return { eval: () => frozen, type, isConst: true, value: frozen, offset };
}

export function dynamic(evaluate: Eval, type: StaticType, offset: number): Compiled {
  return { eval: evaluate, type, isConst: false, value: undefined, offset };
}

const NO_VARS: Vars = Object.freeze({});
const NO_ENV: EvalEnv = {
  now: () => {
    throw new Error("now() must not be folded at compile time");
  },
};

/** Evaluates a node whose inputs are all constants once, at compile time. */
export function fold(node: Compiled, inputs: readonly Compiled[]): Compiled {
  if (node.isConst || !inputs.every((c) => c.isConst)) return node;
  try {
    return constant(node.eval(NO_VARS, NO_ENV), node.type, node.offset);
  } catch {
    // Left to fail at evaluation, where the program boundary turns it into an ExprError.
    return node;
  }
}

export type Fn1 = (a: unknown) => unknown;
export type Fn2 = (a: unknown, b: unknown) => unknown;
export type Fn3 = (a: unknown, b: unknown, c: unknown) => unknown;

/** `f(a)`, returning a's error if it has one; folded when `a` is constant. */
export function strict1(f: Fn1, a: Compiled, type: StaticType, offset: number): Compiled {
  const ea = a.eval;
  const node = dynamic(
    (v, e) => {
      const x = ea(v, e);
      return x instanceof ExprError ? x : f(x);
    },
    type,
    offset,
  );
  return fold(node, [a]);
}

/** `f(a, b)` with errors taken left to right; a constant `b` is bound once. */
export function strict2(f: Fn2, a: Compiled, b: Compiled, type: StaticType, offset: number): Compiled {
  const ea = a.eval;
  const eb = b.eval;
  if (b.isConst && !(b.value instanceof ExprError)) {
    const y = b.value;
    return fold(
      dynamic(
        (v, e) => {
          const x = ea(v, e);
          return x instanceof ExprError ? x : f(x, y);
        },
        type,
        offset,
      ),
      [a],
    );
  }
  const node = dynamic(
    (v, e) => {
      const x = ea(v, e);
      if (x instanceof ExprError) return x;
      const y = eb(v, e);
      return y instanceof ExprError ? y : f(x, y);
    },
    type,
    offset,
  );
  return fold(node, [a, b]);
}

export function strict3(
  f: Fn3,
  a: Compiled,
  b: Compiled,
  c: Compiled,
  type: StaticType,
  offset: number,
): Compiled {
  const ea = a.eval;
  const eb = b.eval;
  const ec = c.eval;
  const node = dynamic(
    (v, e) => {
      const x = ea(v, e);
      if (x instanceof ExprError) return x;
      const y = eb(v, e);
      if (y instanceof ExprError) return y;
      const z = ec(v, e);
      return z instanceof ExprError ? z : f(x, y, z);
    },
    type,
    offset,
  );
  return fold(node, [a, b, c]);
}

/** A strict call with any number of arguments (one to three take the specialised helpers). */
export function strictCall(
  f: (...xs: unknown[]) => unknown,
  args: readonly Compiled[],
  type: StaticType,
  offset: number,
): Compiled {
  const [a, b, c] = args;
  if (a === undefined)
    return fold(
      dynamic(() => f(), type, offset),
      [],
    );
  if (b === undefined) return strict1((x) => f(x), a, type, offset);
  if (c === undefined) return strict2((x, y) => f(x, y), a, b, type, offset);
  if (args.length === 3) return strict3((x, y, z) => f(x, y, z), a, b, c, type, offset);
  const evals = args.map((arg) => arg.eval);
  const node = dynamic(
    (v, e) => {
      const xs: unknown[] = [];
      for (const g of evals) {
        const x = g(v, e);
        if (x instanceof ExprError) return x;
        xs.push(x);
      }
      return f(...xs);
    },
    type,
    offset,
  );
  return fold(node, args);
}

/** A function or method the compiler knows. */
export interface FunctionDef {
  /** Accepted argument counts; a method's receiver counts as its first argument. */
  readonly arities: readonly number[];
  /** Builds the call from compiled arguments; may fail at compile time (bad constant argument). */
  readonly compile: (args: readonly Compiled[], offset: number) => Compiled;
}

/** A strict function: arguments are evaluated first and any error among them is the result. */
export function simple(
  arities: readonly number[],
  f: (...xs: unknown[]) => unknown,
  type: StaticType,
): FunctionDef {
  return { arities, compile: (args, offset) => strictCall(f, args, type, offset) };
}
