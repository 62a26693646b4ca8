/** @ramp/engine — flags as code, CEL expressions, sticky bucketing and evaluate(). Zero dependencies. */
export { BUCKETS, bucketOf, gateChooser, keyReader, splitChooser } from "./bucket.js";
export { type CompileExpressionResult, compileExpression, isExprError } from "./expr/index.js";
export { compileRegex, type RegexResult } from "./expr/regex.js";
export {
  type CompileFlagSetResult,
  type CompileOptions,
  compileFlagSet,
  FlagEnvironment,
  FlagSet,
  validateFlagFile,
} from "./flag-set.js";
export { murmur3, prefixedMurmur3 } from "./hash/murmur3.js";
export {
  type Annotations,
  type ArraySchema,
  type BooleanSchema,
  type EnumSchema,
  type JsonSchemaAny,
  type JsonValue,
  type NumberSchema,
  type ObjectSchema,
  type Props,
  type RecordSchema,
  type Schema,
  type Static,
  type StringSchema,
  t,
  toJsonSchema,
  type UnionSchema,
} from "./schema/dsl.js";
export * from "./schema/flag-file.js";
export * from "./types.js";
export {
  checkStructure,
  describeValue,
  isPlainObject,
  joinPath,
  splitPath,
  UNKNOWN_FIELD,
} from "./validate/structure.js";
export { nearest } from "./validate/suggest.js";
