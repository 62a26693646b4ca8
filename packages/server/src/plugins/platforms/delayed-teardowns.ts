/**
 * Pending delayed teardowns, one per deployment, as cancellable in-memory timers. The deadline is not
 * persisted here: the controller persists it and calls teardown again after a restart (platform.ts).
 */
import type { TeardownOutcome } from "./platform.js";

interface Waiter {
  readonly resolve: (outcome: TeardownOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface Pending {
  timer?: NodeJS.Timeout;
  at: Date;
  readonly waiters: Waiter[];
}

export class DelayedTeardowns {
  readonly #pending = new Map<string, Pending>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /**
   * Runs `run` after `delayMs` (now when 0). A teardown already pending for `key` is rescheduled to
   * the new deadline, and its callers settle with this one.
   */
  schedule(key: string, delayMs: number, run: () => Promise<void>): Promise<TeardownOutcome> {
    const previous = this.#pending.get(key);
    if (previous !== undefined) clearTimeout(previous.timer);
    if (delayMs <= 0) {
      this.#pending.delete(key);
      const done = run().then((): TeardownOutcome => "torn-down");
      if (previous !== undefined) settle(previous.waiters, done);
      return done;
    }
    return new Promise<TeardownOutcome>((resolve, reject) => {
      const pending: Pending = previous ?? { at: this.clock(), waiters: [] };
      pending.waiters.push({ resolve, reject });
      pending.at = new Date(this.clock().getTime() + delayMs);
      pending.timer = setTimeout(() => {
        if (this.#pending.get(key) !== pending) return;
        this.#pending.delete(key);
        settle(
          pending.waiters,
          run().then((): TeardownOutcome => "torn-down"),
        );
      }, delayMs);
      this.#pending.set(key, pending);
    });
  }

  /** Cancels the pending teardown of `key`; its callers get "cancelled". True if one was pending. */
  cancel(key: string): boolean {
    const pending = this.#pending.get(key);
    if (pending === undefined) return false;
    clearTimeout(pending.timer);
    this.#pending.delete(key);
    for (const waiter of pending.waiters) waiter.resolve("cancelled");
    return true;
  }

  /** When the pending teardown of `key` will run, if one is pending. */
  deadline(key: string): Date | undefined {
    return this.#pending.get(key)?.at;
  }

  /** Takes every pending teardown off its timer; their callers settle with `done` (close()). */
  settleAllWith(done: Promise<void>): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      settle(
        pending.waiters,
        done.then((): TeardownOutcome => "torn-down"),
      );
    }
    this.#pending.clear();
  }
}

function settle(waiters: readonly Waiter[], done: Promise<TeardownOutcome>): void {
  done.then(
    (outcome) => {
      for (const waiter of waiters) waiter.resolve(outcome);
    },
    (error: unknown) => {
      for (const waiter of waiters) waiter.reject(error);
    },
  );
}
