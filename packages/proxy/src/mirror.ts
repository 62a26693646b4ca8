/**
 * Mirroring (Argo's `setMirrorRoute`): a copy of a request goes to the canary and its response is read
 * and discarded. The client's request is streamed to stable untouched; the copy's body is buffered up
 * to a limit, and a request with a larger body is not mirrored.
 */
import type { IncomingMessage } from "node:http";
import { requestHead } from "./headers.js";
import { ejectIfUnreachable, type Lane, type RequestContext } from "./lane.js";
import { type CallSink, UpstreamCall, type UpstreamError } from "./upstream/call.js";
import type { ResponseHead } from "./upstream/response-parser.js";

/** Sends a copy of `req` to `lane` once its body (if any) has been read; never affects the client. */
export function startMirror(
  ctx: RequestContext,
  lane: Lane,
  req: IncomingMessage,
  withBody: boolean,
  timeoutMs: number,
): void {
  if (!withBody) {
    send(ctx, lane, req, Buffer.alloc(0), timeoutMs);
    return;
  }
  const limit = ctx.mirrorBodyLimitBytes;
  let chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size <= limit) {
      chunks.push(chunk);
      return;
    }
    req.off("data", onData);
    req.off("end", onEnd);
    chunks = [];
    lane.series.mirrorSkipped++;
  };
  const onEnd = (): void => {
    req.off("data", onData);
    send(ctx, lane, req, Buffer.concat(chunks, size), timeoutMs);
  };
  req.on("data", onData);
  req.once("end", onEnd);
}

function send(ctx: RequestContext, lane: Lane, req: IncomingMessage, body: Buffer, timeoutMs: number): void {
  const target = lane.upstream.pick(ctx.now());
  lane.series.mirrored++;
  const sink = new MirrorSink(ctx, lane);
  const head = requestHead(req, target.authority, body.length);
  sink.call = new UpstreamCall(target, sink, timeoutMs, head, req.method === "HEAD", body);
}

/** Reads and discards the canary's answer to a copy, and records it on the canary's metrics. */
class MirrorSink implements CallSink {
  private readonly startedAt = performance.now();
  private status = 0;
  call: UpstreamCall | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly lane: Lane,
  ) {}

  head(head: ResponseHead): string | undefined {
    this.status = head.status;
    return undefined;
  }

  body(): void {}

  drain(): void {}

  done(): void {
    this.record(this.status);
  }

  failed(error: UpstreamError): void {
    if (this.call !== undefined) ejectIfUnreachable(this.ctx, this.call.target, error);
    this.record(error.kind === "timeout" ? 504 : 502);
  }

  private record(status: number): void {
    this.lane.series.record(status, performance.now() - this.startedAt, this.ctx.now());
  }
}
