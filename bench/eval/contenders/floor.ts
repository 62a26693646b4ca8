/** The floor: `new_checkout` hand-written in plain JavaScript, the least work any engine could do. */
import { murmur3 } from "../../lib/murmur3.js";
import type { Contender } from "../contender.js";
import {
  type BenchContext,
  ENTERPRISE_PLAN,
  FLAG_KEY,
  LAUNCH_COUNTRIES,
  ROLLOUT_PERCENT,
  TARGETS,
} from "../scenario.js";

const targets = new Set(TARGETS);
const launchCountries = new Set(LAUNCH_COUNTRIES);
const BUCKETS = 10_000;
const rolloutBuckets = (ROLLOUT_PERCENT * BUCKETS) / 100;

/** The flag's logic with nothing generic about it. */
export function newCheckoutFloor(context: BenchContext): boolean {
  if (targets.has(context.targetingKey)) return true;
  if (context.plan === ENTERPRISE_PLAN) return true;
  if (launchCountries.has(context.country)) return true;
  return murmur3(`${FLAG_KEY}:${context.targetingKey}`) % BUCKETS < rolloutBuckets;
}

export function createFloor(contexts: readonly BenchContext[]): Contender {
  return {
    name: "floor",
    role: "floor",
    sameBucketsAsFloor: true,
    sweep(out) {
      let on = 0;
      let i = 0;
      for (const context of contexts) {
        const value = newCheckoutFloor(context);
        out[i++] = value ? 1 : 0;
        if (value) on++;
      }
      return on;
    },
    close() {},
  };
}
