/**
 * Flag evaluations over time for the dashboard: counts per environment, flag and variant in 10 s
 * buckets, kept one hour, in this replica's memory (Prometheus keeps the long history). Fed by the
 * same calls as the `ramp_flag_evaluations_total` counter: OFREP evaluations and SDK reports.
 */

export const STEP_SECONDS = 10;
export const RETENTION_SECONDS = 3600;

export interface EvaluationSeriesReport {
  readonly flag: string;
  readonly environment: string;
  readonly stepSeconds: number;
  /** Start of the first bucket, epoch seconds. */
  readonly from: number;
  /** Start of the last (current, still filling) bucket, epoch seconds. */
  readonly to: number;
  /** One per variant; every bucket from `from` to `to` present, zeros included. */
  readonly series: { readonly variant: string; readonly points: [number, number][] }[];
}

const keyOf = (environment: string, flag: string) => `${environment}\u0000${flag}`;

export class EvaluationSeries {
  /** environment+flag → variant → bucket start (epoch s) → count. */
  readonly #data = new Map<string, Map<string, Map<number, number>>>();
  readonly #changed = new Map<string, { environment: string; flag: string }>();
  #prunedAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  record(environment: string, flag: string, variant: string, count: number): void {
    if (count <= 0) return;
    const nowS = Math.floor(this.now() / 1000);
    this.#prune(nowS);
    const bucket = nowS - (nowS % STEP_SECONDS);
    const k = keyOf(environment, flag);
    let byVariant = this.#data.get(k);
    if (byVariant === undefined) {
      byVariant = new Map();
      this.#data.set(k, byVariant);
    }
    let buckets = byVariant.get(variant);
    if (buckets === undefined) {
      buckets = new Map();
      byVariant.set(variant, buckets);
    }
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + count);
    this.#changed.set(k, { environment, flag });
  }

  /** The flags whose counts changed since the last call (for the dashboard's event stream). */
  takeChanged(): { environment: string; flag: string }[] {
    const out = [...this.#changed.values()];
    this.#changed.clear();
    return out;
  }

  /**
   * The last `minutes` (at most 60) of one flag, ending with the current bucket. `variants` are
   * listed even without counts (the flag's declared variants), then any other variant counted.
   */
  query(
    environment: string,
    flag: string,
    minutes: number,
    variants: readonly string[] = [],
  ): EvaluationSeriesReport {
    const nowS = Math.floor(this.now() / 1000);
    const to = nowS - (nowS % STEP_SECONDS);
    const buckets = Math.max(1, Math.round(Math.min(RETENTION_SECONDS, minutes * 60) / STEP_SECONDS));
    const from = to - (buckets - 1) * STEP_SECONDS;
    const byVariant = this.#data.get(keyOf(environment, flag));
    const names = [...variants];
    for (const v of byVariant?.keys() ?? []) if (!names.includes(v)) names.push(v);
    const series = names.map((variant) => {
      const counts = byVariant?.get(variant);
      const points: [number, number][] = [];
      for (let t = from; t <= to; t += STEP_SECONDS) points.push([t, counts?.get(t) ?? 0]);
      return { variant, points };
    });
    return { flag, environment, stepSeconds: STEP_SECONDS, from, to, series };
  }

  /** Drops buckets past the retention, at most once a minute (the cost is one walk over all buckets). */
  #prune(nowS: number): void {
    if (nowS - this.#prunedAt < 60) return;
    this.#prunedAt = nowS;
    const oldest = nowS - RETENTION_SECONDS;
    for (const [k, byVariant] of this.#data) {
      for (const [variant, buckets] of byVariant) {
        for (const t of buckets.keys()) if (t < oldest) buckets.delete(t);
        if (buckets.size === 0) byVariant.delete(variant);
      }
      if (byVariant.size === 0) this.#data.delete(k);
    }
  }
}
