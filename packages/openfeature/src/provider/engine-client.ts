/**
 * The synchronous fast path: typed getters straight on the current compiled environment, for hot loops
 * where the OpenFeature client's per-call work (promise, hooks, context merging, event details) is
 * too much. Same flags, same answers, same metrics; no hooks, no per-evaluation events.
 */
import type { JsonValue, ResolutionDetails } from "@openfeature/server-sdk";
import type { EvaluationContext, ValueType } from "@ramp/engine";
import type { EvaluationCounter } from "../reporting/evaluation-counter.js";
import type { FlagStore } from "../sync/flag-store.js";
import { evaluateAs, notReady, toResolution } from "./resolution.js";

/**
 * @example
 * const ramp = provider.engineClient();
 * for (const row of rows) if (ramp.boolean("new_pricing", { targetingKey: row.userId }, false)) …
 */
export interface RampEngineClient {
  boolean(key: string, context: EvaluationContext, defaultValue: boolean): boolean;
  string(key: string, context: EvaluationContext, defaultValue: string): string;
  number(key: string, context: EvaluationContext, defaultValue: number): number;
  object<T extends JsonValue>(key: string, context: EvaluationContext, defaultValue: T): T;
  /** Value, variant, reason and error as the provider resolves them (without hooks). */
  details<T extends JsonValue>(
    key: string,
    context: EvaluationContext,
    defaultValue: T,
    type: ValueType,
  ): ResolutionDetails<T>;
}

export class EngineClient implements RampEngineClient {
  constructor(
    private readonly store: FlagStore,
    private readonly counter: EvaluationCounter | undefined,
  ) {}

  boolean(key: string, context: EvaluationContext, defaultValue: boolean): boolean {
    return this.#value(key, context, defaultValue, "boolean");
  }

  string(key: string, context: EvaluationContext, defaultValue: string): string {
    return this.#value(key, context, defaultValue, "string");
  }

  number(key: string, context: EvaluationContext, defaultValue: number): number {
    return this.#value(key, context, defaultValue, "number");
  }

  object<T extends JsonValue>(key: string, context: EvaluationContext, defaultValue: T): T {
    return this.#value(key, context, defaultValue, "object");
  }

  details<T extends JsonValue>(
    key: string,
    context: EvaluationContext,
    defaultValue: T,
    type: ValueType,
  ): ResolutionDetails<T> {
    const evaluator = this.store.evaluator;
    if (evaluator === undefined) return notReady(defaultValue, "ramp: no flags loaded yet");
    const details = toResolution(evaluateAs(evaluator, key, context, type), defaultValue, type);
    if (details.variant !== undefined) this.counter?.count(key, details.variant);
    return details;
  }

  #value<T>(key: string, context: EvaluationContext, defaultValue: T, type: ValueType): T {
    const evaluator = this.store.evaluator;
    if (evaluator === undefined) return defaultValue;
    const result = evaluateAs(evaluator, key, context, type);
    // Errors come back with a null value, which is of no requested type.
    if (result.errorCode !== undefined || result.variant === undefined) return defaultValue;
    const value = result.value;
    if (type === "object" ? typeof value !== "object" || value === null : typeof value !== type)
      return defaultValue;
    this.counter?.count(key, result.variant);
    return value as T;
  }
}
