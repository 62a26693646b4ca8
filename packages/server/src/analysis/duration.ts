/** Durations as Argo reads them (Go's time.ParseDuration): "30s", "1m", "1h30m", "1.5h", "500ms". */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

// Longer units first so "ms" is not read as "m" followed by garbage.
const TERM = /^(\d*(?:\.\d*)?)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * Milliseconds, or undefined when the text is not a Go duration. Like Go, "0" needs no unit, every
 * other number does, and a sign may lead ("-1m" is -60000; callers reject negative durations).
 *
 * @example parseDuration("1m30s") // 90000
 */
export function parseDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  while (rest !== "") {
    const m = TERM.exec(rest);
    const [whole, digits, unit] = m ?? [];
    if (whole === undefined || digits === undefined || unit === undefined) return undefined;
    if (digits === "" || digits === ".") return undefined;
    total += Number(digits) * (UNIT_MS[unit] ?? Number.NaN);
    rest = rest.slice(whole.length);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

/** A duration back in Go's notation, for messages: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`;
}
