import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

// Go's time.ParseDuration, which Argo uses for interval, initialDelay and friends.
describe("durations as Argo reads them", () => {
  it.each([
    ["30s", 30_000],
    ["1m", 60_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["500ms", 500],
    ["1m0.5s", 60_500],
    ["0", 0],
    ["-1m", -60_000],
    ["1000us", 1],
  ] as const)("%s → %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "1", "1d", "m", "1 m", "one minute", ".s", "1m-1s"])("%j is not a duration", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [90_000, "1m30s"],
    [180_000, "3m"],
    [500, "500ms"],
    [0, "0s"],
  ] as const)("formats %i as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
