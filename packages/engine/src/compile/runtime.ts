/** What compiled decisions need at evaluation time besides the context. */
import type { EvalEnv } from "../expr/index.js";
import type { EvaluationResult, FlagValue } from "../types.js";

export type Ctx = Readonly<Record<string, unknown>>;

export interface Runtime {
  readonly env: EvalEnv;
  readonly random: () => number;
  readonly defaultValue: FlagValue;
  /** Evaluates another flag of the same environment (prerequisites). */
  readonly evaluate: (key: string, ctx: Ctx, rt: Runtime) => EvaluationResult;
}

/** Decides a flag for a context: always a result, never a throw. */
export type Decide = (ctx: Ctx, rt: Runtime) => EvaluationResult;
