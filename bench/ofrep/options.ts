/**
 * Run options of the OFREP benchmark: 15 s per target by default, 3 s with BENCH_QUICK=1 / --quick;
 * --duration N, --connections N and --no-unleash (or RAMP_BENCH_DURATION, RAMP_BENCH_CONNECTIONS,
 * RAMP_BENCH_UNLEASH=0) override. Bounded so that a run stays within about three minutes.
 */
import { argValue, quickRequested } from "../lib/cli-options.js";

export interface OfrepOptions {
  /** Seconds of timed load per target. */
  readonly durationSec: number;
  /** Seconds of untimed load per target first (JIT, connection pools, caches). */
  readonly warmupSec: number;
  readonly connections: number;
  /** Whether unleash-server is started and measured (the smoke test runs Ramp alone). */
  readonly unleash: boolean;
  readonly quick: boolean;
  /** How many distinct contexts the request bodies rotate through. */
  readonly contexts: number;
  readonly seed: number;
}

export const MAX_DURATION_SEC = 30;
export const MAX_CONNECTIONS = 500;

export const FULL: OfrepOptions = {
  durationSec: 15,
  warmupSec: 3,
  connections: 50,
  unleash: true,
  quick: false,
  contexts: 1_000,
  seed: 20_260_630,
};
export const QUICK: OfrepOptions = { ...FULL, durationSec: 3, warmupSec: 1, quick: true };

export function optionsFrom(env: NodeJS.ProcessEnv, argv: readonly string[]): OfrepOptions {
  const int = (name: string, value: string | undefined, fallback: number, max: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new Error(`--${name} / its environment variable: expected an integer 1–${max}, got '${value}'`);
    return n;
  };
  const quick = quickRequested(env, argv);
  const base = quick ? QUICK : FULL;
  return {
    ...base,
    durationSec: int(
      "duration",
      argValue(argv, "duration") ?? env.RAMP_BENCH_DURATION,
      base.durationSec,
      MAX_DURATION_SEC,
    ),
    connections: int(
      "connections",
      argValue(argv, "connections") ?? env.RAMP_BENCH_CONNECTIONS,
      base.connections,
      MAX_CONNECTIONS,
    ),
    unleash: !argv.includes("--no-unleash") && env.RAMP_BENCH_UNLEASH !== "0",
  };
}
