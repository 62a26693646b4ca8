/** The one list of implementations under test; the runner and the smoke test both take it from here. */
import type { ContenderFactory } from "../contender.js";
import { createFlagd } from "./flagd.js";
import { createFloor } from "./floor.js";
import { createGrowthBook } from "./growthbook.js";
import { createLaunchDarkly } from "./launchdarkly.js";
import { createRamp } from "./ramp.js";
import { createUnleash } from "./unleash.js";

export const CONTENDERS: readonly ContenderFactory[] = [
  createFloor,
  (contexts) => createRamp(contexts),
  createUnleash,
  createGrowthBook,
  createFlagd,
  createLaunchDarkly,
];
