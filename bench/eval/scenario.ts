/**
 * The benchmarked flag, the seed's `new_checkout`, as plain data every implementation is built from:
 * on for the beta targets, else for the enterprise plan, else in the launch countries, else for a sticky
 * 25% of user keys; otherwise off.
 */

export const FLAG_KEY = "new_checkout";
export const TARGETS: readonly string[] = ["beta-1", "beta-2"];
export const ENTERPRISE_PLAN = "enterprise";
export const LAUNCH_COUNTRIES: readonly string[] = ["US", "VN", "JP"];
export const ROLLOUT_PERCENT = 25;

/** One user as the benchmark generates it; each implementation converts it to its own context shape. */
export interface BenchContext {
  readonly targetingKey: string;
  readonly plan: string;
  readonly country: string;
}

/** Which step of the flag decides a context; "rollout" is the only one whose answer depends on hashing. */
export type Decider = "target" | "plan" | "country" | "rollout";

export function deciderOf(context: BenchContext): Decider {
  if (TARGETS.includes(context.targetingKey)) return "target";
  if (context.plan === ENTERPRISE_PLAN) return "plan";
  if (LAUNCH_COUNTRIES.includes(context.country)) return "country";
  return "rollout";
}
