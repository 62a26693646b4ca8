/** The counters, latency histogram and sample windows of one (service, role, revision). */
import type { Role } from "../route.js";
import { type WindowOptions, WindowRing } from "./window.js";

/** Upper bounds of the latency histogram in seconds: the Prometheus client libraries' defaults. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
const BOUNDS_MS = Float64Array.from(LATENCY_BUCKETS_SECONDS, (s) => s * 1000);

export class VersionSeries {
  /** Requests by status code (100 … 999). */
  readonly byStatus = new Float64Array(1000);
  /** Per-bucket (not cumulative) counts; the last slot is above the largest bound. */
  readonly buckets = new Float64Array(BOUNDS_MS.length + 1);
  sumSeconds = 0;
  count = 0;
  /** Attempts repeated after a failure. */
  retries = 0;
  /** Requests copied to this version by a mirror route. */
  mirrored = 0;
  /** Requests a mirror route selected but did not copy (body over the buffer limit). */
  mirrorSkipped = 0;
  readonly windows: WindowRing;

  constructor(
    readonly service: string,
    readonly role: Role,
    readonly revision: string,
    windows: WindowOptions,
    random: () => number,
  ) {
    this.windows = new WindowRing(windows, random);
  }

  /** Records one answered request. */
  record(status: number, latencyMs: number, nowMs: number): void {
    const code = status >= 100 && status <= 999 ? status : 999;
    this.byStatus[code] = (this.byStatus[code] ?? 0) + 1;
    let b = 0;
    while (b < BOUNDS_MS.length && latencyMs > (BOUNDS_MS[b] ?? 0)) b++;
    this.buckets[b] = (this.buckets[b] ?? 0) + 1;
    this.sumSeconds += latencyMs / 1000;
    this.count++;
    this.windows.record(nowMs, latencyMs, status);
  }
}
