/** Evaluation results and their vocabulary: OpenFeature reasons and error codes. */
import type { JsonValue } from "./schema/dsl.js";

export type FlagValue = JsonValue;

/** OpenFeature resolution reasons, plus PREREQUISITE_FAILED (as LaunchDarkly names it). */
export const Reason = {
  STATIC: "STATIC",
  TARGETING_MATCH: "TARGETING_MATCH",
  SPLIT: "SPLIT",
  DISABLED: "DISABLED",
  DEFAULT: "DEFAULT",
  ERROR: "ERROR",
  PREREQUISITE_FAILED: "PREREQUISITE_FAILED",
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** OpenFeature error codes. */
export const ErrorCode = {
  FLAG_NOT_FOUND: "FLAG_NOT_FOUND",
  TYPE_MISMATCH: "TYPE_MISMATCH",
  PARSE_ERROR: "PARSE_ERROR",
  TARGETING_KEY_MISSING: "TARGETING_KEY_MISSING",
  INVALID_CONTEXT: "INVALID_CONTEXT",
  GENERAL: "GENERAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The OpenFeature evaluation context: attributes plus the optional targeting key. */
export interface EvaluationContext {
  readonly targetingKey?: string;
  readonly [attribute: string]: unknown;
}

export type FlagMetadata = Readonly<Record<string, string | number | boolean>>;

export interface EvaluationResult<T = FlagValue> {
  readonly key: string;
  readonly value: T;
  readonly variant?: string;
  readonly reason: Reason;
  readonly errorCode?: ErrorCode;
  readonly errorMessage?: string;
  /** Index of the matched rule in the environment's `rules`, when a rule decided. */
  readonly ruleIndex?: number;
  /** The matched rule's `name`, when it has one. */
  readonly ruleName?: string;
  readonly flagMetadata: FlagMetadata;
}

export type ValueType = "boolean" | "string" | "number" | "object";

export interface EvaluateOptions<T = FlagValue> {
  /** Returned with errors (flag missing, wrong type, …). */
  readonly defaultValue?: T;
  /** The type the caller asks for; a flag of another type answers TYPE_MISMATCH. */
  readonly type?: ValueType;
  /** Clock for now(), in milliseconds since the epoch (default Date.now). */
  readonly now?: () => number;
  /** Randomness for '$random' bucketing, in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/** One problem found in a flag file: where, what was expected, and what to do. */
export interface Issue {
  /** Dotted path, e.g. flags.new_checkout.environments.production.rules[2].if */
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly suggestion?: string;
  readonly severity: "error" | "warning";
}
