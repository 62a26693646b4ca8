/**
 * The evaluation API: a compiled flag file and, per environment, `evaluate()` — synchronous,
 * allocation-free on the common paths, and never throwing.
 */
import { type CompileOptions, compileFile, type FlagEntry } from "./compile/compile-flag-set.js";
import { errorResult, NO_METADATA } from "./compile/results.js";
import type { Ctx, Decide, Runtime } from "./compile/runtime.js";
import type { EvalEnv } from "./expr/index.js";
import type { FlagFile } from "./schema/flag-file.js";
import type {
  EvaluateOptions,
  EvaluationContext,
  EvaluationResult,
  FlagValue,
  Issue,
  ValueType,
} from "./types.js";

export type { CompileOptions } from "./compile/compile-flag-set.js";

export type CompileFlagSetResult =
  | { readonly ok: true; readonly flagSet: FlagSet; readonly warnings: readonly Issue[] }
  | { readonly ok: false; readonly errors: readonly Issue[]; readonly warnings: readonly Issue[] };

/**
 * Validates and compiles a parsed flag file (YAML or JSON already parsed).
 * @example
 * const r = compileFlagSet(doc);
 * if (r.ok) r.flagSet.environment("production")?.evaluate("new_checkout", { targetingKey: "u1" });
 */
export function compileFlagSet(doc: unknown, options: CompileOptions = {}): CompileFlagSetResult {
  try {
    const file = compileFile(doc, options);
    if (file.errors.length > 0 && options.lenient !== true)
      return { ok: false, errors: file.errors, warnings: file.warnings };
    return {
      ok: true,
      flagSet: new FlagSet(file.definition, file.environments, file.flags),
      warnings: file.warnings,
    };
  } catch (e) {
    // A defect, not bad input; still reported as data.
    return {
      ok: false,
      errors: [{ path: "", message: `internal error: ${String(e)}`, severity: "error" }],
      warnings: [],
    };
  }
}

/** Every issue of a flag file, errors and warnings (what `ramp lint` prints). */
export function validateFlagFile(doc: unknown, options: Omit<CompileOptions, "lenient"> = {}): Issue[] {
  const file = compileFile(doc, options);
  return [...file.errors, ...file.warnings];
}

export class FlagSet {
  readonly #environments = new Map<string, FlagEnvironment>();

  constructor(
    readonly definition: FlagFile,
    /** Environment names in file order; the first is the default. */
    readonly environments: readonly string[],
    private readonly entries: ReadonlyMap<string, FlagEntry>,
  ) {
    for (const name of environments) this.#environments.set(name, new FlagEnvironment(name, entries));
  }

  environment(name: string): FlagEnvironment | undefined {
    return this.#environments.get(name);
  }

  flagKeys(): string[] {
    return [...this.entries.keys()];
  }
}

interface Slot {
  readonly type: ValueType | undefined;
  readonly decide: Decide;
}

const SYSTEM_ENV: EvalEnv = { now: () => Date.now() };

export class FlagEnvironment {
  readonly #slots = new Map<string, Slot>();
  readonly #runtime: Runtime;

  constructor(
    readonly name: string,
    entries: ReadonlyMap<string, FlagEntry>,
  ) {
    for (const [key, e] of entries) {
      const decide = e.compiled?.environments.get(name) ?? e.compiled?.unconfigured ?? e.broken;
      if (decide !== undefined) this.#slots.set(key, { type: e.type, decide });
    }
    this.#runtime = {
      env: SYSTEM_ENV,
      random: Math.random,
      defaultValue: null,
      evaluate: this.#evaluatePrerequisite,
    };
  }

  has(key: string): boolean {
    return this.#slots.has(key);
  }

  /**
   * Evaluates a flag for a context. Never throws: problems come back as reason ERROR with an
   * OpenFeature error code and the caller's `defaultValue`.
   */
  evaluate<T extends FlagValue = FlagValue>(
    key: string,
    context: EvaluationContext,
    options?: EvaluateOptions<T>,
  ): EvaluationResult<T> {
    const slot = this.#slots.get(key);
    try {
      if (slot === undefined)
        return errorResult(
          key,
          "FLAG_NOT_FOUND",
          `flag '${key}' not found in environment '${this.name}'`,
          defaultOf(options),
          NO_METADATA,
        );
      if (typeof context !== "object" || context === null || Array.isArray(context))
        return errorResult(
          key,
          "INVALID_CONTEXT",
          "the evaluation context must be an object",
          defaultOf(options),
          NO_METADATA,
        );
      const tk = context.targetingKey;
      if (tk !== undefined && typeof tk !== "string")
        return errorResult(
          key,
          "INVALID_CONTEXT",
          "targetingKey must be a string",
          defaultOf(options),
          NO_METADATA,
        );
      if (options === undefined) return slot.decide(context as Ctx, this.#runtime) as EvaluationResult<T>;
      if (options.type !== undefined && slot.type !== undefined && options.type !== slot.type)
        return errorResult(
          key,
          "TYPE_MISMATCH",
          `flag '${key}' is of type ${slot.type}, not ${options.type}`,
          defaultOf(options),
          NO_METADATA,
        );
      return slot.decide(context as Ctx, this.#runtimeFor(options)) as EvaluationResult<T>;
    } catch (e) {
      return errorResult(key, "GENERAL", `evaluation failed: ${String(e)}`, defaultOf(options), NO_METADATA);
    }
  }

  readonly #evaluatePrerequisite = (key: string, ctx: Ctx, rt: Runtime): EvaluationResult => {
    const slot = this.#slots.get(key);
    return slot === undefined
      ? errorResult(key, "FLAG_NOT_FOUND", `prerequisite '${key}' not found`, rt.defaultValue, NO_METADATA)
      : slot.decide(ctx, rt);
  };

  #runtimeFor(options: EvaluateOptions<FlagValue>): Runtime {
    const base = this.#runtime;
    if (options.now === undefined && options.random === undefined && options.defaultValue === undefined)
      return base;
    return {
      env: options.now === undefined ? base.env : { now: options.now },
      random: options.random ?? base.random,
      defaultValue: options.defaultValue ?? null,
      evaluate: base.evaluate,
    };
  }
}

function defaultOf<T>(options: EvaluateOptions<T> | undefined): T {
  return (options?.defaultValue ?? null) as T;
}
