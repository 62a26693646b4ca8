/** compileExpression: source text to a Program (a closure that never throws), or a diagnostic. */

import { Compiler, type ExtraFunction } from "./compiler.js";
import { CompileFailure, type ExprDiagnostic, ExprError } from "./errors.js";
import { parse } from "./parser.js";
import type { EvalEnv, Vars } from "./values.js";

export type { ExtraFunction };

/** Longest accepted source, in UTF-16 code units. */
export const MAX_EXPRESSION_LENGTH = 16 * 1024;

/** Returns the expression's value, or an ExprError (never throws). */
export type Program = (vars: Readonly<Record<string, unknown>>, env: EvalEnv) => unknown;

export interface CompileOptions {
  /**
   * Identifiers that, when absent from vars, denote the whole vars object (Ramp passes
   * ["user", "context"], so `user.plan` reads vars.plan unless vars has its own `user`).
   */
  readonly selfNames?: readonly string[];
  /**
   * Extra global functions (Ramp itself needs none now). They receive argument values that are not
   * errors and return a value or an ExprError; they are never evaluated at compile time. A name that
   * is also a built-in function replaces it.
   */
  readonly functions?: Readonly<Record<string, ExtraFunction>>;
}

export type CompileResult =
  | { ok: true; program: Program; source: string }
  | { ok: false; error: ExprDiagnostic };
/** The same as CompileResult (the name the engine's index re-exports). */
export type CompileExpressionResult = CompileResult;

/** Parses and compiles an expression once; the program is then called per evaluation. */
export function compileExpression(source: string, options: CompileOptions = {}): CompileResult {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return fault(
      `expression is too long (${source.length} characters; the limit is ${MAX_EXPRESSION_LENGTH})`,
      0,
    );
  }
  try {
    const compiler = new Compiler({
      selfNames: new Set(options.selfNames ?? []),
      functions: new Map(Object.entries(options.functions ?? {})),
    });
    const root = compiler.compile(parse(source));
    if (root.isConst) {
      const value = root.value;
      return { ok: true, program: () => value, source };
    }
    const evaluate = root.eval;
    const program: Program = (vars: Vars, env: EvalEnv) => {
      try {
        return evaluate(vars, env);
      } catch (e) {
        return internalError(e);
      }
    };
    return { ok: true, program, source };
  } catch (e) {
    if (e instanceof CompileFailure) return { ok: false, error: e.diagnostic };
    return fault(`internal error while compiling: ${describe(e)}`, 0);
  }
}

function fault(message: string, offset: number): CompileResult {
  return { ok: false, error: { message, offset } };
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Exceptions are not part of the language; one escaping (a host function, a hostile input) becomes a value. */
function internalError(e: unknown): ExprError {
  if (e instanceof RangeError) return new ExprError("internal", `evaluation failed: ${e.message}`);
  return new ExprError("internal", `evaluation failed: ${describe(e)}`);
}
