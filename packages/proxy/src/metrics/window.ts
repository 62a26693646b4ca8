/**
 * Raw latencies and outcomes of one version in a ring of fixed time windows, each keeping at most N
 * samples by reservoir sampling (Vitter's algorithm R), so the analysis can run statistical tests on
 * recent traffic in bounded memory.
 */

export interface WindowOptions {
  /** Length of one window (default 10 000 ms). */
  readonly sizeMs: number;
  /** Windows in the ring; the oldest is reused (default 60: ten minutes of 10 s windows). */
  readonly count: number;
  /** Most samples kept per window (default 1000). */
  readonly samples: number;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = { sizeMs: 10_000, count: 60, samples: 1000 };

/** What a query over several windows gathers; `weights` undo the reservoir's subsampling. */
export interface Collected {
  requests: number;
  errors5xx: number;
  firstWindowMs: number;
  readonly latenciesMs: number[];
  readonly outcomes: boolean[];
  readonly weights: number[];
}

class Window {
  start = Number.NEGATIVE_INFINITY;
  requests = 0;
  errors5xx = 0;
  kept = 0;
  readonly latencies: Float64Array;
  readonly failed: Uint8Array;

  constructor(samples: number) {
    this.latencies = new Float64Array(samples);
    this.failed = new Uint8Array(samples);
  }
}

export class WindowRing {
  private readonly windows: (Window | undefined)[];

  constructor(
    private readonly options: WindowOptions,
    private readonly random: () => number,
  ) {
    this.windows = new Array<Window | undefined>(options.count).fill(undefined);
  }

  /** Records one answered request; a status of 500 or more is a failure. */
  record(nowMs: number, latencyMs: number, status: number): void {
    const { sizeMs, count, samples } = this.options;
    const index = Math.floor(nowMs / sizeMs);
    const start = index * sizeMs;
    const slot = index % count;
    let w = this.windows[slot];
    if (w === undefined) {
      w = new Window(samples);
      this.windows[slot] = w;
    }
    if (w.start !== start) {
      w.start = start;
      w.requests = 0;
      w.errors5xx = 0;
      w.kept = 0;
    }
    w.requests++;
    const failed = status >= 500 ? 1 : 0;
    w.errors5xx += failed;
    let at = w.kept;
    if (at < samples) {
      w.kept++;
    } else {
      at = Math.floor(this.random() * w.requests);
      if (at >= samples) return;
    }
    w.latencies[at] = latencyMs;
    w.failed[at] = failed;
  }

  /** Adds the windows that overlap [sinceMs, nowMs] and are still in the ring to `into`. */
  collect(sinceMs: number, nowMs: number, into: Collected): void {
    const { sizeMs, count } = this.options;
    const newest = Math.floor(nowMs / sizeMs) * sizeMs;
    const oldest = Math.max(Math.floor(sinceMs / sizeMs) * sizeMs, newest - (count - 1) * sizeMs);
    for (const w of this.windows) {
      if (w === undefined || w.start < oldest || w.start > newest || w.requests === 0) continue;
      into.requests += w.requests;
      into.errors5xx += w.errors5xx;
      into.firstWindowMs = Math.min(into.firstWindowMs, w.start);
      const weight = w.requests / w.kept;
      for (let i = 0; i < w.kept; i++) {
        into.latenciesMs.push(w.latencies[i] ?? 0);
        into.outcomes.push(w.failed[i] === 0);
        into.weights.push(weight);
      }
    }
  }
}

/**
 * Weighted quantiles by the nearest-rank method: for each q, the smallest sample whose cumulative
 * weight reaches q × total. Returns null for each q when there are no samples.
 */
export function weightedQuantiles(
  values: readonly number[],
  weights: readonly number[],
  qs: readonly number[],
): (number | null)[] {
  if (values.length === 0) return qs.map(() => null);
  const order = values.map((_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  let total = 0;
  for (const w of weights) total += w;
  return qs.map((q) => {
    const target = q * total * (1 - 1e-12);
    let cumulative = 0;
    for (const i of order) {
      cumulative += weights[i] ?? 0;
      if (cumulative >= target) return values[i] ?? null;
    }
    return values[order[order.length - 1] ?? 0] ?? null;
  });
}
