/** @ramp/engine — flags as code, CEL expressions, sticky bucketing and evaluate(). Zero dependencies. */
export { BUCKETS, bucketOf, gateChooser, keyReader, splitChooser } from "./bucket.js";
export { type CompileExpressionResult, compileExpression, isExprError } from "./expr/index.js";
export {
  type CompileFlagSetResult,
  type CompileOptions,
  compileFlagSet,
  FlagEnvironment,
  FlagSet,
  validateFlagFile,
} from "./flag-set.js";
export { murmur3, prefixedMurmur3 } from "./hash/murmur3.js";
export { type JsonValue, toJsonSchema } from "./schema/dsl.js";
export * from "./schema/flag-file.js";
export * from "./types.js";
