/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of a string, without allocating: the hash behind
 * every sticky bucket in Ramp (flag splits, rollout gates, the proxy's sticky routing).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash state after some bytes: h, pending bytes k, their count n, total length. */
interface State {
  h: number;
  k: number;
  n: number;
  length: number;
}

/** murmur3_x86_32 of the UTF-8 encoding of `key`; an unsigned 32-bit integer. */
export function murmur3(key: string, seed = 0): number {
  const s: State = { h: seed | 0, k: 0, n: 0, length: 0 };
  absorb(s, key);
  return s.n > 0 ? finish(s.h ^ mixK(s.k), s.length) : finish(s.h, s.length);
}

/**
 * A hasher for `prefix + value` that absorbs the constant prefix once, so hashing a bucketing
 * key `salt:value` costs only the value's bytes and allocates nothing.
 */
export function prefixedMurmur3(prefix: string, seed = 0): (value: string) => number {
  const p: State = { h: seed | 0, k: 0, n: 0, length: 0 };
  absorb(p, prefix);
  const s: State = { h: 0, k: 0, n: 0, length: 0 };
  return (value) => {
    s.h = p.h;
    s.k = p.k;
    s.n = p.n;
    s.length = p.length;
    absorb(s, value);
    return s.n > 0 ? finish(s.h ^ mixK(s.k), s.length) : finish(s.h, s.length);
  };
}

function absorb(s: State, key: string): void {
  let h = s.h;
  let k = s.k; // pending bytes, little-endian
  let n = s.n; // number of pending bytes (0..3)
  let length = s.length; // bytes consumed
  const len = key.length;
  for (let i = 0; i < len; i++) {
    let c = key.charCodeAt(i);
    if (c < 0x80) {
      k |= c << (n << 3);
      if (++n === 4) {
        h = mixH(h, k);
        k = 0;
        n = 0;
      }
      length++;
      continue;
    }
    // Multi-byte UTF-8: emit the bytes one at a time through the same accumulator.
    let bytes: number;
    let b0: number;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    if (c < 0x800) {
      bytes = 2;
      b0 = 0xc0 | (c >> 6);
      b1 = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
        const d = key.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate → U+FFFD, as TextEncoder does
      if (c < 0x10000) {
        bytes = 3;
        b0 = 0xe0 | (c >> 12);
        b1 = 0x80 | ((c >> 6) & 63);
        b2 = 0x80 | (c & 63);
      } else {
        bytes = 4;
        b0 = 0xf0 | (c >> 18);
        b1 = 0x80 | ((c >> 12) & 63);
        b2 = 0x80 | ((c >> 6) & 63);
        b3 = 0x80 | (c & 63);
      }
    }
    for (let j = 0; j < bytes; j++) {
      const b = j === 0 ? b0 : j === 1 ? b1 : j === 2 ? b2 : b3;
      k |= b << (n << 3);
      if (++n === 4) {
        h = mixH(h, k);
        k = 0;
        n = 0;
      }
    }
    length += bytes;
  }
  s.h = h;
  s.k = k;
  s.n = n;
  s.length = length;
}
