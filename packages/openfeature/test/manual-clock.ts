/** A clock that moves only when the test says so (STYLE habit 7: time is injected). */
import type { Clock } from "../src/stream/clock.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

export class ManualClock implements Clock {
  #now = 1_700_000_000_000;
  #seq = 0;
  #timers: Timer[] = [];

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer: Timer = { at: this.#now + ms, seq: this.#seq++, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  get pending(): number {
    return this.#timers.length;
  }

  /** Moves to the earliest timer, fires it, and lets the promises it started settle. */
  async fireNext(): Promise<void> {
    const next = [...this.#timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
    if (next === undefined) throw new Error("no timer pending");
    this.#timers = this.#timers.filter((t) => t !== next);
    this.#now = Math.max(this.#now, next.at);
    next.callback();
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
