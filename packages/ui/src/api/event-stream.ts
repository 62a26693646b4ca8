/**
 * The server's live events (GET /api/v1/events) read with fetch streaming, so the token travels in the
 * Authorization header. Reconnects with capped exponential backoff; after a reconnect, listeners are told
 * to refetch, since events sent while the connection was down are gone.
 */
import { EVENTS_PATH } from "./client.js";
import { SseParser } from "./sse-parser.js";
import type { LiveEvents } from "./types.js";

export type StreamState = "connecting" | "live" | "reconnecting" | "unavailable";

export type LiveEvent = {
  [K in keyof LiveEvents]: { readonly type: K; readonly data: LiveEvents[K] };
}[keyof LiveEvents];

export interface EventStreamOptions {
  readonly token: string;
  readonly onEvent: (event: LiveEvent) => void;
  /** Called after every (re)connection: state may have changed while nobody listened. */
  readonly onResync: () => void;
  readonly onState: (state: StreamState) => void;
  /** A 401: the token is no longer valid. */
  readonly onUnauthorized: () => void;
}

const KNOWN = new Set<string>(["flag", "segment", "rollout", "audit", "evaluations"]);
const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/** Opens the stream; the returned function closes it for good. */
export function openEventStream(o: EventStreamOptions): () => void {
  const stop = new AbortController();
  let delay = MIN_DELAY_MS;
  let connectedOnce = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stop.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });

  async function readOnce(): Promise<void> {
    const res = await fetch(EVENTS_PATH, {
      headers: { authorization: `Bearer ${o.token}`, accept: "text/event-stream" },
      signal: stop.signal,
      cache: "no-store",
    });
    if (res.status === 401) {
      o.onUnauthorized();
      stop.abort();
      return;
    }
    if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
    o.onState("live");
    if (connectedOnce) o.onResync();
    connectedOnce = true;
    delay = MIN_DELAY_MS;
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const e of parser.push(value)) {
        // The server lost frames (a slow socket, a reconnected store): re-read everything.
        if (e.event === "resync") o.onResync();
        if (!KNOWN.has(e.event)) continue;
        try {
          o.onEvent({ type: e.event, data: JSON.parse(e.data) } as LiveEvent);
        } catch {
          // A frame that is not JSON is not one of ours: skip it rather than drop the stream.
        }
      }
    }
  }

  void (async () => {
    o.onState("connecting");
    while (!stop.signal.aborted) {
      try {
        await readOnce();
      } catch {
        // Connection refused, reset or a non-2xx answer: retry below.
      }
      if (stop.signal.aborted) return;
      o.onState("reconnecting");
      await wait(delay * (0.75 + Math.random() * 0.5));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  })();

  return () => stop.abort();
}
