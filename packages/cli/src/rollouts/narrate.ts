/**
 * A rollout's progress as plain lines, for logs and terminals that cannot redraw (`ramp demo --once`):
 * what happened between two snapshots — new history entries and newly finished measurements.
 */
import type { HistoryEntry, MetricResult } from "@ramp/server/rollouts";
import type { RolloutAnalysisRun } from "../remote/api-types.js";
import { formatMeasurement, type RolloutSnapshot } from "./view.js";

/** The lines `next` adds to `prev` (none for a first snapshot: its past is not news). */
export function narrate(prev: RolloutSnapshot | undefined, next: RolloutSnapshot): string[] {
  if (prev === undefined) return [];
  const seen = prev.rollout.status.history.at(-1)?.seq ?? 0;
  const entries = next.rollout.status.history.filter((h) => h.seq > seen).map(historyLine);
  const measurements = measured(prev.runs, next.runs);
  // A run's verdict reads better right after the measurement that decided it.
  const verdict = entries.findIndex((l) => l.startsWith("AnalysisCompleted") || l.startsWith("Aborted"));
  if (verdict === -1) return [...entries, ...measurements];
  return [...entries.slice(0, verdict), ...measurements, ...entries.slice(verdict)];
}

export function historyLine(h: HistoryEntry): string {
  return `${h.event}: ${h.message}`;
}

/** `analysis demo-r2-step2: success-rate = 1.000 Successful`, for each measurement finished since `before`. */
function measured(before: readonly RolloutAnalysisRun[], after: readonly RolloutAnalysisRun[]): string[] {
  const lines: string[] = [];
  for (const run of after) {
    for (const m of run.status.metricResults) {
      const fresh = finished(m) - finished(metricOf(before, run.name, m.name));
      if (fresh <= 0) continue;
      const done = m.measurements.filter((x) => x.finishedAt !== undefined).slice(-fresh);
      for (const x of done) {
        const value = x.value === undefined ? "" : ` = ${formatMeasurement(x.value)}`;
        const why = x.phase !== "Successful" && x.message !== undefined ? ` (${x.message})` : "";
        lines.push(`analysis ${run.name}: ${m.name}${value} ${x.phase}${why}`);
      }
    }
  }
  return lines;
}

/** Measurements finished over the whole run (the list itself keeps only the last few). */
function finished(m: MetricResult | undefined): number {
  return m === undefined ? 0 : m.count + m.error;
}

function metricOf(
  runs: readonly RolloutAnalysisRun[],
  run: string,
  metric: string,
): MetricResult | undefined {
  return runs.find((r) => r.name === run)?.status.metricResults.find((x) => x.name === metric);
}
