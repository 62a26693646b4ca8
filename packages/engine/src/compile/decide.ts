/**
 * How a flag environment's compiled parts compose into its `Decide` closure: prerequisites, individual
 * targets, rules in order, then the default. This is the evaluation hot path, kept apart from validation.
 */
import type { EvalEnv, Program } from "../expr/index.js";
import type { EvaluationResult } from "../types.js";
import type { Ctx, Decide, Runtime } from "./runtime.js";

export type SegmentTest = (ctx: Ctx, env: EvalEnv) => boolean;
/** Serves a variant or a split: always a result. */
export type Serve = (ctx: Ctx, rt: Runtime) => EvaluationResult;
/** A rule: its result when it matches, undefined to fall through to the next. */
export type RuleDecide = (ctx: Ctx, rt: Runtime) => EvaluationResult | undefined;

export function assemble(
  prereqs: readonly { flag: string; variants: ReadonlySet<string>; failed: EvaluationResult }[],
  targets: ReadonlyMap<string, EvaluationResult> | undefined,
  rules: readonly RuleDecide[],
  dflt: Serve,
): Decide {
  const nRules = rules.length;
  return (ctx, rt) => {
    for (const p of prereqs) {
      const v = rt.evaluate(p.flag, ctx, rt).variant;
      if (v === undefined || !p.variants.has(v)) return p.failed;
    }
    if (targets !== undefined) {
      const k = ctx.targetingKey;
      if (typeof k === "string") {
        const r = targets.get(k);
        if (r !== undefined) return r;
      }
    }
    for (let i = 0; i < nRules; i++) {
      const r = (rules[i] as RuleDecide)(ctx, rt);
      if (r !== undefined) return r;
    }
    return dflt(ctx, rt);
  };
}

export function ruleDecide(
  program: Program | undefined,
  segments: readonly SegmentTest[],
  gate: ((ctx: Ctx, rt: Runtime) => boolean) | undefined,
  serve: Serve,
): RuleDecide {
  // Specialise the common shapes so the hot path is one or two calls.
  if (segments.length === 0 && gate === undefined) {
    if (program === undefined) return serve;
    return (ctx, rt) => (program(ctx, rt.env) === true ? serve(ctx, rt) : undefined);
  }
  if (program === undefined && segments.length === 1 && gate === undefined) {
    const s = segments[0] as SegmentTest;
    return (ctx, rt) => (s(ctx, rt.env) ? serve(ctx, rt) : undefined);
  }
  return (ctx, rt) => {
    if (program !== undefined && program(ctx, rt.env) !== true) return undefined;
    for (const s of segments) if (!s(ctx, rt.env)) return undefined;
    if (gate !== undefined && !gate(ctx, rt)) return undefined;
    return serve(ctx, rt);
  };
}
