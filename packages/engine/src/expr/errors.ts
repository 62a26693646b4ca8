/**
 * Errors of the expression language: `ExprError` is a runtime value (CEL errors propagate as values,
 * never as exceptions); `CompileFailure` is thrown only while compiling and becomes a diagnostic.
 */

import { OpaqueValue } from "./opaque.js";

/** Why an evaluation produced an error. `no_such_attribute` covers missing variables, fields and keys. */
export type ExprErrorCode =
  | "no_such_attribute"
  | "no_matching_overload"
  | "index_out_of_range"
  | "division_by_zero"
  | "overflow"
  | "invalid_argument"
  | "internal";

/**
 * The value of an expression that failed, e.g. `user.plan` when the context has no `plan`.
 * It is returned, never thrown: `isExprError(program(vars, env))` tells a failed evaluation apart.
 */
export class ExprError extends OpaqueValue {
  readonly message: string;
  readonly code: ExprErrorCode;
  constructor(code: ExprErrorCode, message: string) {
    super();
    this.code = code;
    this.message = message;
  }
}

export function isExprError(v: unknown): v is ExprError {
  return v instanceof ExprError;
}

/** A missing variable, field or map key: `isNil` and `default` treat it like null (as Argo does). */
export function isMissing(v: unknown): boolean {
  return v instanceof ExprError && v.code === "no_such_attribute";
}

/** A problem found while compiling, pointing at a character offset (UTF-16 code units) of the source. */
export interface ExprDiagnostic {
  readonly message: string;
  readonly offset: number;
  readonly suggestion?: string;
}

/** Thrown by the lexer, parser and compiler; caught once in `compileExpression`. */
export class CompileFailure {
  readonly diagnostic: ExprDiagnostic;
  constructor(message: string, offset: number, suggestion?: string) {
    this.diagnostic = suggestion === undefined ? { message, offset } : { message, offset, suggestion };
  }
}

export function fail(message: string, offset: number, suggestion?: string): never {
  throw new CompileFailure(message, offset, suggestion);
}

export function overloadError(op: string, ...types: string[]): ExprError {
  return new ExprError(
    "no_matching_overload",
    `no matching overload for '${op}' applied to (${types.join(", ")})`,
  );
}

export function invalidArgument(message: string): ExprError {
  return new ExprError("invalid_argument", message);
}
