/** @openfeature/flagd-core (flagd's in-process evaluator) evaluating `new_checkout` from a flag definition. */
import { FlagdCore } from "@openfeature/flagd-core";
import type { Contender } from "../contender.js";
import {
  type BenchContext,
  ENTERPRISE_PLAN,
  FLAG_KEY,
  LAUNCH_COUNTRIES,
  ROLLOUT_PERCENT,
  TARGETS,
} from "../scenario.js";

/** The core's context type (from @openfeature/core, which this package reaches only through flagd-core). */
type EvaluationContext = NonNullable<Parameters<FlagdCore["resolveBooleanEvaluation"]>[2]>;

/** JsonLogic targeting: an if/else-if chain ending in a fractional split (hash of flag key + targetingKey). */
export const flagdConfiguration = {
  flags: {
    [FLAG_KEY]: {
      state: "ENABLED",
      variants: { on: true, off: false },
      defaultVariant: "off",
      targeting: {
        if: [
          { in: [{ var: "targetingKey" }, [...TARGETS]] },
          "on",
          { "==": [{ var: "plan" }, ENTERPRISE_PLAN] },
          "on",
          { in: [{ var: "country" }, [...LAUNCH_COUNTRIES]] },
          "on",
          {
            fractional: [
              ["on", ROLLOUT_PERCENT],
              ["off", 100 - ROLLOUT_PERCENT],
            ],
          },
        ],
      },
    },
  },
};

export function createFlagd(contexts: readonly BenchContext[]): Contender {
  const core = new FlagdCore();
  core.setConfigurations(JSON.stringify(flagdConfiguration));
  const prepared: EvaluationContext[] = contexts.map((context) => ({
    targetingKey: context.targetingKey,
    plan: context.plan,
    country: context.country,
  }));
  return {
    name: "@openfeature/flagd-core",
    role: "peer",
    sameBucketsAsFloor: false,
    sweep(out) {
      let on = 0;
      let i = 0;
      for (const context of prepared) {
        const value = core.resolveBooleanEvaluation(FLAG_KEY, false, context).value;
        out[i++] = value ? 1 : 0;
        if (value) on++;
      }
      return on;
    },
    close() {},
  };
}
