/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of a string, written for the benchmark's floor so that
 * it shares no code with the engine it is compared against.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const utf8 = new TextEncoder();

/**
 * murmur3_x86_32 of `text` encoded as UTF-8.
 *
 * @example murmur3("hello") === 0x248bfa47
 */
export function murmur3(text: string, seed = 0): number {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return murmur3Bytes(utf8.encode(text), seed);
  }
  return murmur3Ascii(text, seed);
}

/** The common case without encoding: an ASCII string's UTF-8 bytes are its char codes. */
function murmur3Ascii(text: string, seed: number): number {
  const length = text.length;
  const tail = length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < tail; i += 4) {
    const k =
      text.charCodeAt(i) |
      (text.charCodeAt(i + 1) << 8) |
      (text.charCodeAt(i + 2) << 16) |
      (text.charCodeAt(i + 3) << 24);
    h = mixBlock(h, k);
  }
  const rest = length & 3;
  if (rest > 0) {
    let k = text.charCodeAt(tail);
    if (rest > 1) k |= text.charCodeAt(tail + 1) << 8;
    if (rest > 2) k |= text.charCodeAt(tail + 2) << 16;
    h ^= scramble(k);
  }
  return finalize(h, length);
}

/** murmur3_x86_32 of raw bytes. */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  const length = bytes.length;
  const tail = length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < tail; i += 4) {
    const k =
      (bytes[i] ?? 0) |
      ((bytes[i + 1] ?? 0) << 8) |
      ((bytes[i + 2] ?? 0) << 16) |
      ((bytes[i + 3] ?? 0) << 24);
    h = mixBlock(h, k);
  }
  const rest = length & 3;
  if (rest > 0) {
    let k = bytes[tail] ?? 0;
    if (rest > 1) k |= (bytes[tail + 1] ?? 0) << 8;
    if (rest > 2) k |= (bytes[tail + 2] ?? 0) << 16;
    h ^= scramble(k);
  }
  return finalize(h, length);
}

function scramble(k: number): number {
  let s = Math.imul(k, C1);
  s = (s << 15) | (s >>> 17);
  return Math.imul(s, C2);
}

function mixBlock(h: number, k: number): number {
  let m = h ^ scramble(k);
  m = (m << 13) | (m >>> 19);
  return (Math.imul(m, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, length: number): number {
  let f = h ^ length;
  f ^= f >>> 16;
  f = Math.imul(f, 0x85ebca6b);
  f ^= f >>> 13;
  f = Math.imul(f, 0xc2b2ae35);
  f ^= f >>> 16;
  return f >>> 0;
}
