/**
 * Timestamps and durations as expression values: RFC 3339 and Go-style duration parsing, formatting,
 * and the calendar accessors (`getHours()`, …) in UTC, a fixed offset or an IANA time zone.
 * Both are held in milliseconds (fractions allowed), so precision below a microsecond is not kept.
 */

import { OpaqueValue } from "./opaque.js";

/** A point in time, `epochMs` milliseconds after 1970-01-01T00:00:00Z. */
export class Timestamp extends OpaqueValue {
  readonly epochMs: number;
  constructor(epochMs: number) {
    super();
    this.epochMs = epochMs;
  }
}

/** A signed length of time in milliseconds. */
export class Duration extends OpaqueValue {
  readonly ms: number;
  constructor(ms: number) {
    super();
    this.ms = ms;
  }
}

/** CEL's range: 0001-01-01T00:00:00Z … 9999-12-31T23:59:59.999999999Z. */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300800000;

export function inTimestampRange(ms: number): boolean {
  return ms >= MIN_MS && ms < MAX_MS;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function utcMs(year: number, month: number, day: number, h: number, m: number, s: number): number {
  // Date.UTC maps years 0–99 to 1900–1999, so set the full year explicitly.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, s, 0);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0, 0, 0, 0)).getUTCDate();
}

/** Parses an RFC 3339 timestamp; returns an explanation string when it is not one. */
export function parseTimestamp(text: string): Timestamp | string {
  const m = RFC3339.exec(text);
  const bad = `'${text}' is not an RFC 3339 timestamp (e.g. 2026-01-01T00:00:00Z)`;
  if (m === null) return bad;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    return bad;
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return `${bad}: no such date`;
  if (hour > 23 || minute > 59 || second > 59) return `${bad}: no such time of day`;
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  let offsetMs = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return `${bad}: invalid UTC offset`;
    offsetMs = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60000;
  }
  const ms = utcMs(year, month, day, hour, minute, second) + fraction - offsetMs;
  if (!inTimestampRange(ms)) return `'${text}' is outside the supported range (years 1 to 9999)`;
  return new Timestamp(ms);
}

const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3600000,
  m: 60000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001,
  ns: 0.000001,
};

const DURATION_PART = /([0-9]*(?:\.[0-9]*)?)(h|ms|m|s|us|µs|μs|ns)/y;

/** Parses a Go-style duration ("1h30m", "-1.5s", "250ms"); returns an explanation string on failure. */
export function parseDuration(text: string): Duration | string {
  const bad = `'${text}' is not a duration (e.g. "1h30m", "90s", "250ms")`;
  let i = 0;
  let sign = 1;
  if (text.startsWith("-") || text.startsWith("+")) {
    sign = text.startsWith("-") ? -1 : 1;
    i = 1;
  }
  if (text.slice(i) === "0") return new Duration(0);
  if (i === text.length) return bad;
  let total = 0;
  while (i < text.length) {
    DURATION_PART.lastIndex = i;
    const m = DURATION_PART.exec(text);
    const num = m?.[1];
    const unit = m?.[2];
    if (m === null || num === undefined || unit === undefined || num === "" || num === ".") return bad;
    total += Number(num) * (UNIT_MS[unit] ?? Number.NaN);
    i = DURATION_PART.lastIndex;
  }
  if (!Number.isFinite(total)) return bad;
  return new Duration(sign * total);
}

/** RFC 3339 in UTC with only the fractional digits needed, as CEL prints timestamps. */
export function formatTimestamp(t: Timestamp): string {
  const whole = Math.floor(t.epochMs);
  const d = new Date(whole);
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  const nanos = Math.round((d.getUTCMilliseconds() + (t.epochMs - whole)) * 1e6);
  const fraction = nanos === 0 ? "" : `.${pad(nanos, 9).replace(/0+$/, "")}`;
  return `${date}T${time}${fraction}Z`;
}

/** Seconds with an "s" suffix, as CEL prints durations ("5400s", "1.5s"). */
export function formatDuration(d: Duration): string {
  return `${Number((d.ms / 1000).toFixed(9))}s`;
}

export type TimestampPart =
  | "getFullYear"
  | "getMonth"
  | "getDate"
  | "getDayOfMonth"
  | "getDayOfWeek"
  | "getDayOfYear"
  | "getHours"
  | "getMinutes"
  | "getSeconds"
  | "getMilliseconds";

export const TIMESTAMP_PARTS: readonly TimestampPart[] = [
  "getFullYear",
  "getMonth",
  "getDate",
  "getDayOfMonth",
  "getDayOfWeek",
  "getDayOfYear",
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
];

/** A calendar field of a wall-clock time given as milliseconds since the epoch "in UTC". */
export function timestampPart(part: TimestampPart, wallMs: number): number {
  const d = new Date(Math.floor(wallMs));
  switch (part) {
    case "getFullYear":
      return d.getUTCFullYear();
    case "getMonth":
      return d.getUTCMonth();
    case "getDate":
      return d.getUTCDate();
    case "getDayOfMonth":
      return d.getUTCDate() - 1;
    case "getDayOfWeek":
      return d.getUTCDay();
    case "getDayOfYear":
      return Math.floor((d.getTime() - utcMs(d.getUTCFullYear(), 1, 1, 0, 0, 0)) / 86400000);
    case "getHours":
      return d.getUTCHours();
    case "getMinutes":
      return d.getUTCMinutes();
    case "getSeconds":
      return d.getUTCSeconds();
    case "getMilliseconds":
      return d.getUTCMilliseconds();
  }
}

/** Duration accessors are totals, truncated toward zero (as in cel-go). */
export function durationPart(part: TimestampPart, d: Duration): number | undefined {
  const per =
    part === "getHours"
      ? 3600000
      : part === "getMinutes"
        ? 60000
        : part === "getSeconds"
          ? 1000
          : part === "getMilliseconds"
            ? 1
            : 0;
  return per === 0 ? undefined : Math.trunc(d.ms / per) + 0;
}

/** Maps an instant to its wall-clock time in a zone (as epoch-like milliseconds), or explains the bad zone. */
export type ZoneShift = (epochMs: number) => number;

const FIXED_OFFSET = /^([+-]?)(\d{1,2}):(\d{2})$/;
const zoneCache = new Map<string, ZoneShift>();

/** A time zone given as an IANA name ("Europe/Paris", "UTC") or a fixed offset ("+05:30"). */
export function timeZone(name: string): ZoneShift | string {
  const cached = zoneCache.get(name);
  if (cached !== undefined) return cached;
  let shift: ZoneShift;
  const fixed = FIXED_OFFSET.exec(name);
  if (fixed !== null) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3]);
    if (minutes > 18 * 60) return `'${name}' is not a valid UTC offset`;
    const offset = (fixed[1] === "-" ? -1 : 1) * minutes * 60000;
    shift = (ms) => ms + offset;
  } else {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: name,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch {
      return `'${name}' is not a known time zone (use an IANA name like "Europe/Paris" or an offset like "+05:30")`;
    }
    shift = (ms) => zoneWallClock(format, ms);
  }
  zoneCache.set(name, shift);
  return shift;
}

function zoneWallClock(format: Intl.DateTimeFormat, ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const fields: Record<string, number> = {};
  let bc = false;
  for (const p of format.formatToParts(whole)) {
    if (p.type === "era") bc = p.value.startsWith("B");
    else if (p.type !== "literal") fields[p.type] = Number(p.value);
  }
  const year = fields.year ?? 1970;
  const wall = utcMs(
    bc ? 1 - year : year,
    fields.month ?? 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  return wall + (ms - whole);
}
