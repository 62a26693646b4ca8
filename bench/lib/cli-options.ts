/** The pieces of command-line and environment parsing the benchmarks' run scripts share. */

/** The word after `--name` in argv, or undefined when the flag is absent. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** A positive integer capped at `max`; anything else (absent, not a positive integer) gives `fallback`. */
export function positiveIntOr(value: string | undefined, fallback: number, max: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

/** The quick variant of a benchmark: `--quick`, or BENCH_QUICK set to anything but "0". */
export function quickRequested(env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  return argv.includes("--quick") || (env.BENCH_QUICK !== undefined && env.BENCH_QUICK !== "0");
}
