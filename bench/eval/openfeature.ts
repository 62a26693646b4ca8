/**
 * The OpenFeature section of the benchmark: what RampProvider adds over a minimal provider when both
 * are called through @openfeature/server-sdk, and what the fast path saves. Checked like the main run.
 */
import { OpenFeature } from "@openfeature/server-sdk";
import { type CheckReport, checkContenders } from "./check.js";
import type { Contender } from "./contender.js";
import {
  createFastPath,
  createOpenFeatureMinimal,
  createOpenFeatureRamp,
  createOpenFeatureRampConnected,
} from "./contenders/openfeature.js";
import type { Samples } from "./measure.js";
import { formatTable, summarize } from "./report.js";
import type { BenchContext } from "./scenario.js";

/** The overhead the provider may add over a minimal one before the summary line flags it. */
export const OVERHEAD_GOAL = 0.1;

/**
 * Users per sweep here: the SDK's per-call work makes a call ~100× an engine evaluation, so the first
 * 20,000 users of the population give sweeps as long as the main run's and keep the section near 10 s.
 */
export const OPENFEATURE_CONTEXTS = 20_000;

export interface OpenFeatureSection {
  /** The minimal provider first (the yardstick), then RampProvider, connected RampProvider, fast path. */
  readonly contenders: readonly [Contender, ...Contender[]];
}

export async function prepareOpenFeature(contexts: readonly BenchContext[]): Promise<OpenFeatureSection> {
  const minimal = await createOpenFeatureMinimal(contexts);
  const others: Contender[] = [];
  try {
    others.push(await createOpenFeatureRamp(contexts));
    others.push(await createOpenFeatureRampConnected(contexts));
    others.push(createFastPath(contexts));
  } catch (error) {
    await closeOpenFeature({ contenders: [minimal, ...others] });
    throw error;
  }
  return { contenders: [minimal, ...others] };
}

/** Every contender must answer exactly like the minimal provider (all use the floor's buckets). */
export function verifyOpenFeature(
  contexts: readonly BenchContext[],
  section: OpenFeatureSection,
): Promise<CheckReport> {
  const [minimal, ...others] = section.contenders;
  return checkContenders(contexts, minimal, others);
}

/** The section's table and its summary lines. */
export function formatOpenFeature(samples: Samples, section: OpenFeatureSection): string {
  const summary = summarize(samples, section.contenders);
  const [minimal, ramp, connected] = summary.rows;
  const overhead = (row: typeof ramp): string =>
    row === undefined || minimal === undefined ? "n/a" : signedPercent(row.medianNs / minimal.medianNs - 1);
  return [
    formatTable(summary.rows, "minimal"),
    "",
    `openfeature provider overhead: ${overhead(ramp)} over a minimal provider (goal ≤ ${OVERHEAD_GOAL * 100}%)`,
    `  connected, counting evaluations: ${overhead(connected)}`,
  ].join("\n");
}

export async function closeOpenFeature(section: OpenFeatureSection): Promise<void> {
  for (const contender of section.contenders) await contender.close();
  await OpenFeature.clearProviders();
}

function signedPercent(fraction: number): string {
  if (Number.isNaN(fraction)) return "n/a";
  return `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(1)}%`;
}
