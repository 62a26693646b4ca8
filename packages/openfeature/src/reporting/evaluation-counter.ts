/** Evaluation counts per flag and variant, kept between reports (the body of POST /sdk/v1/metrics). */

export interface EvaluationCount {
  readonly flag: string;
  readonly variant: string;
  readonly count: number;
}

export class EvaluationCounter {
  // Nested maps: two lookups and no string building per evaluation.
  #counts = new Map<string, Map<string, number>>();

  /** Counts one evaluation (on the hot path: no allocation once a flag and variant were seen). */
  count(flag: string, variant: string): void {
    let variants = this.#counts.get(flag);
    if (variants === undefined) {
      variants = new Map();
      this.#counts.set(flag, variants);
    }
    variants.set(variant, (variants.get(variant) ?? 0) + 1);
  }

  /** Adds counts back (a report that failed), so they go out with the next one. */
  add(counts: readonly EvaluationCount[]): void {
    for (const { flag, variant, count } of counts) {
      let variants = this.#counts.get(flag);
      if (variants === undefined) {
        variants = new Map();
        this.#counts.set(flag, variants);
      }
      variants.set(variant, (variants.get(variant) ?? 0) + count);
    }
  }

  /** Everything counted since the last take, and a fresh start. */
  take(): EvaluationCount[] {
    const out: EvaluationCount[] = [];
    for (const [flag, variants] of this.#counts) {
      for (const [variant, count] of variants) out.push({ flag, variant, count });
    }
    this.#counts = new Map();
    return out;
  }
}
