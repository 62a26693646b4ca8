/**
 * Pause durations as Argo Rollouts reads them (RolloutPause.DurationSeconds): an integer is seconds,
 * a string of digits is seconds too, anything else is a Go duration ("10m", "1h30m", "1.5h") cut
 * to whole seconds.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** Longest first, so "ms" is not read as "m" followed by garbage. */
const TERM = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** Argo keeps durations in an int32 of seconds. */
export const MAX_DURATION_SECONDS = 2_147_483_647;

/** What a pause duration looks like, for JSON Schema and messages. */
export const DURATION_PATTERN = "^[+-]?(\\d+|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$";
export const DURATION_HINT = 'a duration like "30s", "10m", "1h" or a number of seconds';

/**
 * Whole seconds, or undefined when the value is not a duration Argo accepts (negative, malformed,
 * or past an int32).
 *
 * @example durationSeconds("10m") // 600
 * @example durationSeconds(90) // 90
 */
export function durationSeconds(value: number | string): number | undefined {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 0 && value <= MAX_DURATION_SECONDS ? value : undefined;
  }
  let rest = value.trim();
  let sign = 1;
  if (rest.startsWith("+") || rest.startsWith("-")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  let seconds: number;
  if (/^\d+$/.test(rest)) {
    seconds = Number(rest);
  } else {
    if (rest === "") return undefined;
    seconds = 0;
    while (rest !== "") {
      const [whole, digits, unit] = TERM.exec(rest) ?? [];
      if (whole === undefined || digits === undefined || unit === undefined) return undefined;
      seconds += Number(digits) * (UNIT_SECONDS[unit] ?? Number.NaN);
      rest = rest.slice(whole.length);
    }
    // Go's Duration.Seconds() then int32(): truncation toward zero.
    seconds = Math.trunc(seconds + 1e-9);
  }
  seconds *= sign;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_DURATION_SECONDS) return undefined;
  return seconds === 0 ? 0 : seconds;
}

/** Seconds back in Argo's notation for messages: 600 → "10m", 90 → "1m30s". */
export function formatSeconds(total: number): string {
  if (total === 0) return "0s";
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`;
}
