/**
 * The SDK stream connection (`GET /sdk/v1/stream`) over fetch: connects, feeds the SSE parser,
 * watches for silence, and reconnects with backoff and Last-Event-ID until stopped. It knows nothing
 * of flags: messages go to the handlers as they arrive.
 */
import { type BackoffPolicy, backoffDelay } from "./backoff.js";
import type { Clock } from "./clock.js";
import { type SseMessage, SseParser } from "./sse-parser.js";

export interface StreamDrop {
  /** What happened, for a log line: "connect ECONNREFUSED 127.0.0.1:4242", "HTTP 503 …". */
  readonly reason: string;
  /** The HTTP status when the server answered with an error. */
  readonly status?: number;
  /** True when the connection had opened before it ended. */
  readonly wasOpen: boolean;
  /** The delay before the next attempt. */
  readonly retryInMs: number;
}

export interface StreamHandlers {
  /**
   * The connection is up and caught up: called after the first event has been handled (the `put` a
   * resuming client is owed comes first), or after a short grace period when the server, finding the
   * client current, sends no event.
   */
  onOpen(): void;
  onMessage(message: SseMessage): void;
  /** An attempt failed or an open connection ended; the next attempt is already scheduled. */
  onDrop(drop: StreamDrop): void;
}

export interface StreamClientOptions {
  /** The full stream URL, e.g. https://ramp.example.com/sdk/v1/stream. */
  readonly url: string;
  /** Extra request headers (Authorization). */
  readonly headers: Readonly<Record<string, string>>;
  /** The version held now, sent as Last-Event-ID so the server resends only when it is newer. */
  readonly lastEventId: () => string | undefined;
  /** A connection with no bytes (not even a `: ping`) for this long is dead. */
  readonly silenceTimeoutMs: number;
  /** How long an open connection may stay quiet before it counts as caught up. */
  readonly openGraceMs: number;
  readonly backoff: BackoffPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly fetch: typeof fetch;
}

type Outcome = Omit<StreamDrop, "retryInMs">;

export class StreamClient {
  #running = false;
  #attempt = 0;
  #abort: AbortController | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly options: StreamClientOptions,
    private readonly handlers: StreamHandlers,
  ) {}

  /** Starts connecting (no-op when already running). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#attempt = 0;
    this.#loop = this.#run();
  }

  /** Closes the connection and cancels any pending retry; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#abort?.abort();
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }

  /** Drops the current connection (or cuts a pending retry short) and connects again now. */
  reconnect(): void {
    this.#attempt = 0;
    this.#abort?.abort();
    this.#wake?.();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const outcome = await this.#connectOnce();
      if (!this.#running) return;
      const retryInMs = backoffDelay(this.#attempt++, this.options.backoff, this.options.random);
      this.handlers.onDrop({ ...outcome, retryInMs });
      if (this.#running) await this.#sleep(retryInMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.options.clock.setTimer(() => wake(), ms);
      const wake = (): void => {
        cancel();
        this.#wake = undefined;
        resolve();
      };
      this.#wake = wake;
    });
  }

  async #connectOnce(): Promise<Outcome> {
    const { clock, silenceTimeoutMs } = this.options;
    const controller = new AbortController();
    this.#abort = controller;
    let wasOpen = false;
    let silent = false;
    let cancelWatchdog = (): void => {};
    let cancelGrace = (): void => {};
    // One watchdog covers connecting, waiting for headers and reading: any stall past the limit.
    const feedWatchdog = (): void => {
      cancelWatchdog();
      cancelWatchdog = clock.setTimer(() => {
        silent = true;
        controller.abort();
      }, silenceTimeoutMs);
    };
    const markOpen = (): void => {
      if (wasOpen || controller.signal.aborted) return;
      wasOpen = true;
      cancelGrace();
      this.#attempt = 0;
      this.handlers.onOpen();
    };
    try {
      feedWatchdog();
      const response = await this.options.fetch(this.options.url, {
        headers: this.#requestHeaders(),
        signal: controller.signal,
      });
      if (!response.ok) {
        const detail = await errorDetail(response);
        return { reason: `HTTP ${response.status}${detail}`, status: response.status, wasOpen };
      }
      if (response.body === null) return { reason: "the stream response has no body", wasOpen };
      // A 200 from something else (a captive proxy's HTML page) must not pass for a quiet, current stream.
      const type = response.headers.get("content-type") ?? "";
      if (!type.startsWith("text/event-stream")) {
        await response.body.cancel();
        return { reason: `expected text/event-stream, got '${type || "no content type"}'`, wasOpen };
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let messages = 0;
      const parser = new SseParser({
        onMessage: (message) => {
          messages++;
          this.handlers.onMessage(message);
        },
      });
      cancelGrace = clock.setTimer(markOpen, this.options.openGraceMs);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { reason: "the server closed the stream", wasOpen };
        feedWatchdog();
        parser.push(value);
        // Comments and `retry:` prove the socket, not the state: wait for an event (or the grace period).
        if (messages > 0) markOpen();
      }
    } catch (error) {
      if (silent) return { reason: `no data for ${silenceTimeoutMs} ms (heartbeats stopped)`, wasOpen };
      return { reason: describeError(error), wasOpen };
    } finally {
      cancelWatchdog();
      cancelGrace();
      controller.abort();
      if (this.#abort === controller) this.#abort = undefined;
    }
  }

  #requestHeaders(): Record<string, string> {
    const headers: Record<string, string> = {
      ...this.options.headers,
      Accept: "text/event-stream",
      "Cache-Control": "no-cache",
    };
    const id = this.options.lastEventId();
    if (id !== undefined) headers["Last-Event-ID"] = id;
    return headers;
  }
}

/** `: <message>` from Ramp's error shape `{ error: { message } }`, or a short piece of the body. */
async function errorDetail(response: Response): Promise<string> {
  try {
    const text = (await response.text()).slice(0, 500);
    try {
      const parsed: unknown = JSON.parse(text);
      const message = (parsed as { error?: { message?: unknown } } | null)?.error?.message;
      if (typeof message === "string") return `: ${message}`;
    } catch {
      // Not JSON: fall through to the raw text.
    }
    return text.trim() === "" ? "" : `: ${text.trim()}`;
  } catch {
    return "";
  }
}

/** fetch's errors hide the useful part in `cause` ("fetch failed" ← "connect ECONNREFUSED …"). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error && cause.message !== "") return cause.message;
  return error.message;
}
