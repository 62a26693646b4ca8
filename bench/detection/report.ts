/** The benchmark's output: a block per trial, then the summary and ratio lines. Pure formatting. */
import { median } from "../lib/stats.js";
import type { CaseResult, Counts, Verdict } from "./measure.js";
import { CANARY_VERSION, CANARY_WEIGHT, CASES, STABLE_ERROR_RATE, seedOf, TOTAL_RATE } from "./scenario.js";
import { analysisFailure, verdictOdds } from "./statistics.js";
import type { SuccessRateMetric } from "./template.js";
import type { TrialResult } from "./trial.js";

export const CANARY_RATE = (TOTAL_RATE * CANARY_WEIGHT) / 100;
const BAD_ERROR_RATE = CASES.find((c) => c.kind === "bad")?.canaryErrorRate ?? Number.NaN;

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const seconds = (x: number) => `${x.toFixed(1)} s`;
/** "+0.4 s", "-0.2 s" (the analysis may start just before the first canary request): an offset from it. */
const offset = (x: number) => `${x < -0.05 ? "-" : "+"}${Math.abs(x).toFixed(1)} s`;

function counted(c: Counts): string {
  const rate = c.requests === 0 ? "" : ` (${pct(c.errors / c.requests)})`;
  return `${c.requests} canary requests, ${c.errors} error${c.errors === 1 ? "" : "s"}${rate}`;
}

/** "analysis Failed, run started +0.5 s; verdicts: 0.964 Failed (112 req, +12.6 s)". */
function analysis(c: CaseResult): string {
  const run = c.analysisPhase === undefined ? "no analysis run" : `analysis ${c.analysisPhase}`;
  const start = c.analysisStartSeconds === undefined ? "" : `, run started ${offset(c.analysisStartSeconds)}`;
  const shown = c.verdicts.map((v: Verdict) => {
    const value = v.value === undefined ? "?" : Number(v.value).toFixed(3);
    const phase = v.phase === "Successful" ? "" : ` ${v.phase}`;
    return `${value}${phase} (${v.requests} req, ${offset(v.atSeconds)})`;
  });
  return `${run}${start}; verdicts: ${shown.length === 0 ? "none" : shown.join(", ")}`;
}

/** The lines of one trial. */
export function formatTrial(result: TrialResult, trials: number): string {
  const seeds = CASES.map((c) => seedOf(c, CANARY_VERSION, result.trial)).join(", ");
  const lines = [`trial ${result.trial}/${trials} (canary SEEDs ${seeds})`];
  for (const c of result.cases) {
    const label = c.kind === "bad" ? "bad canary    " : "healthy canary";
    const pad = " ".repeat(label.length + 4);
    if (c.aborted && c.detectionSeconds !== undefined) {
      lines.push(
        `  ${label}  detection: ${seconds(c.detectionSeconds)} (from first canary request to traffic back on stable); ` +
          `${counted(c.canary)} before the abort`,
      );
      const last = c.verdicts[c.verdicts.length - 1];
      const reaction =
        last === undefined
          ? ""
          : `abort routed ${Math.round((c.detectionSeconds - last.atSeconds) * 1000)} ms after the verdict; `;
      const after = c.afterAbort;
      lines.push(
        `${pad}${reaction}last canary request ${c.lastCanaryMs ?? "?"} ms before it; ` +
          `after it, ${after?.canary ?? "?"} of ${after?.requests ?? "?"} requests reached the canary`,
      );
    } else {
      lines.push(
        `  ${label}  not aborted in ${seconds(c.observedSeconds)} of canary traffic; ${counted(c.canary)}`,
      );
    }
    lines.push(`${pad}${analysis(c)}`);
    const stableRate = c.stable.requests === 0 ? 0 : c.stable.errors / c.stable.requests;
    lines.push(
      `${pad}stable meanwhile: ${c.stable.requests} requests, ${pct(stableRate, 2)} errors; ` +
        `canary share ${pct(c.canary.requests / Math.max(1, c.canary.requests + c.stable.requests))}; ` +
        `unanswered ${c.unanswered}`,
    );
  }
  lines.push(
    `  load: ${TOTAL_RATE} req/s per rollout, open loop; latest send ${result.maxLagMs} ms behind schedule`,
  );
  return lines.join("\n");
}

/** Problems that make the run invalid (not statistical outcomes: those are reported, not failed). */
export function problemsOf(results: readonly TrialResult[]): string[] {
  const problems: string[] = [];
  for (const r of results) {
    if (r.skipped > 0) problems.push(`trial ${r.trial}: ${r.skipped} requests not sent (too many in flight)`);
    for (const c of r.cases) {
      if (c.noCanaryTraffic) problems.push(`trial ${r.trial}: the ${c.kind} canary got no request`);
      if ((c.afterAbort?.canary ?? 0) > 0)
        problems.push(
          `trial ${r.trial}: ${c.afterAbort?.canary} requests reached the ${c.kind} canary after its abort`,
        );
      if (c.unanswered > 0)
        problems.push(`trial ${r.trial}: ${c.unanswered} ${c.kind} requests got no answer from a version`);
    }
  }
  return problems;
}

/** The summary over every trial, then the ratio lines. */
export function formatSummary(results: readonly TrialResult[], metric: SuccessRateMetric): string {
  const of = (kind: string) => results.flatMap((r) => r.cases.filter((c) => c.kind === kind));
  const bad = of("bad");
  const healthy = of("healthy");
  const detections = bad.flatMap((c) => (c.detectionSeconds === undefined ? [] : [c.detectionSeconds]));
  const aborted = bad.filter((c) => c.aborted);
  const n = results.length;
  const lines: string[] = [];
  if (detections.length > 0) {
    const slowest = Math.max(...detections);
    lines.push(
      `detection: ${seconds(median(detections))} (from first canary request to traffic back on stable)`,
      `  median ${seconds(median(detections))}, min ${seconds(Math.min(...detections))}, max ${seconds(slowest)} ` +
        `over ${detections.length} trial(s); before the abort, median ${median(aborted.map((c) => c.canary.requests))} ` +
        `canary requests and ${median(aborted.map((c) => c.canary.errors))} errors`,
    );
  } else lines.push("detection: none (the bad canary was never aborted)");
  lines.push(`bad canary (${pct(BAD_ERROR_RATE)} errors) aborted in ${aborted.length}/${n} trials`);
  const falseAlarms = healthy.filter((c) => c.aborted).length;
  const observed = healthy.filter((c) => !c.aborted).map((c) => c.observedSeconds);
  const longEnough =
    detections.length === 0 || observed.length === 0
      ? ""
      : `; observed ${seconds(Math.min(...observed))} or more (slowest detection ${seconds(Math.max(...detections))})`;
  lines.push(
    `healthy canary (${pct(STABLE_ERROR_RATE)} errors) aborted in ${falseAlarms}/${n} trials, ` +
      `analysis Successful in ${healthy.filter((c) => c.analysisPhase === "Successful").length}/${n}${longEnough}`,
  );
  const odds = verdictOdds(metric.minRequests, metric.threshold, BAD_ERROR_RATE, STABLE_ERROR_RATE);
  const floor = metric.minRequests / CANARY_RATE;
  lines.push(
    `first verdict, expected: over ≥ ${metric.minRequests} canary requests (${seconds(floor)} at ${CANARY_RATE} req/s), ` +
      `result >= ${metric.threshold} fails from ${odds.failsAt} errors: caught ${pct(odds.caught)} ` +
      `(${pct(BAD_ERROR_RATE)} errors), false alarm ${pct(odds.falseAlarm)} (${pct(STABLE_ERROR_RATE)})`,
  );
  const checkpoints = Array.from(
    { length: metric.count },
    (_, i) => metric.minRequests + Math.round(i * metric.intervalSeconds * CANARY_RATE),
  );
  lines.push(
    `whole analysis, expected (verdicts over ${checkpoints.join(", ")} requests): bad canary passes ` +
      `${pct(1 - analysisFailure(checkpoints, metric.threshold, BAD_ERROR_RATE))}, ` +
      `healthy canary fails ${pct(analysisFailure(checkpoints, metric.threshold, STABLE_ERROR_RATE))}`,
  );
  if (detections.length > 0)
    lines.push(
      `detection/floor: ${(median(detections) / floor).toFixed(2)} ` +
        `(floor: ${metric.minRequests} canary requests, the template's minRequests, take ${seconds(floor)} at ${CANARY_RATE} req/s)`,
    );
  return lines.join("\n");
}
