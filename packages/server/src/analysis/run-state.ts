/** Small pure updates of AnalysisRun state shared by the assessment and the recording of measurements. */

import type { AnalysisRun, CompletedPhase, MetricResult } from "./types.js";

/**
 * Argo's counters: Error is not counted in `count`; any other phase resets the error streak, and
 * any phase but Successful resets the success streak.
 */
export function countMeasurement(r: MetricResult, phase: CompletedPhase): MetricResult {
  switch (phase) {
    case "Successful":
      return {
        ...r,
        successful: r.successful + 1,
        count: r.count + 1,
        consecutiveError: 0,
        consecutiveSuccess: r.consecutiveSuccess + 1,
      };
    case "Failed":
      return { ...r, failed: r.failed + 1, count: r.count + 1, consecutiveError: 0, consecutiveSuccess: 0 };
    case "Inconclusive":
      return {
        ...r,
        inconclusive: r.inconclusive + 1,
        count: r.count + 1,
        consecutiveError: 0,
        consecutiveSuccess: 0,
      };
    case "Error":
      return { ...r, error: r.error + 1, consecutiveError: r.consecutiveError + 1, consecutiveSuccess: 0 };
  }
}

export function withResult(run: AnalysisRun, result: MetricResult): AnalysisRun {
  return {
    ...run,
    status: { ...run.status, metricResults: replaceResult(run.status.metricResults, result) },
  };
}

export function replaceResult(results: readonly MetricResult[], result: MetricResult): MetricResult[] {
  const i = results.findIndex((r) => r.name === result.name);
  return i < 0 ? [...results, result] : results.map((r, j) => (j === i ? result : r));
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
