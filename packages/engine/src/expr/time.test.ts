import { describe, expect, it } from "vitest";
import { compileExpression, Duration, type EvalEnv, isExprError, Timestamp } from "./index.js";

/** 2026-03-04T05:06:07.089Z, a Wednesday. */
const NOW = Date.parse("2026-03-04T05:06:07.089Z");
const env: EvalEnv = { now: () => NOW };

function run(source: string, vars: Record<string, unknown> = {}, at: EvalEnv = env): unknown {
  const r = compileExpression(source);
  if (!r.ok) throw new Error(`compile error in ${source}: ${r.error.message} at ${r.error.offset}`);
  const v = r.program(vars, at);
  return isExprError(v) ? { error: v.code } : v;
}

function diagnostic(source: string) {
  const r = compileExpression(source);
  if (r.ok) throw new Error(`expected a compile error for ${source}`);
  return r.error;
}

describe("timestamps", () => {
  it.each([
    ["timestamp('2026-01-01T00:00:00Z')", Date.parse("2026-01-01T00:00:00Z")],
    ["timestamp('2026-01-01T00:00:00.123Z')", Date.parse("2026-01-01T00:00:00.123Z")],
    ["timestamp('2026-01-01T02:30:00+02:30')", Date.parse("2026-01-01T00:00:00Z")],
    ["timestamp('2026-01-01t00:00:00z')", Date.parse("2026-01-01T00:00:00Z")],
    ["timestamp('0001-01-01T00:00:00Z')", -62135596800000],
    ["timestamp('9999-12-31T23:59:59.999Z')", 253402300799999],
    ["timestamp('2024-02-29T00:00:00Z')", Date.parse("2024-02-29T00:00:00Z")],
    ["timestamp(1767225600)", Date.parse("2026-01-01T00:00:00Z")],
    ["timestamp(s)", Date.parse("2026-01-01T00:00:00Z")],
  ])("%s", (source, ms) => {
    expect(run(source, { s: "2026-01-01T00:00:00Z" })).toEqual(new Timestamp(ms));
  });

  it.each([
    "timestamp('2026-01-01')",
    "timestamp('2026-13-01T00:00:00Z')",
    "timestamp('2025-02-29T00:00:00Z')",
    "timestamp('2026-01-01T24:00:00Z')",
    "timestamp('2026-01-01T00:00:00')",
    "timestamp('0000-12-31T00:00:00Z')",
  ])("rejects %s at compile time", (source) => {
    const d = diagnostic(source);
    expect(d.message).toContain("invalid timestamp");
    expect(d.offset).toBe(10);
  });

  it("makes a malformed dynamic timestamp an error value", () => {
    expect(run("timestamp(s)", { s: "yesterday" })).toEqual({ error: "invalid_argument" });
  });

  it("reads now() from the injected clock", () => {
    expect(run("now()")).toEqual(new Timestamp(NOW));
    expect(run("now() > timestamp('2026-01-01T00:00:00Z')")).toBe(true);
    expect(run("now() > timestamp('2026-01-01T00:00:00Z')", {}, { now: () => 0 })).toBe(false);
    expect(run("now() - timestamp('2026-03-04T00:00:00Z') < duration('6h')")).toBe(true);
  });

  it.each([
    ["now().getFullYear()", 2026],
    ["now().getMonth()", 2],
    ["now().getDate()", 4],
    ["now().getDayOfMonth()", 3],
    ["now().getDayOfWeek()", 3],
    ["now().getDayOfYear()", 62],
    ["now().getHours()", 5],
    ["now().getMinutes()", 6],
    ["now().getSeconds()", 7],
    ["now().getMilliseconds()", 89],
    ["now().getHours('UTC')", 5],
    ["now().getHours('+05:30')", 10],
    ["now().getMinutes('+05:30')", 36],
    ["now().getHours('-08:00')", 21],
    ["now().getDate('-08:00')", 3],
    ["now().getHours('Asia/Ho_Chi_Minh')", 12],
    ["now().getHours('America/New_York')", 0],
    ["now().getDayOfWeek('America/Los_Angeles')", 2],
    ["now().getHours(zone)", 14],
    ["now().getHours(badZone)", { error: "invalid_argument" }],
    ["timestamp('2026-07-01T12:00:00Z').getHours('Europe/Paris')", 14],
    ["timestamp('2026-01-01T12:00:00Z').getHours('Europe/Paris')", 13],
    ["timestamp('2024-12-31T00:00:00Z').getDayOfYear()", 365],
  ])("%s", (source, expected) => {
    expect(run(source, { zone: "Asia/Tokyo", badZone: "Mars/Olympus" })).toEqual(expected);
  });

  it("rejects an unknown constant time zone at compile time", () => {
    const d = diagnostic("now().getHours('Mars/Olympus')");
    expect(d.message).toContain("not a known time zone");
    expect(d.offset).toBe(15);
  });

  it.each([
    [
      "timestamp('2026-01-01T00:00:00Z') + duration('1h30m')",
      new Timestamp(Date.parse("2026-01-01T01:30:00Z")),
    ],
    ["duration('1h') + timestamp('2026-01-01T00:00:00Z')", new Timestamp(Date.parse("2026-01-01T01:00:00Z"))],
    [
      "timestamp('2026-01-01T00:00:00Z') - duration('24h')",
      new Timestamp(Date.parse("2025-12-31T00:00:00Z")),
    ],
    ["timestamp('2026-01-02T00:00:00Z') - timestamp('2026-01-01T00:00:00Z')", new Duration(86_400_000)],
    ["timestamp('9999-12-31T23:00:00Z') + duration('2h')", { error: "overflow" }],
    ["timestamp('2026-01-01T00:00:00Z') + 1", { error: "no_matching_overload" }],
    [
      "timestamp('2026-01-01T00:00:00Z') + timestamp('2026-01-01T00:00:00Z')",
      { error: "no_matching_overload" },
    ],
  ])("%s", (source, expected) => expect(run(source)).toEqual(expected));
});

describe("durations", () => {
  it.each([
    ["duration('1h30m')", 5_400_000],
    ["duration('90s')", 90_000],
    ["duration('1.5s')", 1500],
    ["duration('-2m')", -120_000],
    ["duration('+2m')", 120_000],
    ["duration('250ms')", 250],
    ["duration('1us')", 0.001],
    ["duration('1µs')", 0.001],
    ["duration('1000000ns')", 1],
    ["duration('0')", 0],
    ["duration('1h1m1s1ms')", 3_661_001],
    ["duration('.5h')", 1_800_000],
  ])("%s", (source, ms) => expect(run(source)).toEqual(new Duration(ms)));

  it.each([
    "duration('')",
    "duration('1')",
    "duration('1d')",
    "duration('h')",
    "duration('1h 30m')",
    "duration('-')",
  ])("rejects %s at compile time", (source) => {
    const d = diagnostic(source);
    expect(d.message).toContain("invalid duration");
    expect(d.offset).toBe(9);
  });

  it.each([
    ["duration('1h') + duration('30m') == duration('90m')", true],
    ["duration('1h') - duration('90m') == duration('-30m')", true],
    ["-duration('1h') == duration('-1h')", true],
    ["duration('1h') < duration('61m')", true],
    ["duration('3h25m').getHours()", 3],
    ["duration('3h25m').getMinutes()", 205],
    ["duration('-90s').getMinutes()", -1],
    ["duration('1.5s').getSeconds()", 1],
    ["duration('1.5s').getMilliseconds()", 1500],
    ["duration('1h').getFullYear()", { error: "no_matching_overload" }],
    ["duration(d) > duration('1m')", true],
    ["duration(bad)", { error: "invalid_argument" }],
  ])("%s", (source, expected) => expect(run(source, { d: "2m", bad: "soon" })).toEqual(expected));
});
