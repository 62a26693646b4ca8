import { describe, expect, it } from "vitest";
import { analysisFailure, binomialAtLeast, failingErrors, verdictOdds } from "./statistics.js";

describe("binomialAtLeast", () => {
  it("matches hand-computed tails", () => {
    // 1 − 0.95^100 − 100·0.05·0.95^99
    expect(binomialAtLeast(100, 2, 0.05)).toBeCloseTo(1 - 0.95 ** 100 - 100 * 0.05 * 0.95 ** 99, 12);
    expect(binomialAtLeast(10, 0, 0.3)).toBe(1);
    expect(binomialAtLeast(10, 11, 0.3)).toBe(0);
    expect(binomialAtLeast(4, 4, 0.5)).toBeCloseTo(1 / 16, 12);
  });

  it("sums to one with the lower tail", () => {
    let total = 0;
    for (let k = 0; k <= 50; k++) total += binomialAtLeast(50, k, 0.1) - binomialAtLeast(50, k + 1, 0.1);
    expect(total).toBeCloseTo(1, 12);
  });
});

describe("failingErrors", () => {
  it("is the first error count that breaks `result >= threshold`", () => {
    expect(failingErrors(100, 0.98)).toBe(3); // 98/100 passes, 97/100 fails
    expect(failingErrors(100, 0.99)).toBe(2);
    expect(failingErrors(50, 0.98)).toBe(2);
    expect(failingErrors(10, 1)).toBe(1);
  });
});

describe("verdictOdds", () => {
  it("gives the first verdict's odds for the example template", () => {
    const odds = verdictOdds(100, 0.98, 0.05, 0.005);
    expect(odds.failsAt).toBe(3);
    expect(odds.caught).toBeCloseTo(0.8817, 4);
    expect(odds.falseAlarm).toBeCloseTo(0.0141, 4);
  });
});

describe("analysisFailure", () => {
  it("is the single verdict's odds for one checkpoint", () => {
    expect(analysisFailure([100], 0.98, 0.05)).toBeCloseTo(verdictOdds(100, 0.98, 0.05, 0.005).caught, 12);
  });

  it("grows with every further verdict, less than their sum", () => {
    const one = analysisFailure([100], 0.98, 0.005);
    const five = analysisFailure([100, 120, 140, 160, 180], 0.98, 0.005);
    expect(five).toBeGreaterThan(one);
    expect(five).toBeLessThan(5 * one);
  });
});
