/**
 * An independent, deliberately plain murmur3 and the three bucket formulas of docs/flag-format.md,
 * used only to derive and check the conformance data: it shares no code with the engine's hash, so
 * a bug there cannot hide by agreeing with itself.
 */

const encoder = new TextEncoder();

function rotl32(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/** 32-bit multiplication modulo 2³², split into 16-bit halves so no product exceeds 2⁵³. */
function mul32(a: number, b: number): number {
  const aHi = (a >>> 16) & 0xffff;
  const aLo = a & 0xffff;
  return (aLo * b + (((aHi * b) & 0xffff) << 16)) >>> 0;
}

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `text`, as an unsigned integer. */
export function referenceMurmur3(text: string, seed = 0): number {
  const bytes = encoder.encode(text);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = Math.floor(bytes.length / 4);
  for (let b = 0; b < blocks; b++) {
    const i = b * 4;
    let k =
      ((bytes[i] ?? 0) |
        ((bytes[i + 1] ?? 0) << 8) |
        ((bytes[i + 2] ?? 0) << 16) |
        ((bytes[i + 3] ?? 0) << 24)) >>>
      0;
    k = mul32(k, c1);
    k = rotl32(k, 15);
    k = mul32(k, c2);
    h = (h ^ k) >>> 0;
    h = rotl32(h, 13);
    h = (mul32(h, 5) + 0xe6546b64) >>> 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length - tail;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= (bytes[tail + 2] ?? 0) << 16;
    if (rest >= 2) k ^= (bytes[tail + 1] ?? 0) << 8;
    k ^= bytes[tail] ?? 0;
    k = mul32(k >>> 0, c1);
    k = rotl32(k, 15);
    k = mul32(k, c2);
    h = (h ^ k) >>> 0;
  }
  h = (h ^ bytes.length) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul32(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul32(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Unleash's seed for variant buckets. */
export const UNLEASH_VARIANT_SEED = 86028157;

/** Index of the range `bucket` falls in, ranges being consecutive with these widths (first range wins ties). */
function rangeIndex(bucket: number, widths: readonly number[], inclusiveEnd: boolean): number {
  let end = 0;
  for (const [i, w] of widths.entries()) {
    if (w <= 0) continue;
    end += w;
    if (inclusiveEnd ? bucket <= end : bucket < end) return i;
  }
  return widths.length - 1;
}

/** hashing: ramp — bucket = murmur3("salt:value") mod 10000; percentages take 100 buckets per percent. */
export function rampBucket(salt: string, value: string): number {
  return referenceMurmur3(`${salt}:${value}`) % 10_000;
}

export function rampVariant(salt: string, value: string, percentages: readonly number[]): number {
  return rangeIndex(
    rampBucket(salt, value),
    percentages.map((p) => Math.round(p * 100)),
    false,
  );
}

export function rampGate(salt: string, value: string, percentage: number): boolean {
  return rampBucket(salt, value) < Math.round(percentage * 100);
}

/** hashing: unleash — variants: murmur3("salt:value", 86028157) mod total + 1, first cumulative weight ≥ it. */
export function unleashVariantBucket(salt: string, value: string, total: number): number {
  return (referenceMurmur3(`${salt}:${value}`, UNLEASH_VARIANT_SEED) % total) + 1;
}

export function unleashVariant(salt: string, value: string, weights: readonly number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  return rangeIndex(unleashVariantBucket(salt, value, total), weights, true);
}

/** hashing: unleash — gates: murmur3("salt:value") mod 100 + 1 ≤ percentage. */
export function unleashGateBucket(salt: string, value: string): number {
  return (referenceMurmur3(`${salt}:${value}`) % 100) + 1;
}

export function unleashGate(salt: string, value: string, percentage: number): boolean {
  return percentage > 0 && unleashGateBucket(salt, value) <= percentage;
}

/** hashing: flagd — floor(murmur3(salt + value) × total / 2³²), no separator. */
export function flagdBucket(salt: string, value: string, total: number): number {
  return Number((BigInt(referenceMurmur3(salt + value)) * BigInt(total)) / 2n ** 32n);
}

export function flagdVariant(salt: string, value: string, weights: readonly number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  return rangeIndex(flagdBucket(salt, value, total), weights, false);
}
