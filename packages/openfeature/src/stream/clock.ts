/** Time, injected: the real clock in production, a fake one in tests (STYLE habit 7). */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `ms`; returns a function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

/**
 * The system clock. Its timers are unref'd: a flush or reconnect timer alone never keeps the
 * process alive (the open stream does, until the provider is closed).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
