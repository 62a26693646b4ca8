/**
 * Server-Sent Events written by hand on a hijacked reply: framing, one heartbeat timer per route
 * module, backpressure, cleanup; and waiting for this replica to catch up with a version a client has
 * already seen elsewhere. Shared by SDK sync and OFREP change notification.
 */
import type { FastifyReply } from "fastify";
import type { ChangeNotice, SnapshotCache } from "../flags/snapshots.js";

/** Heartbeat interval when neither the options nor RAMP_STREAM_HEARTBEAT_MS say otherwise. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

export interface StreamOptions {
  /** Interval of the `: ping` comment that keeps proxies from closing idle streams (default 15 s). */
  readonly heartbeatMs?: number;
}

export function heartbeatMsOf(options: StreamOptions): number {
  if (options.heartbeatMs !== undefined) return options.heartbeatMs;
  const fromEnv = Number(process.env.RAMP_STREAM_HEARTBEAT_MS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_HEARTBEAT_MS;
}

/** One SSE message. `data` must be single-line (compact JSON always is). */
export function sseFrame(event: string, id: number, data: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

const PING = ": ping\n\n";

/** The `Last-Event-ID` a reconnecting EventSource sends: our ids are project versions. */
export function lastEventIdOf(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^\d{1,15}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

/**
 * One open event stream. While the socket is congested (a write returned false) further frames are
 * dropped rather than queued, and `onResync` runs at the next drain so the owner sends one frame that
 * stands for everything missed: a slow client costs one buffered frame, not an unbounded queue.
 */
export class SseConnection {
  #congested = false;
  #missed = false;
  #closed = false;
  /** Called after a drain when frames were dropped; the owner resends the current state. */
  onResync: () => void = () => undefined;

  constructor(
    private readonly reply: FastifyReply,
    onClose: () => void,
  ) {
    const res = reply.raw;
    const closed = (): void => {
      if (this.#closed) return;
      this.#closed = true;
      onClose();
    };
    res.on("close", closed);
    // The client may have gone while the route awaited (auth, a snapshot): then 'close' has fired
    // already. Reported after the owner has registered the stream, as a late 'close' would be.
    if (res.destroyed || res.socket === null || res.socket.destroyed) queueMicrotask(closed);
    res.on("drain", () => {
      this.#congested = false;
      if (this.#missed && !this.#closed) {
        this.#missed = false;
        this.onResync();
      }
    });
  }

  /** Takes the response over from Fastify and sends the SSE headers (no compression, no proxy buffering). */
  static open(reply: FastifyReply, onClose: () => void): SseConnection {
    reply.hijack();
    const res = reply.raw;
    res.socket?.setNoDelay(true);
    res.socket?.setTimeout(0);
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const conn = new SseConnection(reply, onClose);
    // The retry hint and an early byte: clients see the stream open without waiting for an event.
    conn.send("retry: 1000\n\n");
    return conn;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes a frame, or drops it (and remembers to resync) while the socket is congested. */
  send(frame: string): void {
    if (this.#closed) return;
    if (this.#congested) {
      this.#missed = true;
      return;
    }
    if (!this.reply.raw.write(frame)) this.#congested = true;
  }

  /** A heartbeat comment; skipped while congested (the connection is evidently not idle). */
  ping(): void {
    if (!this.#closed && !this.#congested) this.send(PING);
  }

  close(): void {
    if (!this.#closed) this.reply.raw.end();
  }
}

/** One interval for all of a module's streams, running only while there are streams. */
export class Heartbeat {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly connections: () => Iterable<SseConnection>,
  ) {}

  /** Call after adding or removing a connection. */
  update(count: number): void {
    if (count > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => {
        for (const c of this.connections()) c.ping();
      }, this.intervalMs);
      this.#timer.unref();
    } else if (count === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  stop(): void {
    this.update(0);
  }
}

/**
 * Resolves when this replica has seen `version` of the project (another replica may be ahead: a
 * client saw the version there), or after `timeoutMs`; callers then answer with what they have.
 */
export function awaitVersion(
  snapshots: SnapshotCache,
  projectId: number,
  version: number,
  current: number,
  timeoutMs: number,
): Promise<void> {
  if (current >= version) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const unsubscribe = snapshots.onChange((n: ChangeNotice) => {
      if (n.projectId === projectId && (n.version >= version || n.resync)) done();
    });
  });
}
