import { describe, expect, it } from "vitest";
import { evaluateTimeExpression } from "./time-expression.js";

const NOW = Date.parse("2025-06-01T12:00:00Z");

describe("rangeQuery time expressions (the forms Argo documents)", () => {
  it.each([
    ["now()", NOW],
    ["  now( )  ", NOW],
    [`now() - duration("10m")`, NOW - 600_000],
    ["now() - duration('1h30m') + duration(`15s`)", NOW - 5_400_000 + 15_000],
    [`date("2025-01-01T00:00:00Z")`, Date.parse("2025-01-01T00:00:00Z")],
    [`date("2025-01-01T02:00:00+02:00") + duration("1m")`, Date.parse("2025-01-01T00:01:00Z")],
  ])("%s", (text, ms) => {
    expect(evaluateTimeExpression(text, NOW)).toEqual({ ok: true, ms });
  });

  it.each([
    ["", /expected now\(\) or date\("…"\) at the end/],
    ["now", /expected now\(\) at the end/],
    ["now() * 2", /expected \+ or - duration\("…"\) at offset 6/],
    [`now() - duration("ten minutes")`, /"ten minutes" is not a duration/],
    [`now() - duration(10m)`, /expected a quoted string in duration/],
    [`date("yesterday")`, /expected an RFC 3339 time/],
    [`time.Now()`, /expected now\(\) or date/],
  ])("refuses %j", (text, message) => {
    const r = evaluateTimeExpression(text, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
