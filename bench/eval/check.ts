/**
 * The correctness gate run before any timing: every implementation must agree with the floor wherever
 * the answer does not depend on hashing, and turn the flag on for about as many users overall.
 */
import type { Contender } from "./contender.js";
import { type BenchContext, deciderOf, ROLLOUT_PERCENT } from "./scenario.js";

/** One implementation's answers for every context, in context order (1 = on). */
export interface Answers {
  readonly name: string;
  readonly sameBucketsAsFloor: boolean;
  readonly values: Uint8Array;
}

export interface CheckReport {
  /** Contexts decided by a target, the plan or the country (identical answers expected from all). */
  readonly ruleDecided: number;
  /** Largest on-rate difference from the floor that still passes, as a fraction. */
  readonly tolerance: number;
  readonly onRates: ReadonlyMap<string, number>;
  /** Empty when everything agrees; otherwise one actionable line per problem. */
  readonly problems: readonly string[];
}

/** How many standard deviations of chance difference between two independent rollouts are tolerated. */
const SIGMAS = 5;

/**
 * Judges `answers` against `floor`. Implementations with the floor's buckets must match it on every
 * context; the others only outside the rollout, and within `tolerance` of its on-rate.
 */
export function judgeAnswers(
  contexts: readonly BenchContext[],
  floor: Answers,
  answers: readonly Answers[],
): CheckReport {
  const deciders = contexts.map(deciderOf);
  const inRollout = deciders.filter((decider) => decider === "rollout").length;
  const p = ROLLOUT_PERCENT / 100;
  // Two independent hashes each admit ~Binomial(inRollout, p) of the rollout users; their difference has
  // variance 2·inRollout·p·(1−p).
  const tolerance = (SIGMAS * Math.sqrt(2 * inRollout * p * (1 - p))) / contexts.length;
  const floorRate = onRate(floor.values);
  const onRates = new Map<string, number>([[floor.name, floorRate]]);
  const problems: string[] = [];
  for (const answer of answers) {
    if (answer === floor) continue;
    onRates.set(answer.name, onRate(answer.values));
    if (answer.values.length !== contexts.length) {
      problems.push(`${answer.name}: answered ${answer.values.length} of ${contexts.length} contexts`);
      continue;
    }
    let mismatches = 0;
    let first = -1;
    for (let i = 0; i < contexts.length; i++) {
      const comparable = answer.sameBucketsAsFloor || deciders[i] !== "rollout";
      if (comparable && answer.values[i] !== floor.values[i]) {
        mismatches++;
        if (first < 0) first = i;
      }
    }
    if (mismatches > 0) {
      const context = contexts[first];
      problems.push(
        `${answer.name}: disagrees with the floor on ${mismatches} context(s)` +
          `${answer.sameBucketsAsFloor ? "" : " not decided by the rollout"}; first: ` +
          `${JSON.stringify(context)} (decided by ${deciders[first]}) → ${answer.values[first] === 1}, ` +
          `floor → ${floor.values[first] === 1}`,
      );
    }
    const difference = Math.abs(onRate(answer.values) - floorRate);
    if (difference > tolerance) {
      problems.push(
        `${answer.name}: on-rate ${percent(onRate(answer.values))} vs the floor's ${percent(floorRate)} ` +
          `(difference ${percent(difference)} > tolerance ${percent(tolerance)})`,
      );
    }
  }
  return { ruleDecided: contexts.length - inRollout, tolerance, onRates, problems };
}

/** Runs each contender once over all contexts and judges the answers; the first contender is the floor. */
export async function checkContenders(
  contexts: readonly BenchContext[],
  floor: Contender,
  others: readonly Contender[],
): Promise<CheckReport> {
  const answersOf = async (contender: Contender): Promise<Answers> => {
    const values = new Uint8Array(contexts.length);
    await contender.sweep(values);
    return { name: contender.name, sameBucketsAsFloor: contender.sameBucketsAsFloor, values };
  };
  const floorAnswers = await answersOf(floor);
  const answers: Answers[] = [];
  for (const contender of others) answers.push(await answersOf(contender));
  return judgeAnswers(contexts, floorAnswers, answers);
}

function onRate(values: Uint8Array): number {
  let on = 0;
  for (const value of values) on += value;
  return values.length === 0 ? 0 : on / values.length;
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}
