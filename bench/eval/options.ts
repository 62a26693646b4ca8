/** Run options: the full benchmark by default, a quick one with BENCH_QUICK=1 or --quick. */
import { quickRequested } from "../lib/cli-options.js";

export interface BenchOptions {
  readonly contexts: number;
  readonly rounds: number;
  readonly seed: number;
  readonly quick: boolean;
}

export const FULL: BenchOptions = { contexts: 100_000, rounds: 11, seed: 20_260_630, quick: false };
export const QUICK: BenchOptions = { ...FULL, contexts: 10_000, rounds: 2, quick: true };

export function optionsFrom(env: NodeJS.ProcessEnv, argv: readonly string[]): BenchOptions {
  return quickRequested(env, argv) ? QUICK : FULL;
}
