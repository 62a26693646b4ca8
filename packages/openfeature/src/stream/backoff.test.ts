import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay } from "./backoff.js";

const policy = { initialDelayMs: 100, maxDelayMs: 2_000 };

describe("backoff", () => {
  it("doubles the ceiling per attempt and caps it", () => {
    expect(Array.from({ length: 8 }, (_, n) => backoffCeiling(n, policy))).toEqual([
      100, 200, 400, 800, 1600, 2000, 2000, 2000,
    ]);
    expect(backoffCeiling(10_000, policy)).toBe(2_000);
  });

  it("draws uniformly below the ceiling (full jitter)", () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
    expect(backoffDelay(3, policy, () => 0.999_999)).toBe(799);
    expect(backoffDelay(9, policy, () => 0.999_999)).toBe(1_999);
  });
});
