/**
 * @launchdarkly/node-server-sdk evaluating `new_checkout` with no network. Not `offline: true`: in that
 * mode the SDK skips its data source and every `variation()` answers the caller's default. Instead the
 * flag is fed in by the SDK's `TestData` source (in memory), with events and diagnostics off.
 */
import { basicLogger, init, type LDContext, TestData } from "@launchdarkly/node-server-sdk";
import type { Contender } from "../contender.js";
import {
  type BenchContext,
  ENTERPRISE_PLAN,
  FLAG_KEY,
  LAUNCH_COUNTRIES,
  ROLLOUT_PERCENT,
  TARGETS,
} from "../scenario.js";

const OFF = 0;
const ON = 1;
/** LaunchDarkly rollout weights are in thousandths of a percent. */
const WEIGHT_PER_PERCENT = 1000;

/** The flag in LaunchDarkly's server-side data model: targets, two rules, a rollout fallthrough. */
export const launchDarklyFlag = {
  key: FLAG_KEY,
  version: 1,
  on: true,
  variations: [false, true],
  offVariation: OFF,
  targets: [{ values: [...TARGETS], variation: ON }],
  rules: [
    {
      id: "enterprise",
      clauses: [{ attribute: "plan", op: "in", values: [ENTERPRISE_PLAN], negate: false }],
      variation: ON,
    },
    {
      id: "launch-countries",
      clauses: [{ attribute: "country", op: "in", values: [...LAUNCH_COUNTRIES], negate: false }],
      variation: ON,
    },
  ],
  fallthrough: {
    rollout: {
      bucketBy: "key",
      variations: [
        { variation: ON, weight: ROLLOUT_PERCENT * WEIGHT_PER_PERCENT },
        { variation: OFF, weight: (100 - ROLLOUT_PERCENT) * WEIGHT_PER_PERCENT },
      ],
    },
  },
  salt: FLAG_KEY,
};

export async function createLaunchDarkly(contexts: readonly BenchContext[]): Promise<Contender> {
  const testData = new TestData();
  await testData.usePreconfiguredFlag(launchDarklyFlag);
  const client = init("sdk-offline-bench", {
    updateProcessor: testData.getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: basicLogger({ level: "warn" }),
  });
  await client.waitForInitialization({ timeout: 5 });
  const prepared: LDContext[] = contexts.map((context) => ({
    kind: "user",
    key: context.targetingKey,
    plan: context.plan,
    country: context.country,
  }));
  return {
    name: "@launchdarkly/node-server-sdk",
    role: "peer",
    sameBucketsAsFloor: false,
    async sweep(out) {
      let on = 0;
      let i = 0;
      for (const context of prepared) {
        const value = (await client.variation(FLAG_KEY, context, false)) === true;
        out[i++] = value ? 1 : 0;
        if (value) on++;
      }
      return on;
    },
    close() {
      client.close();
    },
  };
}
