import { describe, expect, it } from "vitest";
import { murmur3, murmur3Bytes } from "./murmur3.js";

// Reference values from the canonical C implementation (MurmurHash3_x86_32, seed 0) over UTF-8 bytes.
const VECTORS: readonly (readonly [string, number])[] = [
  ["", 0],
  ["a", 1009084850],
  ["ab", 2613040991],
  ["abc", 3017643002],
  ["abcd", 1139631978],
  ["hello", 0x248bfa47],
  ["Hello, world!", 0xc0363e43],
  ["new_checkout:user-42", 3837052611],
  ["héllo wörld", 2549609076],
  ["日本語", 2779017879],
  ["😀x", 1914495294],
];

describe("murmur3", () => {
  it.each(VECTORS)("hashes %j to %i", (text, expected) => {
    expect(murmur3(text)).toBe(expected);
    expect(murmur3Bytes(new TextEncoder().encode(text))).toBe(expected);
  });

  it("honours the seed", () => {
    expect(murmur3("", 1)).toBe(0x514e28b7);
    expect(murmur3("hello", 1)).not.toBe(murmur3("hello"));
  });
});
