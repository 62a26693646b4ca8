/**
 * @growthbook/growthbook evaluating `new_checkout` through its multi-user `GrowthBookClient`: one
 * instance holds the features and each call passes the user's context, so nothing is created per user.
 * `initSync` with a payload and no polling or streaming never touches the network.
 */
import { type FeatureDefinitions, GrowthBookClient, type UserContext } from "@growthbook/growthbook";
import type { Contender } from "../contender.js";
import {
  type BenchContext,
  ENTERPRISE_PLAN,
  FLAG_KEY,
  LAUNCH_COUNTRIES,
  ROLLOUT_PERCENT,
  TARGETS,
} from "../scenario.js";

/** Forced-value rules, the first passing one wins; the last is a percentage rollout on `id`. */
export const growthbookFeatures: FeatureDefinitions = {
  [FLAG_KEY]: {
    defaultValue: false,
    rules: [
      { id: "targets", condition: { id: { $in: [...TARGETS] } }, force: true },
      { id: "enterprise", condition: { plan: ENTERPRISE_PLAN }, force: true },
      { id: "launch-countries", condition: { country: { $in: [...LAUNCH_COUNTRIES] } }, force: true },
      {
        id: "rollout",
        force: true,
        coverage: ROLLOUT_PERCENT / 100,
        hashAttribute: "id",
        seed: FLAG_KEY,
        hashVersion: 2,
      },
    ],
  },
};

export function createGrowthBook(contexts: readonly BenchContext[]): Contender {
  const client = new GrowthBookClient().initSync({ payload: { features: growthbookFeatures } });
  const prepared: UserContext[] = contexts.map((context) => ({
    attributes: { id: context.targetingKey, plan: context.plan, country: context.country },
  }));
  return {
    name: "@growthbook/growthbook",
    role: "peer",
    sameBucketsAsFloor: false,
    sweep(out) {
      let on = 0;
      let i = 0;
      for (const context of prepared) {
        const value = client.isOn(FLAG_KEY, context);
        out[i++] = value ? 1 : 0;
        if (value) on++;
      }
      return on;
    },
    close() {
      client.destroy();
    },
  };
}
