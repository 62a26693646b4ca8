/**
 * `now()`, `timestamp()`, `duration()` and the calendar accessors. Constant arguments (a timestamp
 * string, a time zone) are checked once at compile time, so a typo fails the config load.
 */

import {
  type Compiled,
  constant,
  dynamic,
  type FunctionDef,
  strict1,
  strict2,
  strictCall,
} from "./compiled.js";
import { fail, invalidArgument, overloadError } from "./errors.js";
import {
  Duration,
  durationPart,
  inTimestampRange,
  parseDuration,
  parseTimestamp,
  TIMESTAMP_PARTS,
  Timestamp,
  type TimestampPart,
  timestampPart,
  timeZone,
  type ZoneShift,
} from "./time.js";
import { typeName } from "./values.js";

function toTimestamp(v: unknown): unknown {
  if (v instanceof Timestamp) return v;
  if (typeof v === "string") {
    const t = parseTimestamp(v);
    return typeof t === "string" ? invalidArgument(t) : t;
  }
  if (typeof v === "number") {
    // timestamp(int) counts seconds since the Unix epoch.
    const ms = v * 1000;
    return Number.isInteger(v) && inTimestampRange(ms)
      ? new Timestamp(ms)
      : invalidArgument(`timestamp: ${v} is out of range`);
  }
  return overloadError("timestamp", typeName(v));
}

function toDuration(v: unknown): unknown {
  if (v instanceof Duration) return v;
  if (typeof v === "string") {
    const d = parseDuration(v);
    return typeof d === "string" ? invalidArgument(d) : d;
  }
  return overloadError("duration", typeName(v));
}

/** `timestamp("…")` / `duration("…")`: a malformed constant is a compile error at the argument. */
function parsedOnce(
  name: string,
  parseText: (s: string) => Timestamp | Duration | string,
  convert: (v: unknown) => unknown,
  type: "timestamp" | "duration",
): FunctionDef {
  return {
    arities: [1],
    compile: (args, offset) => {
      const [arg] = args;
      if (arg?.isConst && typeof arg.value === "string") {
        const r = parseText(arg.value);
        if (typeof r === "string") fail(`invalid ${name}: ${r}`, arg.offset);
        return constant(r, type, offset);
      }
      return strictCall(convert, args, type, offset);
    },
  };
}

function accessor(part: TimestampPart): FunctionDef {
  const plain = (x: unknown): unknown => {
    if (x instanceof Timestamp) return timestampPart(part, x.epochMs);
    if (x instanceof Duration) return durationPart(part, x) ?? overloadError(part, "duration");
    return overloadError(part, typeName(x));
  };
  const zoned = (x: unknown, shift: ZoneShift): unknown =>
    x instanceof Timestamp
      ? timestampPart(part, shift(x.epochMs))
      : overloadError(part, typeName(x), "string");
  return {
    arities: [1, 2],
    compile: (args: readonly Compiled[], offset: number) => {
      const [t, zone] = args;
      if (t === undefined) return fail(`${part}() needs a timestamp`, offset);
      if (zone === undefined) return strict1(plain, t, "int", offset);
      if (zone.isConst && typeof zone.value === "string") {
        const shift = timeZone(zone.value);
        if (typeof shift === "string") fail(shift, zone.offset);
        return strict1((x) => zoned(x, shift), t, "int", offset);
      }
      return strict2(
        (x, name) => {
          if (typeof name !== "string") return overloadError(part, typeName(x), typeName(name));
          const shift = timeZone(name);
          return typeof shift === "string" ? invalidArgument(shift) : zoned(x, shift);
        },
        t,
        zone,
        "int",
        offset,
      );
    },
  };
}

export const TIME_FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map([
  ["timestamp", parsedOnce("timestamp", parseTimestamp, toTimestamp, "timestamp")],
  ["duration", parsedOnce("duration", parseDuration, toDuration, "duration")],
  [
    "now",
    {
      arities: [0],
      compile: (_args: readonly Compiled[], offset: number) =>
        dynamic((_v, e) => new Timestamp(e.now()), "timestamp", offset),
    },
  ],
]);

export const TIME_METHODS: ReadonlyMap<string, FunctionDef> = new Map(
  TIMESTAMP_PARTS.map((p) => [p, accessor(p)]),
);
