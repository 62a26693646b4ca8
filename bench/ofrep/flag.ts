/**
 * `new_checkout` as each server is given it — Ramp: the flag (and the file's segments) from
 * examples/flags.yaml through `POST /api/v1/apply`; Unleash: four flexibleRollout strategies through its
 * admin API — and the request bodies and expected answers for one benchmark context.
 */
import { normalizedStrategyValue } from "unleash-client/lib/strategy/util.js";
import { newCheckoutFloor } from "../eval/contenders/floor.js";
import { readFlagsFile } from "../eval/contenders/ramp.js";
import {
  type BenchContext,
  deciderOf,
  ENTERPRISE_PLAN,
  FLAG_KEY,
  LAUNCH_COUNTRIES,
  ROLLOUT_PERCENT,
  TARGETS,
} from "../eval/scenario.js";

export { FLAG_KEY };

/**
 * The body of `POST /api/v1/apply`: examples/flags.yaml with `new_checkout` as its only flag, so Ramp's
 * bulk evaluation, like Unleash's frontend API, evaluates exactly one flag.
 */
export function rampFlagFile(): Record<string, unknown> {
  const file = readFlagsFile();
  if (typeof file !== "object" || file === null || !("flags" in file))
    throw new Error("examples/flags.yaml: expected a flag file with a 'flags' map");
  const flags = file.flags;
  const flag = typeof flags === "object" && flags !== null && FLAG_KEY in flags ? flags[FLAG_KEY] : undefined;
  if (flag === undefined) throw new Error(`examples/flags.yaml: flags.${FLAG_KEY} is missing`);
  return { ...file, flags: { [FLAG_KEY]: flag } };
}

/** One strategy as `POST /api/admin/projects/:project/features/:flag/environments/:env/strategies` takes it. */
export interface UnleashStrategy {
  readonly name: "flexibleRollout";
  readonly parameters: { readonly rollout: string; readonly stickiness: string; readonly groupId: string };
  readonly constraints: readonly {
    readonly contextName: string;
    readonly operator: "IN";
    readonly values: readonly string[];
  }[];
}

const everyone = (contextName: string, values: readonly string[]): UnleashStrategy => ({
  name: "flexibleRollout",
  parameters: { rollout: "100", stickiness: "default", groupId: FLAG_KEY },
  constraints: [{ contextName, operator: "IN", values }],
});

/**
 * The production environment's strategies; Unleash turns the flag on when any one matches. Targets are
 * a `userId IN` constraint: the built-in `userWithId` strategy is deprecated in current Unleash.
 */
export const UNLEASH_STRATEGIES: readonly UnleashStrategy[] = [
  everyone("userId", TARGETS),
  everyone("plan", [ENTERPRISE_PLAN]),
  everyone("country", LAUNCH_COUNTRIES),
  {
    name: "flexibleRollout",
    parameters: { rollout: String(ROLLOUT_PERCENT), stickiness: "userId", groupId: FLAG_KEY },
    constraints: [],
  },
];

/** `{ context }` for Ramp's OFREP routes. */
export function rampBody(context: BenchContext): string {
  return JSON.stringify({
    context: { targetingKey: context.targetingKey, plan: context.plan, country: context.country },
  });
}

/** `{ context }` for Unleash's `POST /api/frontend`: custom fields go under `properties`. */
export function unleashBody(context: BenchContext): string {
  return JSON.stringify({
    context: { userId: context.targetingKey, properties: { plan: context.plan, country: context.country } },
  });
}

/** What Ramp must answer: its buckets are the floor's (murmur3 of `new_checkout:<key>`, 10,000 buckets). */
export function expectedRamp(context: BenchContext): boolean {
  return newCheckoutFloor(context);
}

/** What Unleash must answer: the rules, else its own rollout hash (murmur3 of `new_checkout:<userId>` % 100 + 1). */
export function expectedUnleash(context: BenchContext): boolean {
  if (deciderOf(context) !== "rollout") return true;
  return normalizedStrategyValue(context.targetingKey, FLAG_KEY) <= ROLLOUT_PERCENT;
}
