/**
 * unleash-client evaluating `new_checkout` offline, its documented way: the flag comes from `bootstrap`,
 * `refreshInterval: 0` turns off fetching (the fetcher returns before any request), metrics are
 * disabled, and the in-memory storage provider replaces the default one, which would otherwise read and
 * write a backup file in the OS temp directory. The URL the client insists on is never contacted.
 */
import { once } from "node:events";
import {
  type ClientFeaturesResponse,
  type Context,
  InMemStorageProvider,
  Unleash,
  UnleashEvents,
} from "unleash-client";
// The constraint operator enum is not re-exported from the package root.
import { Operator } from "unleash-client/lib/strategy/strategy.js";
import type { Contender } from "../contender.js";
import {
  type BenchContext,
  ENTERPRISE_PLAN,
  FLAG_KEY,
  LAUNCH_COUNTRIES,
  ROLLOUT_PERCENT,
  TARGETS,
} from "../scenario.js";

type Feature = ClientFeaturesResponse["features"][number];

/** The flag as the Unleash server would send it: one strategy per step, the first enabled one wins. */
export const unleashFeature: Feature = {
  name: FLAG_KEY,
  enabled: true,
  strategies: [
    { name: "userWithId", parameters: { userIds: TARGETS.join(",") }, constraints: [] },
    {
      name: "flexibleRollout",
      parameters: { rollout: "100", stickiness: "default", groupId: FLAG_KEY },
      constraints: [
        { contextName: "plan", operator: Operator.IN, inverted: false, values: [ENTERPRISE_PLAN] },
      ],
    },
    {
      name: "flexibleRollout",
      parameters: { rollout: "100", stickiness: "default", groupId: FLAG_KEY },
      constraints: [
        { contextName: "country", operator: Operator.IN, inverted: false, values: [...LAUNCH_COUNTRIES] },
      ],
    },
    {
      name: "flexibleRollout",
      parameters: { rollout: String(ROLLOUT_PERCENT), stickiness: "userId", groupId: FLAG_KEY },
      constraints: [],
    },
  ],
};

export async function createUnleash(contexts: readonly BenchContext[]): Promise<Contender> {
  const unleash = new Unleash({
    appName: "ramp-bench",
    url: "http://unleash.invalid/api/",
    bootstrap: { data: [unleashFeature] },
    storageProvider: new InMemStorageProvider(),
    refreshInterval: 0,
    disableMetrics: true,
    metricsInterval: 0,
    disableAutoStart: true,
    skipInstanceCountWarning: true,
  });
  const problems: unknown[] = [];
  unleash.on(UnleashEvents.Error, (error: unknown) => problems.push(error));
  unleash.on(UnleashEvents.Warn, (warning: unknown) => problems.push(warning));
  const ready = once(unleash, UnleashEvents.Ready, { signal: AbortSignal.timeout(5_000) });
  await unleash.start();
  await ready.catch(() => undefined);
  if (!unleash.isEnabled(FLAG_KEY, { userId: TARGETS[0] })) {
    unleash.destroy();
    throw new Error(`unleash-client did not load the flag offline: ${problems.map(String).join("; ")}`);
  }
  const prepared: Context[] = contexts.map((context) => ({
    userId: context.targetingKey,
    properties: { plan: context.plan, country: context.country },
  }));
  return {
    name: "unleash-client",
    role: "peer",
    sameBucketsAsFloor: false,
    sweep(out) {
      let on = 0;
      let i = 0;
      for (const context of prepared) {
        const value = unleash.isEnabled(FLAG_KEY, context);
        out[i++] = value ? 1 : 0;
        if (value) on++;
      }
      return on;
    },
    close() {
      unleash.destroy();
    },
  };
}
