/** Result objects: built once per outcome when flags load, so evaluation allocates nothing. */
import type { FlagDefinition } from "../schema/flag-file.js";
import type { ErrorCode, EvaluationResult, FlagMetadata, FlagValue, Reason } from "../types.js";

export function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export function metadataOf(def: FlagDefinition): FlagMetadata {
  const m: Record<string, string> = {};
  if (def.owner !== undefined) m.owner = def.owner;
  if (def.expires !== undefined) m.expires = def.expires;
  if (def.tags !== undefined && def.tags.length > 0) m.tags = def.tags.join(",");
  if (def.description !== undefined) m.description = def.description;
  return Object.freeze(m);
}

export interface ResultParts {
  readonly key: string;
  readonly value: FlagValue;
  readonly variant: string;
  readonly reason: Reason;
  readonly flagMetadata: FlagMetadata;
  readonly ruleIndex?: number;
  readonly ruleName?: string | undefined;
}

export function result(p: ResultParts): EvaluationResult {
  const r: {
    key: string;
    value: FlagValue;
    variant: string;
    reason: Reason;
    ruleIndex?: number;
    ruleName?: string;
    flagMetadata: FlagMetadata;
  } = {
    key: p.key,
    value: deepFreeze(p.value),
    variant: p.variant,
    reason: p.reason,
    flagMetadata: p.flagMetadata,
  };
  if (p.ruleIndex !== undefined) r.ruleIndex = p.ruleIndex;
  if (p.ruleName !== undefined) r.ruleName = p.ruleName;
  return Object.freeze(r);
}

export function errorResult<T>(
  key: string,
  errorCode: ErrorCode,
  errorMessage: string,
  defaultValue: T,
  flagMetadata: FlagMetadata,
): EvaluationResult<T> {
  return { key, value: defaultValue, reason: "ERROR", errorCode, errorMessage, flagMetadata };
}

export const NO_METADATA: FlagMetadata = Object.freeze({});
