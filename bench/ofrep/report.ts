/** The OFREP benchmark's table and summary lines (pure: results in, strings out). */
import { alignedTable } from "../lib/table.js";
import type { LoadResult } from "./load.js";

/** Ramp must serve at least this many times Unleash's requests per second. */
export const THROUGHPUT_GOAL = 10;
/** Ramp's p99 latency under load must stay below this many milliseconds. */
export const P99_GOAL_MS = 10;

export function formatTable(results: readonly LoadResult[]): string {
  const header = [
    "target",
    "req/s mean",
    "req/s median",
    "p50 ms",
    "p99 ms",
    "max ms",
    "requests",
    "errors",
    "non-2xx",
  ];
  const body = results.map((r) => [
    r.name,
    r.requestsPerSecond.mean.toFixed(0),
    r.requestsPerSecond.median.toFixed(0),
    r.latencyMs.p50.toFixed(2),
    r.latencyMs.p99.toFixed(2),
    r.latencyMs.max.toFixed(1),
    String(r.requests),
    r.timeouts > 0 ? `${r.errors} (${r.timeouts} timeouts)` : String(r.errors),
    String(r.non2xx),
  ]);
  return alignedTable(header, body);
}

/**
 * The two lines other tools read. The headline figures are Ramp's single-flag evaluation (what an
 * OFREP provider calls per flag); the bulk figures follow in the parentheses. "n/a" when Unleash was
 * not measured.
 */
export function formatSummaryLines(results: readonly LoadResult[]): string {
  const single = results.find((r) => r.name === "ramp single");
  const bulk = results.find((r) => r.name === "ramp bulk");
  const unleash = results.find((r) => r.role === "peer");
  const ratio = (ramp: LoadResult | undefined): string =>
    ramp === undefined || unleash === undefined || unleash.requestsPerSecond.mean === 0
      ? "n/a"
      : (ramp.requestsPerSecond.mean / unleash.requestsPerSecond.mean).toFixed(2);
  const p99 = (ramp: LoadResult | undefined): string =>
    ramp === undefined ? "n/a" : ramp.latencyMs.p99.toFixed(2);
  return [
    `ramp/unleash req/s: ${ratio(single)} (goal ≥ ${THROUGHPUT_GOAL}; bulk: ${ratio(bulk)})`,
    `ramp p99: ${p99(single)} ms (goal < ${P99_GOAL_MS} ms; bulk: ${p99(bulk)} ms)`,
  ].join("\n");
}

/** Problems that make the timings meaningless: failed requests. */
export function loadProblems(results: readonly LoadResult[]): string[] {
  return results
    .filter((r) => r.errors > 0 || r.non2xx > 0 || r.requests === 0)
    .map(
      (r) =>
        `${r.name}: ${r.requests} requests, ${r.errors} connection errors, ${r.non2xx} non-2xx responses`,
    );
}
