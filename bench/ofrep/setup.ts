/**
 * Everything the OFREP benchmark runs against — one PostgreSQL cluster, Ramp's server on it and
 * (optionally) unleash-server on it, both seeded with `new_checkout` — and the correctness check;
 * shared by run.ts and its smoke test.
 */

import { startPostgres } from "@ramp/server/testing";
import { generateContexts } from "../eval/contexts.js";
import type { BenchContext } from "../eval/scenario.js";
import type { Teardown } from "../lib/teardown.js";
import { type CheckContext, checkContexts, judge } from "./check.js";
import type { OfrepOptions } from "./options.js";
import { startRamp } from "./ramp.js";
import { answersOf, rampTargets, type Target, unleashTarget } from "./targets.js";
import { startUnleash } from "./unleash.js";

export interface Setup {
  readonly contexts: readonly BenchContext[];
  /** Ramp's targets first, then Unleash's when it runs. */
  readonly targets: readonly Target[];
  readonly checks: readonly CheckContext[];
  readonly versions: { readonly postgres: string; readonly unleash?: string; readonly unleashNode?: string };
}

/**
 * Starts and seeds everything, registering each piece's shutdown on `teardown` as soon as it runs. The
 * caller runs `teardown` whatever happens, including when this rejects halfway.
 */
export async function setUp(
  options: Pick<OfrepOptions, "unleash" | "contexts" | "seed">,
  teardown: Teardown,
  log: (line: string) => void = () => {},
): Promise<Setup> {
  const contexts = generateContexts(options.contexts, options.seed);
  // Teardown handles SIGINT / SIGTERM: PostgreSQL must stop after the servers using it, not before.
  const cluster = await startPostgres({ tempPrefix: "ramp-bench-pg-", stopOnSignals: false });
  teardown.defer("PostgreSQL", () => cluster.stop());
  const ramp = await startRamp(await cluster.createDatabase("ramp"));
  teardown.defer("Ramp server", () => ramp.process.stop());
  const targets = rampTargets(ramp, contexts);
  let versions: Setup["versions"] = { postgres: cluster.version };
  if (options.unleash) {
    const unleash = await startUnleash(await cluster.createDatabase("unleash"), log);
    teardown.defer("unleash-server", () => unleash.process.stop());
    targets.push(unleashTarget(unleash, contexts));
    versions = { ...versions, unleash: unleash.version, unleashNode: unleash.nodeVersion };
  }
  return { contexts, targets, checks: checkContexts(contexts), versions };
}

/** The correctness gate: every target asked about every check context; empty when all is as expected. */
export async function verify(setup: Setup): Promise<string[]> {
  const answered = [];
  for (const target of setup.targets) answered.push(await answersOf(target, setup.checks));
  return judge(setup.checks, answered);
}
