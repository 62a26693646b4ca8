import { describe, expect, it } from "vitest";
import {
  flagdBucket,
  flagdVariant,
  rampBucket,
  rampGate,
  rampVariant,
  referenceMurmur3,
  unleashGate,
  unleashVariant,
} from "./reference-hash.js";

describe("referenceMurmur3", () => {
  // Published MurmurHash3_x86_32 vectors (SMHasher and the reference implementation's users).
  it.each([
    ["", 0, 0],
    ["", 1, 0x514e28b7],
    ["", 0xffffffff, 0x81f16f39],
    ["a", 0x9747b28c, 0x7fa09ea6],
    ["aaaa", 0x9747b28c, 0x5a97808a],
    ["abc", 0, 0xb3dd93fa],
    ["test", 0, 0xba6bd213],
    ["Hello, world!", 0, 0xc0363e43],
    ["The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723],
  ])("murmur3(%j, %d)", (text, seed, want) => {
    expect(referenceMurmur3(text, seed)).toBe(want);
  });

  // Non-ASCII text hashes its UTF-8 bytes; values from murmurhash3js fed the same bytes.
  it.each([
    ["é", 0x10110787],
    ["héllo", 0xbc9fa068],
    ["ユーザー-1", 0xc6b41706],
    ["😀", 0xbeb42efa],
  ])("hashes the UTF-8 bytes of %j", (text, want) => {
    expect(referenceMurmur3(text)).toBe(want);
  });
});

describe("bucket formulas", () => {
  it("ramp: consecutive ranges of 100 buckets per percent", () => {
    const b = rampBucket("s", "k");
    expect(rampVariant("s", "k", [b / 100 + 0.01, 100 - b / 100 - 0.01])).toBe(0);
    expect(rampVariant("s", "k", [b / 100, 100 - b / 100])).toBe(1);
    expect(rampGate("s", "k", (b + 1) / 100)).toBe(true);
    expect(rampGate("s", "k", b / 100)).toBe(false);
  });

  it("skips zero-width ranges", () => {
    expect(rampVariant("s", "k", [0, 100, 0])).toBe(1);
    expect(unleashVariant("s", "k", [0, 5, 0])).toBe(1);
    expect(flagdVariant("s", "k", [0, 0, 3])).toBe(2);
  });

  it("unleash gates: 0 admits nobody, 100 everybody", () => {
    expect(unleashGate("s", "k", 0)).toBe(false);
    expect(unleashGate("s", "k", 100)).toBe(true);
  });

  it("flagd: floor(h × total / 2^32) stays below total", () => {
    for (let i = 0; i < 1000; i++) expect(flagdBucket("f", `k${i}`, 7)).toBeLessThan(7);
  });
});
