/**
 * Sends evaluation counts (POST /sdk/v1/metrics) and tracked events (POST /sdk/v1/events) in batches,
 * off the evaluation path: evaluations and `track()` only append to memory; a timer does the I/O.
 */
import type { Logger } from "@openfeature/server-sdk";
import type { Clock } from "../stream/clock.js";
import { EvaluationCounter } from "./evaluation-counter.js";
import { PostError, type PostTarget, postJson } from "./http.js";
import type { TrackedEvent } from "./tracking-event.js";

export interface ReporterOptions {
  readonly target: PostTarget;
  /** Time between reports, milliseconds. */
  readonly flushIntervalMs: number;
  /** A report goes out early once this many events are waiting. */
  readonly eventBatchSize: number;
  /** Events kept while the server cannot take them; the oldest are dropped beyond this. */
  readonly maxBufferedEvents: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export const METRICS_PATH = "/sdk/v1/metrics";
export const EVENTS_PATH = "/sdk/v1/events";
/** The most entries the server takes in one request (docs/api.md). */
export const MAX_BATCH = 1_000;

export class UsageReporter {
  readonly evaluations = new EvaluationCounter();
  #events: TrackedEvent[] = [];
  #dropped = 0;
  #cancelTimer: (() => void) | undefined;
  #earlyFlush = false;
  #flushing: Promise<void> | undefined;
  #running = false;
  /** The last failure logged, so an outage is reported once rather than every interval. */
  #lastFailure: string | undefined;

  constructor(private readonly options: ReporterOptions) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(this.options.flushIntervalMs);
  }

  /** Stops the timer and sends what is waiting (one attempt). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.flush();
  }

  /** Queues one event; a full batch triggers a report on the next turn of the event loop. */
  track(event: TrackedEvent): void {
    this.#events.push(event);
    if (this.#events.length > this.options.maxBufferedEvents) {
      this.#events.shift();
      this.#dropped++;
    }
    if (this.#events.length >= this.options.eventBatchSize && this.#running && !this.#earlyFlush) {
      this.#earlyFlush = true;
      this.#schedule(0);
    }
  }

  /** Sends the waiting counts and events now; concurrent calls share one report. */
  flush(): Promise<void> {
    this.#flushing ??= this.#send().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  #schedule(ms: number): void {
    this.#cancelTimer?.();
    this.#cancelTimer = this.options.clock.setTimer(() => {
      this.#earlyFlush = false;
      void this.flush().finally(() => {
        if (this.#running) this.#schedule(this.options.flushIntervalMs);
      });
    }, ms);
  }

  async #send(): Promise<void> {
    // A server that did not answer for the counts will not answer for the events either.
    if (await this.#sendCounts()) await this.#sendEvents();
    if (this.#dropped > 0) {
      this.options.logger.warn(
        `ramp: dropped ${this.#dropped} tracked event(s): the server did not take them in time`,
      );
      this.#dropped = 0;
    }
  }

  /** False when the server could not be reached (what was not sent is kept). */
  async #sendCounts(): Promise<boolean> {
    const counts = this.evaluations.take();
    for (let start = 0; start < counts.length; start += MAX_BATCH) {
      const batch = counts.slice(start, start + MAX_BATCH);
      try {
        await postJson(this.options.target, METRICS_PATH, { evaluations: batch });
        this.#succeeded();
      } catch (error) {
        // Kept for the next report when the server may take them then; dropped when it never will.
        this.#failed(error, "evaluation counts");
        if (!isRetryable(error)) continue;
        this.evaluations.add(counts.slice(start));
        return false;
      }
    }
    return true;
  }

  async #sendEvents(): Promise<void> {
    while (this.#events.length > 0) {
      const batch = this.#events.splice(0, this.options.eventBatchSize);
      try {
        await postJson(this.options.target, EVENTS_PATH, { events: batch });
        this.#succeeded();
      } catch (error) {
        if (isRetryable(error)) {
          // Back to the front, in order; the buffer bound still holds.
          this.#events.unshift(...batch);
          const excess = this.#events.length - this.options.maxBufferedEvents;
          if (excess > 0) {
            this.#events.splice(0, excess);
            this.#dropped += excess;
          }
        }
        this.#failed(error, `${batch.length} tracked event(s)`);
        return;
      }
    }
  }

  #succeeded(): void {
    if (this.#lastFailure !== undefined)
      this.options.logger.info("ramp: usage reports are going through again");
    this.#lastFailure = undefined;
  }

  #failed(error: unknown, what: string): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!isRetryable(error)) {
      this.options.logger.error(`ramp: the server rejected ${what}, which are dropped: ${message}`);
      return;
    }
    if (message !== this.#lastFailure)
      this.options.logger.warn(`ramp: usage report failed, will retry: ${message}`);
    this.#lastFailure = message;
  }
}

function isRetryable(error: unknown): boolean {
  return !(error instanceof PostError) || error.retryable;
}
