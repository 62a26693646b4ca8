import { describe, expect, it } from "vitest";
import { argValue, positiveIntOr, quickRequested } from "./cli-options.js";

describe("argValue", () => {
  it("returns the word after the flag, or undefined when the flag or its value is missing", () => {
    expect(argValue(["--rounds", "4", "--clients", "9"], "clients")).toBe("9");
    expect(argValue(["--rounds", "4"], "clients")).toBeUndefined();
    expect(argValue(["--clients"], "clients")).toBeUndefined();
  });
});

describe("positiveIntOr", () => {
  it("keeps a positive integer, caps it at max, and falls back on anything else", () => {
    expect(positiveIntOr("7", 3, 10)).toBe(7);
    expect(positiveIntOr("50", 3, 10)).toBe(10);
    for (const bad of [undefined, "", "0", "-2", "1.5", "x"]) expect(positiveIntOr(bad, 3, 10)).toBe(3);
  });
});

describe("quickRequested", () => {
  it("is on for --quick or BENCH_QUICK other than 0", () => {
    expect(quickRequested({}, ["--quick"])).toBe(true);
    expect(quickRequested({ BENCH_QUICK: "1" }, [])).toBe(true);
    expect(quickRequested({ BENCH_QUICK: "0" }, [])).toBe(false);
    expect(quickRequested({}, [])).toBe(false);
  });
});
