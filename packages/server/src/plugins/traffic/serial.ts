/**
 * Routers that change an outside data plane (nginx's file, HAProxy's runtime API) apply one state at
 * a time, in call order: two rollout ticks must never interleave their edits.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` once everything queued before it has settled; a failure is the caller's alone. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Settles once everything queued so far has (never rejects). */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
