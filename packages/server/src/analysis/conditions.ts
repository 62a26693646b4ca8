/**
 * Analysis conditions are judged here and nowhere else (argo-rollouts utils/evaluate/evaluate.go):
 * compiled once with the engine's CEL compiler, then evaluated per measurement with the measured
 * value bound as `result`.
 */

import { type CompileExpressionResult, compileExpression, isExprError } from "@ramp/engine";
import type { CompletedPhase } from "./types.js";

/** A compiled condition: its source (for messages) and the program to run per measurement. */
export interface CompiledCondition {
  readonly source: string;
  readonly run: (result: unknown, now: number) => unknown;
}

export interface CompiledConditions {
  readonly successCondition?: CompiledCondition;
  readonly failureCondition?: CompiledCondition;
}

export type ConditionCompileResult =
  | { readonly ok: true; readonly condition: CompiledCondition }
  | { readonly ok: false; readonly message: string; readonly suggestion?: string };

// Templates are compiled when they are loaded and again when a run resolves them (and after a
// restart); sources are few and small, so one bounded cache makes that a single compilation.
const cache = new Map<string, CompileExpressionResult>();
const CACHE_LIMIT = 1000;

/** Compiles `source` (CEL over `result`); the diagnostic says where it went wrong. */
export function compileCondition(source: string): ConditionCompileResult {
  let compiled = cache.get(source);
  if (compiled === undefined) {
    compiled = compileExpression(source);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, compiled);
  }
  if (!compiled.ok) {
    const { message, offset, suggestion } = compiled.error;
    const text = `does not compile: ${message} (at offset ${offset})`;
    return suggestion === undefined ? { ok: false, message: text } : { ok: false, message: text, suggestion };
  }
  const program = compiled.program;
  return {
    ok: true,
    condition: { source, run: (result, now) => program({ result }, { now: () => now }) },
  };
}

export interface ConditionVerdict {
  readonly phase: CompletedPhase;
  readonly message?: string;
}

/**
 * Argo's EvaluateResult. No condition: Successful. Only a success condition: Failed when it is not
 * true. Only a failure condition: Successful when it is not true. Both: Failed when the failure
 * condition holds, Successful when only the success condition holds, otherwise Inconclusive.
 * A condition that errors or is not a boolean makes the measurement Error, with the reason.
 */
export function evaluateConditions(
  conditions: CompiledConditions,
  result: unknown,
  now: number,
): ConditionVerdict {
  const { successCondition, failureCondition } = conditions;
  let success = false;
  let failure = false;
  if (successCondition !== undefined) {
    const r = judge(successCondition, "successCondition", result, now);
    if (typeof r !== "boolean") return r;
    success = r;
  }
  if (failureCondition !== undefined) {
    const r = judge(failureCondition, "failureCondition", result, now);
    if (typeof r !== "boolean") return r;
    failure = r;
  }
  if (successCondition === undefined && failureCondition === undefined) return { phase: "Successful" };
  if (failureCondition === undefined) failure = !success;
  if (successCondition === undefined) success = !failure;
  if (failure) return { phase: "Failed" };
  if (!success) return { phase: "Inconclusive" };
  return { phase: "Successful" };
}

function judge(
  condition: CompiledCondition,
  kind: "successCondition" | "failureCondition",
  result: unknown,
  now: number,
): boolean | ConditionVerdict {
  const out = condition.run(result, now);
  if (typeof out === "boolean") return out;
  const prefix = `could not evaluate ${kind} "${condition.source}"`;
  if (isNilOrEmpty(result)) {
    return {
      phase: "Error",
      message: `${prefix}: metric result is nil or empty: no data returned from the metric provider`,
    };
  }
  const why = isExprError(out) ? out.message : `expected bool, but got ${typeName(out)}`;
  return { phase: "Error", message: `${prefix}: ${why}` };
}

function isNilOrEmpty(result: unknown): boolean {
  return result === null || result === undefined || (Array.isArray(result) && result.length === 0);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (typeof v === "number") return "number";
  if (typeof v === "object") return "map";
  return typeof v;
}
