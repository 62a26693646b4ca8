/** Timing: every contender sweeps all contexts once per round, in a freshly shuffled order each round. */
import { type Random, shuffled } from "../lib/prng.js";
import type { Contender } from "./contender.js";

/** Nanoseconds per evaluation, one sample per round, keyed by contender name. */
export type Samples = ReadonlyMap<string, readonly number[]>;

export async function timeRounds(
  contenders: readonly Contender[],
  contextCount: number,
  rounds: number,
  random: Random,
): Promise<Samples> {
  const out = new Uint8Array(contextCount);
  // Warm-up: an untimed sweep each, so the JIT has seen every implementation before the clock runs.
  for (const contender of contenders) await contender.sweep(out);
  const samples = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const contender of shuffled(contenders, random)) {
      // Collect the previous sweep's garbage now, so no one is billed for someone else's.
      globalThis.gc?.();
      const start = process.hrtime.bigint();
      await contender.sweep(out);
      const elapsed = Number(process.hrtime.bigint() - start);
      samples.get(contender.name)?.push(elapsed / contextCount);
    }
  }
  return samples;
}
