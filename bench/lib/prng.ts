/** Seeded randomness for the benchmark: the same seed gives the same contexts and the same orders. */

/** A function returning floats in [0, 1). */
export type Random = () => number;

/** mulberry32: small, fast and good enough to draw benchmark data (not for cryptography). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/** Picks one of `choices` with probability proportional to its weight. */
export function weightedPick<T>(choices: readonly (readonly [T, number])[], random: Random): T {
  let total = 0;
  for (const [, weight] of choices) total += weight;
  let r = random() * total;
  for (const [value, weight] of choices) {
    r -= weight;
    if (r < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (last === undefined) throw new Error("weightedPick: no choices");
  return last[0];
}
