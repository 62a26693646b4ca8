/**
 * The correctness gate run before any timing: over a handful of contexts, every target must give the
 * answer its own rules and buckets call for. Rule-decided contexts (targets, plan, country) must be on
 * everywhere; rollout contexts are chosen so that both "both off" and "both on" occur, and Ramp's and
 * Unleash's differing buckets are each checked against their own hash.
 */
import { type BenchContext, type Decider, deciderOf } from "../eval/scenario.js";
import { expectedRamp, expectedUnleash } from "./flag.js";

export interface CheckContext {
  readonly context: BenchContext;
  readonly decider: Decider;
  readonly expected: { readonly ramp: boolean; readonly unleash: boolean };
}

/** Per rollout outcome (Ramp, Unleash), how many contexts the check takes. */
const ROLLOUT_PICKS: readonly (readonly [boolean, boolean, number])[] = [
  [false, false, 3],
  [true, true, 2],
  [true, false, 1],
  [false, true, 1],
];
const PER_RULE = 2;

/** A deterministic handful from `population`: two per rule, then the rollout cases above. */
export function checkContexts(population: readonly BenchContext[]): CheckContext[] {
  const picked: CheckContext[] = [];
  const take = (accept: (c: CheckContext) => boolean, count: number, what: string): void => {
    let found = 0;
    for (const context of population) {
      if (found === count) break;
      const candidate: CheckContext = {
        context,
        decider: deciderOf(context),
        expected: { ramp: expectedRamp(context), unleash: expectedUnleash(context) },
      };
      if (!accept(candidate) || picked.some((p) => p.context.targetingKey === context.targetingKey)) continue;
      picked.push(candidate);
      found++;
    }
    if (found < count) throw new Error(`check: only ${found} of ${count} ${what} contexts in the population`);
  };
  for (const decider of ["target", "plan", "country"] as const)
    take((c) => c.decider === decider, PER_RULE, decider);
  for (const [ramp, unleash, count] of ROLLOUT_PICKS)
    take(
      (c) => c.decider === "rollout" && c.expected.ramp === ramp && c.expected.unleash === unleash,
      count,
      `rollout (ramp ${ramp}, unleash ${unleash})`,
    );
  return picked;
}

/** One target's answer for one check context: on/off, or why there is none. */
export type Answer = boolean | { readonly error: string };

export interface CheckedTarget {
  readonly name: string;
  /** Which expectation applies: Ramp's buckets or Unleash's. */
  readonly buckets: "ramp" | "unleash";
  readonly answers: readonly Answer[];
}

/** Every disagreement with the expected answers, one actionable line each; empty when all agree. */
export function judge(contexts: readonly CheckContext[], targets: readonly CheckedTarget[]): string[] {
  const problems: string[] = [];
  for (const target of targets) {
    contexts.forEach((check, i) => {
      const answer = target.answers[i];
      const expected = check.expected[target.buckets];
      const where = `${JSON.stringify(check.context)} (decided by ${check.decider})`;
      if (answer === undefined) problems.push(`${target.name}: no answer for ${where}`);
      else if (typeof answer !== "boolean") problems.push(`${target.name}: ${where}: ${answer.error}`);
      else if (answer !== expected)
        problems.push(`${target.name}: ${where} → ${answer}, expected ${expected}`);
    });
  }
  return problems;
}
