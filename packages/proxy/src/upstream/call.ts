/**
 * One attempt of one request on one pooled upstream connection: write the request head (and body),
 * parse the response, hand head and body to a sink, and give the connection back for reuse when the
 * exchange ended cleanly. The proxy speaks HTTP/1.1 to upstreams itself instead of through
 * `node:http`'s client: that client costs about as much CPU per request as the rest of the proxy.
 */
import { type ResponseHead, ResponseParser, type ResponseSink } from "./response-parser.js";
import type { Connection, ConnectionUser, Target } from "./target.js";

/** Why an attempt failed: the target refused or reset, went silent, or answered something that is not HTTP. */
export type FailureKind = "unreachable" | "reset" | "timeout" | "protocol";

export class UpstreamError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

export interface CallSink {
  /** Takes the response head; returns a reason to reject it, or undefined. */
  head(head: ResponseHead): string | undefined;
  body(chunk: Buffer): void;
  /** The response is complete. */
  done(): void;
  /** The attempt failed; `afterHead` when the response head was already passed on. */
  failed(error: UpstreamError, afterHead: boolean): void;
  /** The connection can take more request body after `write` returned false. */
  drain(): void;
}

/** Errors that mean the target is not accepting connections at all. */
const UNREACHABLE = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

export class UpstreamCall implements ConnectionUser, ResponseSink {
  private readonly parser = new ResponseParser(this);
  private readonly conn: Connection;
  private requestEnded = false;
  private paused = false;
  private finished = false;

  /** Takes a connection from `target` and sends `head`, then `body` when given (a complete request). */
  constructor(
    readonly target: Target,
    private readonly sink: CallSink,
    private readonly timeoutMs: number,
    head: string,
    headRequest: boolean,
    body: Buffer | null | undefined,
  ) {
    const conn = target.acquire();
    this.conn = conn;
    conn.user = this;
    this.parser.reset(headRequest);
    const socket = conn.socket;
    socket.setTimeout(timeoutMs);
    if (body === undefined) {
      socket.write(head, "latin1");
    } else {
      socket.cork();
      socket.write(head, "latin1");
      if (body !== null && body.length > 0) socket.write(body);
      socket.uncork();
      this.requestEnded = true;
    }
  }

  /** Whether this attempt reused a connection that had served requests before. */
  get reused(): boolean {
    return this.conn.served > 0;
  }

  /** Streams part of the request body; false means wait for the sink's `drain`. */
  write(chunk: Buffer | string): boolean {
    if (this.finished) return true;
    return this.conn.socket.write(chunk);
  }

  /** Streams one chunk of a chunked request body. */
  writeChunk(chunk: Buffer): boolean {
    if (this.finished || chunk.length === 0) return true;
    const socket = this.conn.socket;
    socket.cork();
    socket.write(`${chunk.length.toString(16)}\r\n`, "latin1");
    socket.write(chunk);
    const ok = socket.write("\r\n", "latin1");
    socket.uncork();
    return ok;
  }

  /** The request body is complete (after writing `last`, e.g. the last chunk of chunked coding). */
  end(last?: string): void {
    if (this.finished) return;
    if (last !== undefined) this.conn.socket.write(last, "latin1");
    this.requestEnded = true;
  }

  /** Stops reading the response while the client is slow. */
  pause(): void {
    this.paused = true;
    this.conn.socket.pause();
  }

  resume(): void {
    this.paused = false;
    this.conn.socket.resume();
  }

  /** Gives up on the attempt (the client went away): the connection is closed, not reused. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.target.release(this.conn, false);
  }

  head(head: ResponseHead): string | undefined {
    return this.sink.head(head);
  }

  body(chunk: Buffer): void {
    this.sink.body(chunk);
  }

  onData(chunk: Buffer): void {
    const error = this.parser.execute(chunk);
    if (this.parser.done) {
      // Bytes after the response (an error here) only make the connection unfit for reuse.
      this.complete(error === undefined && this.parser.keepAlive && this.requestEnded);
    } else if (error !== undefined) {
      this.fail(new UpstreamError("protocol", `invalid response: ${error}`));
    }
  }

  onClosed(error: Error | undefined): void {
    if (this.finished) return;
    const cutOff = this.parser.finish();
    if (cutOff === undefined) {
      this.complete(false);
      return;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code !== undefined && UNREACHABLE.has(code)) this.fail(new UpstreamError("unreachable", code, code));
    else this.fail(new UpstreamError("reset", code ?? cutOff, code));
  }

  onTimeout(): void {
    if (this.paused) {
      // Waiting for the client, not the upstream.
      this.conn.socket.setTimeout(this.timeoutMs);
      return;
    }
    this.fail(new UpstreamError("timeout", `no response within ${this.timeoutMs} ms`));
  }

  onDrain(): void {
    this.sink.drain();
  }

  private complete(reusable: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.target.release(this.conn, reusable);
    this.sink.done();
  }

  private fail(error: UpstreamError): void {
    if (this.finished) return;
    this.finished = true;
    this.target.release(this.conn, false);
    this.sink.failed(error, this.parser.headDone);
  }
}
