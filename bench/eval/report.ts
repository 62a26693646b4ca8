/** Turns timing samples into the benchmark's table and summary lines (pure: data in, strings out). */
import { median, min } from "../lib/stats.js";
import { alignedTable } from "../lib/table.js";
import type { Contender } from "./contender.js";
import type { Samples } from "./measure.js";

export interface Row {
  readonly name: string;
  readonly role: Contender["role"];
  readonly medianNs: number;
  readonly minNs: number;
  readonly relativeToFloor: number;
}

export interface Summary {
  readonly rows: readonly Row[];
  readonly fastestPeer?: Row;
  /** The fastest peer's median over ramp's: above 1 means ramp is faster. */
  readonly speedup?: number;
  /** Ramp's median over the floor's. */
  readonly rampOverFloor?: number;
}

export function summarize(
  samples: Samples,
  contenders: readonly Pick<Contender, "name" | "role">[],
): Summary {
  const floor = contenders.find((contender) => contender.role === "floor");
  const floorMedian = median(samples.get(floor?.name ?? "") ?? []);
  const rows: Row[] = contenders.map(({ name, role }) => {
    const own = samples.get(name) ?? [];
    return { name, role, medianNs: median(own), minNs: min(own), relativeToFloor: median(own) / floorMedian };
  });
  const fastestPeer = rows
    .filter((row) => row.role === "peer")
    .reduce<Row | undefined>(
      (best, row) => (best === undefined || row.medianNs < best.medianNs ? row : best),
      undefined,
    );
  const ramp = rows.find((row) => row.role === "ramp");
  return {
    rows,
    fastestPeer,
    speedup:
      ramp === undefined || fastestPeer === undefined ? undefined : fastestPeer.medianNs / ramp.medianNs,
    rampOverFloor: ramp?.relativeToFloor,
  };
}

/** The table of rows; `yardstick` names what the last column divides by (the floor's row). */
export function formatTable(rows: readonly Row[], yardstick = "floor"): string {
  const header = ["implementation", "median ns/eval", "min ns/eval", `× ${yardstick}`];
  const body = rows.map((row) => [
    row.name,
    row.medianNs.toFixed(1),
    row.minNs.toFixed(1),
    row.relativeToFloor.toFixed(2),
  ]);
  return alignedTable(header, body);
}

/** The four lines other tools read; "n/a" where a number could not be measured. */
export function formatSummaryLines(
  summary: Summary,
  killSwitchNs: number | undefined,
  heapKiB: number | undefined,
): string {
  const fixed = (value: number | undefined, digits: number): string =>
    value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(digits);
  return [
    `ramp/fastest-peer speedup: ${fixed(summary.speedup, 2)}   (fastest peer: ${summary.fastestPeer?.name ?? "n/a"})`,
    `ramp/floor: ${fixed(summary.rampOverFloor, 2)}`,
    `kill-switch ns/eval: ${fixed(killSwitchNs, 1)}`,
    `heap per 1000 flags: ${fixed(heapKiB, 0)} KiB`,
  ].join("\n");
}
