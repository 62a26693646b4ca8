/**
 * Sticky bucketing: which variant of a split, and whether a rollout gate admits, a context gets.
 * Pure functions of (salt, bucketing value); the hashing modes reproduce Unleash's and flagd's
 * buckets so imported flags keep their users.
 */
import { murmur3, prefixedMurmur3 } from "./hash/murmur3.js";
import type { HashingMode } from "./schema/flag-file.js";

/** Ramp's bucket count: 0.01% granularity. */
export const BUCKETS = 10_000;
const UNLEASH_VARIANT_SEED = 86028157;
const TWO_32 = 2 ** 32;
export const RANDOM_ATTRIBUTE = "$random";

/** Returns the context's bucketing value, or undefined when no bucketBy attribute is present. */
export type KeyOf = (context: Readonly<Record<string, unknown>>, random: () => number) => string | undefined;

function asKey(v: unknown): string | undefined {
  if (typeof v === "string") return v === "" ? undefined : v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return undefined;
}

/** Builds the reader of the bucketing value for `bucketBy` (one attribute or the first present of a list). */
export function keyReader(bucketBy: string | readonly string[]): KeyOf {
  const attrs = typeof bucketBy === "string" ? [bucketBy] : [...bucketBy];
  if (attrs.length === 1 && attrs[0] !== RANDOM_ATTRIBUTE) {
    const a = attrs[0] ?? "targetingKey";
    return (ctx) => {
      const v = ctx[a];
      return typeof v === "string" ? (v === "" ? undefined : v) : asKey(v);
    };
  }
  return (ctx, random) => {
    for (const a of attrs) {
      if (a === RANDOM_ATTRIBUTE) return String(Math.floor(random() * 1e9));
      const v = asKey(ctx[a]);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

/** The Ramp bucket (0 … 9999) of `value` under `salt`: murmur3("salt:value") mod 10000. */
export function bucketOf(salt: string, value: string): number {
  return murmur3(`${salt}:${value}`) % BUCKETS;
}

/**
 * A split chooser: maps a bucketing value to the index of the chosen variant.
 * `weights` are percentages (ramp) or integer weights (unleash, flagd), in variant order.
 */
export function splitChooser(
  mode: HashingMode,
  salt: string,
  weights: readonly number[],
): (value: string) => number {
  const n = weights.length;
  const last = n - 1;
  switch (mode) {
    case "ramp": {
      const hash = prefixedMurmur3(`${salt}:`);
      const ends = cumulative(weights.map((w) => Math.round(w * 100)));
      return (value) => {
        const b = hash(value) % BUCKETS;
        for (let i = 0; i < n; i++) if (b < (ends[i] ?? 0)) return i;
        return last;
      };
    }
    case "unleash": {
      const hash = prefixedMurmur3(`${salt}:`, UNLEASH_VARIANT_SEED);
      const ends = cumulative(weights);
      const total = ends[last] ?? 0;
      return (value) => {
        const target = (hash(value) % total) + 1;
        for (let i = 0; i < n; i++) if ((weights[i] ?? 0) > 0 && (ends[i] ?? 0) >= target) return i;
        return last;
      };
    }
    case "flagd": {
      const hash = prefixedMurmur3(salt);
      const ends = cumulative(weights);
      const total = ends[last] ?? 0;
      return (value) => {
        const b = scaleToTotal(hash(value), total);
        for (let i = 0; i < n; i++) if ((ends[i] ?? 0) > b) return i;
        return last;
      };
    }
  }
}

/** A rollout gate: does the context with this bucketing value fall within `percentage`? */
export function gateChooser(mode: HashingMode, salt: string, percentage: number): (value: string) => boolean {
  switch (mode) {
    case "ramp": {
      const hash = prefixedMurmur3(`${salt}:`);
      const end = Math.round(percentage * 100);
      return (value) => hash(value) % BUCKETS < end;
    }
    case "unleash": {
      const hash = prefixedMurmur3(`${salt}:`);
      return (value) => percentage > 0 && (hash(value) % 100) + 1 <= percentage;
    }
    case "flagd": {
      const hash = prefixedMurmur3(salt);
      const end = Math.round(percentage * 100);
      return (value) => scaleToTotal(hash(value), BUCKETS) < end;
    }
  }
}

/** floor(h × total / 2³²) exactly, as flagd computes its fractional bucket. */
function scaleToTotal(h: number, total: number): number {
  if (total < 2 ** 21) return Math.floor((h * total) / TWO_32);
  return Number((BigInt(h) * BigInt(total)) >> 32n);
}

function cumulative(xs: readonly number[]): number[] {
  let sum = 0;
  return xs.map((x) => {
    sum += x;
    return sum;
  });
}
