/**
 * An incremental Server-Sent Events parser (the WHATWG "event stream interpretation"): text in, in
 * whatever pieces the network delivers, messages and comments out. Pure: no I/O, no timers.
 */

/** One dispatched event. `id` is the stream's last event ID when the event was dispatched. */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

export interface SseHandlers {
  readonly onMessage: (message: SseMessage) => void;
  /** A comment line (`: ping`), without the colon; heartbeats arrive here. */
  readonly onComment?: (text: string) => void;
  /** A valid `retry:` field: the server's suggested reconnection delay in milliseconds. */
  readonly onRetry?: (ms: number) => void;
}

const LF = 10;
const CR = 13;

export class SseParser {
  /** The unterminated tail of the text seen so far. */
  #pending = "";
  /** The previous piece ended with CR: a LF starting the next piece belongs to the same line break. */
  #skipLeadingLf = false;
  #event = "";
  #data: string[] = [];
  #lastEventId: string | undefined;

  constructor(private readonly handlers: SseHandlers) {}

  /** The `id` of the last event seen (what a reconnecting client sends as Last-Event-ID). */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Feeds decoded text; complete lines are interpreted at once, a partial line waits for the rest. */
  push(text: string): void {
    let start = 0;
    if (this.#skipLeadingLf && text.charCodeAt(0) === LF) start = 1;
    if (text.length > 0) this.#skipLeadingLf = false;
    const buffered = this.#pending;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      const piece = text.slice(start, i);
      if (this.#pending.length > 0) {
        this.#pending = "";
        this.#line(buffered + piece);
      } else this.#line(piece);
      if (c === CR) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else this.#skipLeadingLf = true;
      }
      start = i + 1;
    }
    if (start < text.length) this.#pending += text.slice(start);
  }

  /** Forgets a partial line and a partly received event (the connection they came on is gone). */
  reset(): void {
    this.#pending = "";
    this.#skipLeadingLf = false;
    this.#event = "";
    this.#data = [];
  }

  #line(line: string): void {
    if (line.length === 0) {
      this.#dispatch();
      return;
    }
    const colon = line.indexOf(":");
    if (colon === 0) {
      this.handlers.onComment?.(line.slice(1).trimStart());
      return;
    }
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.#event = value;
        break;
      case "data":
        this.#data.push(value);
        break;
      case "id":
        if (!value.includes("\u0000")) this.#lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
      // Unknown fields are ignored, as the standard says.
    }
  }

  #dispatch(): void {
    const data = this.#data;
    const event = this.#event;
    this.#data = [];
    this.#event = "";
    if (data.length === 0) return;
    this.handlers.onMessage({
      event: event === "" ? "message" : event,
      data: data.join("\n"),
      id: this.#lastEventId,
    });
  }
}
