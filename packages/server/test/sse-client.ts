/** Test helper: a minimal Server-Sent Events reader over node:http that records every event and comment. */
import { request as httpRequest, type IncomingMessage } from "node:http";

export interface SseEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  #buffer = "";
  #ended = false;
  readonly #waiters = new Set<() => void>();

  private constructor(readonly response: IncomingMessage) {
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => this.#feed(chunk));
    response.on("close", () => {
      this.#ended = true;
      this.#wake();
    });
  }

  /** Opens the stream; resolves once the response head has arrived (any status). */
  static connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { accept: "text/event-stream", ...headers } }, (res) =>
        resolve(new SseClient(res)),
      );
      req.on("error", reject);
      req.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves with the first recorded event (from index `from`) matching `match`. */
  async next(match: (e: SseEvent) => boolean = () => true, from = 0, timeoutMs = 5_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.#ended) throw new Error("the stream ended");
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(done);
      });
    }
  }

  /** Waits until `predicate` holds (checked after every chunk), or fails. */
  async until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): void {
    this.response.destroy();
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  #feed(chunk: string): void {
    this.#buffer += chunk.replace(/\r\n?/g, "\n");
    for (let end = this.#buffer.indexOf("\n\n"); end >= 0; end = this.#buffer.indexOf("\n\n")) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = "message";
      let id: string | undefined;
      const data: string[] = [];
      let hasData = false;
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "id") id = value;
        else if (field === "data") {
          data.push(value);
          hasData = true;
        }
      }
      if (hasData) this.events.push({ event, id, data: data.join("\n") });
    }
    this.#wake();
  }
}
