/** The benchmark's users, drawn from a seeded PRNG so every run evaluates the same population. */
import { mulberry32, weightedPick } from "../lib/prng.js";
import { type BenchContext, TARGETS } from "./scenario.js";

const PLANS: readonly (readonly [string, number])[] = [
  ["free", 70],
  ["pro", 20],
  ["enterprise", 10],
];

/** Roughly the shape of a global consumer audience; US + VN + JP is about a third of it. */
const COUNTRIES: readonly (readonly [string, number])[] = [
  ["US", 24],
  ["IN", 9],
  ["GB", 6],
  ["DE", 6],
  ["JP", 6],
  ["BR", 5],
  ["FR", 5],
  ["CA", 4],
  ["VN", 4],
  ["ID", 4],
  ["MX", 4],
  ["ES", 3],
  ["IT", 3],
  ["KR", 3],
  ["AU", 3],
  ["NL", 2],
  ["PL", 2],
  ["TR", 2],
  ["SE", 1],
  ["SG", 1],
];

/** How many contexts carry each beta target key (with whatever plan and country they drew). */
const APPEARANCES_PER_TARGET = 3;

/**
 * `count` contexts with targeting keys `user-<i>`, except a few positions that carry the beta targets.
 */
export function generateContexts(count: number, seed: number): BenchContext[] {
  const random = mulberry32(seed);
  const contexts: BenchContext[] = [];
  for (let i = 0; i < count; i++) {
    contexts.push({
      targetingKey: `user-${i}`,
      plan: weightedPick(PLANS, random),
      country: weightedPick(COUNTRIES, random),
    });
  }
  for (const target of TARGETS) {
    for (let n = 0; n < APPEARANCES_PER_TARGET; n++) {
      const at = Math.floor(random() * count);
      const context = contexts[at];
      if (context !== undefined) contexts[at] = { ...context, targetingKey: target };
    }
  }
  return contexts;
}
