/**
 * Ramp's expression language: CEL (https://github.com/google/cel-spec) compiled once into closures.
 * Flag targeting rules and rollout analysis conditions are both written in it. The language, its
 * additions and its deviations from CEL are described in README.md beside this file.
 *
 * @example
 * const r = compileExpression('user.country in ["US", "VN", "JP"]', { selfNames: ["user", "context"] });
 * if (r.ok) r.program({ country: "VN" }, { now: Date.now }); // true
 */

export {
  type CompileExpressionResult,
  type CompileOptions,
  type CompileResult,
  compileExpression,
  type ExtraFunction,
  MAX_EXPRESSION_LENGTH,
  type Program,
} from "./compile-expression.js";
export { type ExprDiagnostic, ExprError, type ExprErrorCode, isExprError } from "./errors.js";
export { MAX_DEPTH } from "./parser.js";
export { Semver } from "./semver.js";
export { Duration, Timestamp } from "./time.js";
export type { EvalEnv } from "./values.js";
