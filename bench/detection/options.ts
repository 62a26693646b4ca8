/**
 * Run options: 3 trials by default; quick (BENCH_QUICK=1 or --quick) runs one, with shorter warm-up and
 * confirmation. --trials N (or RAMP_BENCH_TRIALS) overrides, at most 10.
 */
import { quickRequested } from "../lib/cli-options.js";
import type { TrialOptions } from "./trial.js";

export interface DetectionOptions extends TrialOptions {
  readonly trials: number;
  readonly quick: boolean;
}

export const MAX_TRIALS = 10;

export const FULL: DetectionOptions = {
  trials: 3,
  warmupSeconds: 2,
  confirmSeconds: 2,
  timeoutSeconds: 90,
  quick: false,
};
export const QUICK: DetectionOptions = {
  ...FULL,
  trials: 1,
  warmupSeconds: 1,
  confirmSeconds: 1,
  quick: true,
};

export function optionsFrom(env: NodeJS.ProcessEnv, argv: readonly string[]): DetectionOptions {
  const quick = quickRequested(env, argv);
  const base = quick ? QUICK : FULL;
  const i = argv.indexOf("--trials");
  const raw = i >= 0 ? argv[i + 1] : env.RAMP_BENCH_TRIALS;
  if (raw === undefined) return base;
  const trials = Number(raw);
  if (!Number.isInteger(trials) || trials < 1 || trials > MAX_TRIALS)
    throw new Error(`--trials / RAMP_BENCH_TRIALS: expected an integer 1–${MAX_TRIALS}, got '${raw}'`);
  return { ...base, trials };
}
