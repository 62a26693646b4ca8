/**
 * One evaluation as the provider and the fast path both do it: the engine on the current compiled
 * environment, asked for a type, and its result as OpenFeature's ResolutionDetails. Pure; never throws.
 */
import {
  ErrorCode,
  type JsonValue,
  type ResolutionDetails,
  StandardResolutionReasons,
} from "@openfeature/server-sdk";
import type {
  ErrorCode as EngineErrorCode,
  EvaluateOptions,
  EvaluationContext,
  EvaluationResult,
  FlagEnvironment,
  ValueType,
} from "@ramp/engine";

/** The typed getters' requests, built once: no per-call options object, no per-call runtime. */
const AS_TYPE: Readonly<Record<ValueType, EvaluateOptions>> = {
  boolean: Object.freeze({ type: "boolean" }),
  string: Object.freeze({ type: "string" }),
  number: Object.freeze({ type: "number" }),
  object: Object.freeze({ type: "object" }),
};

const ERROR_CODES: Readonly<Record<EngineErrorCode, ErrorCode>> = {
  FLAG_NOT_FOUND: ErrorCode.FLAG_NOT_FOUND,
  TYPE_MISMATCH: ErrorCode.TYPE_MISMATCH,
  PARSE_ERROR: ErrorCode.PARSE_ERROR,
  TARGETING_KEY_MISSING: ErrorCode.TARGETING_KEY_MISSING,
  INVALID_CONTEXT: ErrorCode.INVALID_CONTEXT,
  GENERAL: ErrorCode.GENERAL,
};

/**
 * Evaluates `key` asking for `type`. On errors the engine answers `null` as the value: callers put
 * their default in its place (this keeps the request objects constant).
 */
export function evaluateAs(
  evaluator: FlagEnvironment,
  key: string,
  context: EvaluationContext,
  type: ValueType,
): EvaluationResult {
  return evaluator.evaluate(key, context, AS_TYPE[type]);
}

/** True when a successful result's value is of the requested type. */
export function isOfType(value: unknown, type: ValueType): boolean {
  return type === "object" ? typeof value === "object" && value !== null : typeof value === type;
}

/** The engine's result as ResolutionDetails; errors (and a value of the wrong type) give the default. */
export function toResolution<T extends JsonValue>(
  result: EvaluationResult,
  defaultValue: T,
  type: ValueType,
): ResolutionDetails<T> {
  const { flagMetadata } = result;
  if (result.errorCode !== undefined) {
    return {
      value: defaultValue,
      reason: StandardResolutionReasons.ERROR,
      errorCode: ERROR_CODES[result.errorCode] ?? ErrorCode.GENERAL,
      errorMessage: result.errorMessage,
      flagMetadata,
    };
  }
  if (!isOfType(result.value, type)) {
    // Only a flag of no declared type can get here; the engine checks declared types itself.
    return {
      value: defaultValue,
      reason: StandardResolutionReasons.ERROR,
      errorCode: ErrorCode.TYPE_MISMATCH,
      errorMessage: `flag '${result.key}' served a ${typeof result.value} value, not ${type}`,
      flagMetadata,
    };
  }
  return { value: result.value as T, variant: result.variant, reason: result.reason, flagMetadata };
}

/** The answer before any flags are loaded (the SDK normally short-circuits this itself). */
export function notReady<T>(defaultValue: T, why: string): ResolutionDetails<T> {
  return {
    value: defaultValue,
    reason: StandardResolutionReasons.ERROR,
    errorCode: ErrorCode.PROVIDER_NOT_READY,
    errorMessage: why,
  };
}

/** The answer when something unexpected threw (a defect): still data, never an exception. */
export function generalError<T>(defaultValue: T, error: unknown): ResolutionDetails<T> {
  return {
    value: defaultValue,
    reason: StandardResolutionReasons.ERROR,
    errorCode: ErrorCode.GENERAL,
    errorMessage: `ramp: evaluation failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}
