/**
 * Delivery to one notifier, off the controller's path: a bounded queue (the oldest is dropped, with a
 * warning, when it is full), one send at a time in order, a timeout per attempt, retries with backoff,
 * and at most one delivery per (rollout, seq) in this process.
 */
import { NotifierError } from "./errors.js";
import type { Notification, Notifier } from "./notifier.js";

export interface DeliveryOptions {
  /** The wait before each retry; its length is the number of retries. Default [1000, 2000, 4000]: 4 attempts. */
  readonly retryDelaysMs?: readonly number[];
  /** How long one attempt may take (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Notifications waiting at most (default 100); one more drops the oldest. */
  readonly queueSize?: number;
  /** How many (rollout, seq) keys are remembered to refuse duplicates (default 10 000). */
  readonly remember?: number;
  /** Waits `ms`, or less when `signal` aborts (default: a timer); tests inject their own. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Where failures and drops are reported (default: stderr). */
  readonly log?: (message: string) => void;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000];
export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_QUEUE_SIZE = 100;

export interface DeliveryStats {
  delivered: number;
  /** Gave up after every attempt, or at once on a non-retryable answer. */
  failed: number;
  /** Pushed out of a full queue, or still queued at close. */
  dropped: number;
  /** Refused as already queued or sent. */
  duplicates: number;
}

export class NotifierQueue {
  readonly stats: DeliveryStats = { delivered: 0, failed: 0, dropped: 0, duplicates: 0 };
  readonly #queue: Notification[] = [];
  readonly #seen = new Set<string>();
  readonly #closing = new AbortController();
  readonly #delays: readonly number[];
  readonly #timeoutMs: number;
  readonly #size: number;
  readonly #remember: number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #log: (message: string) => void;
  #worker: Promise<void> | undefined;

  constructor(
    readonly notifier: Notifier,
    options: DeliveryOptions = {},
  ) {
    this.#delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#size = Math.max(1, options.queueSize ?? DEFAULT_QUEUE_SIZE);
    this.#remember = Math.max(this.#size, options.remember ?? 10_000);
    this.#sleep = options.sleep ?? sleep;
    this.#log = options.log ?? ((m) => console.error(m));
  }

  /**
   * Queues `n` and returns at once; false when it is a duplicate (same rollout, seq and time — the
   * time tells a rollout deleted and created again apart) or the queue is closed.
   */
  enqueue(n: Notification): boolean {
    if (this.#closing.signal.aborted) return false;
    const key = `${n.namespace}/${n.rollout}#${n.seq}@${n.at}`;
    if (this.#seen.has(key)) {
      this.stats.duplicates++;
      return false;
    }
    this.#seen.add(key);
    if (this.#seen.size > this.#remember) {
      const oldest = this.#seen.values().next();
      if (oldest.done !== true) this.#seen.delete(oldest.value);
    }
    if (this.#queue.length >= this.#size) {
      const dropped = this.#queue.shift();
      this.stats.dropped++;
      if (dropped !== undefined)
        this.#log(
          `notifier ${this.notifier.target}: queue full (${this.#size}): dropped ${describe(dropped)} to make room`,
        );
    }
    this.#queue.push(n);
    this.#worker ??= this.#drain();
    return true;
  }

  /** Notifications waiting (not counting the one being sent). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves once nothing is queued or in flight. */
  async idle(): Promise<void> {
    while (this.#worker !== undefined) await this.#worker;
  }

  /** Lets the queue drain for up to `graceMs`, then aborts what is in flight and drops the rest. */
  async close(graceMs = 2000): Promise<void> {
    const worker = this.#worker;
    if (worker !== undefined && graceMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([worker, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.#closing.abort();
    const left = this.#queue.splice(0);
    this.stats.dropped += left.length;
    if (left.length > 0)
      this.#log(`notifier ${this.notifier.target}: closed with ${left.length} notification(s) not sent`);
    await this.#worker;
  }

  async #drain(): Promise<void> {
    // Yield first, so #worker is set before the finally below can clear it.
    await Promise.resolve();
    try {
      for (let n = this.#queue.shift(); n !== undefined; n = this.#queue.shift()) {
        if (this.#closing.signal.aborted) return;
        await this.#deliver(n);
      }
    } finally {
      // In the same step as seeing the queue empty: an enqueue after this starts a new worker.
      this.#worker = undefined;
    }
  }

  async #deliver(n: Notification): Promise<void> {
    const attempts = this.#delays.length + 1;
    for (let attempt = 1; ; attempt++) {
      const error = await this.#attempt(n);
      if (error === undefined) {
        this.stats.delivered++;
        return;
      }
      if (this.#closing.signal.aborted) return;
      if (!error.retryable || attempt >= attempts) {
        this.stats.failed++;
        const tries = error.retryable ? `after ${attempts} attempt(s)` : "(not retried)";
        this.#log(
          `notifier ${this.notifier.target}: ${describe(n)} not delivered ${tries}: ${error.message}`,
        );
        return;
      }
      await this.#sleep(this.#delays[attempt - 1] ?? 0, this.#closing.signal);
      if (this.#closing.signal.aborted) return;
    }
  }

  /** One send under the timeout; the error, or undefined when delivered. */
  async #attempt(n: Notification): Promise<NotifierError | undefined> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const signal = AbortSignal.any([timeout.signal, this.#closing.signal]);
    // Raced with the abort too: a notifier that ignores its signal still cannot hold the queue.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      await Promise.race([this.notifier.send(n, signal), aborted]);
      return undefined;
    } catch (e) {
      if (timeout.signal.aborted)
        return new NotifierError("TIMEOUT", `no answer within ${this.#timeoutMs} ms`);
      if (e instanceof NotifierError) return e;
      return new NotifierError("UNREACHABLE", e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
    }
  }
}

/** `rollout default/checkout StepCompleted (seq 7)`: how logs name a notification. */
export function describe(n: Notification): string {
  return `rollout ${n.namespace}/${n.rollout} ${n.event} (seq ${n.seq})`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
