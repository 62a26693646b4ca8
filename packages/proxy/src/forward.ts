/**
 * One proxied request: choose the version, stream the request to one of its targets and the response
 * back, retry what is safe to retry, time out silent attempts, answer 502/504 when nothing answers,
 * and record the outcome on the version's metrics.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type BodyFraming, bodyFraming, requestHead } from "./headers.js";
import { type ActiveConfig, ejectIfUnreachable, type Lane, type RequestContext } from "./lane.js";
import { startMirror } from "./mirror.js";
import type { Role } from "./route.js";
import { type CallSink, UpstreamCall, type UpstreamError } from "./upstream/call.js";
import type { ResponseHead } from "./upstream/response-parser.js";

/**
 * Methods retried after a failure (RFC 9110 §9.2.2 idempotent methods), and only when the request has
 * no body (bodies are streamed, not kept) and no response byte has arrived. POST and PATCH never are.
 */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

/** Status recorded for a request whose client went away before a response was sent (nginx's 499). */
export const CLIENT_CLOSED = 499;

/** Proxies `req` with the configuration `active`; every outcome ends in `ctx.done()` exactly once. */
export function forward(
  ctx: RequestContext,
  active: ActiveConfig,
  req: IncomingMessage,
  res: ServerResponse,
  pinned?: Role,
): void {
  new Exchange(ctx, active, req, res, pinned).start();
}

/**
 * The answer of the canary-only listener while the configuration has no canary: 503 (the service is
 * there, this entry point has nothing to serve yet), JSON so scripts and analyses can tell it apart.
 */
export function respondNoCanary(service: string, res: ServerResponse): void {
  const body = `${JSON.stringify({
    error: "no-canary",
    service,
    message: `service '${service}' has no canary (preview) version now: this listener serves only a new version while it is rolled out`,
  })}\n`;
  res.writeHead(503, [
    "content-type",
    "application/json",
    "content-length",
    String(Buffer.byteLength(body)),
    "retry-after",
    "5",
    "x-ramp-proxy-error",
    "no-canary",
  ]);
  res.end(body);
}

class Exchange implements CallSink {
  private readonly startedAt = performance.now();
  private readonly lane: Lane;
  private readonly framing: BodyFraming;
  private retriesLeft: number;
  private attempts = 0;
  private call: UpstreamCall | undefined;
  private completed = false;
  private brokenUpstream = false;
  private timedOut = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly active: ActiveConfig,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    pinned: Role | undefined,
  ) {
    const canary = active.canary;
    const role = pinned ?? (canary === undefined ? "stable" : active.router.choose(req.headers, ctx.random));
    this.lane = canary !== undefined && role === "canary" ? canary : active.stable;
    this.framing = bodyFraming(req);
    this.retriesLeft =
      this.framing === "none" && IDEMPOTENT.has(req.method ?? "") ? active.config.retries : 0;
  }

  start(): void {
    this.res.once("close", () => this.finish());
    const canary = this.active.canary;
    if (
      canary !== undefined &&
      this.lane !== canary &&
      this.active.router.mirror(this.req.headers, this.ctx.random)
    ) {
      startMirror(this.ctx, canary, this.req, this.framing !== "none", this.active.config.timeoutMs);
    }
    this.attempt();
    if (this.framing !== "none") this.streamBody();
  }

  private attempt(): void {
    const target = this.lane.upstream.pick(this.ctx.now());
    this.attempts++;
    const head = requestHead(this.req, target.authority);
    const timeoutMs = this.active.config.timeoutMs;
    const body = this.framing === "none" ? null : undefined;
    this.call = new UpstreamCall(target, this, timeoutMs, head, this.req.method === "HEAD", body);
  }

  /** Streams the client's body to the (single: bodies are never retried) attempt, with backpressure. */
  private streamBody(): void {
    const req = this.req;
    const chunked = this.framing === "chunked";
    req.on("data", (chunk: Buffer) => {
      const call = this.call;
      if (call === undefined) return;
      if (!(chunked ? call.writeChunk(chunk) : call.write(chunk))) req.pause();
    });
    req.once("end", () => this.call?.end(chunked ? "0\r\n\r\n" : undefined));
  }

  drain(): void {
    this.req.resume();
  }

  head(head: ResponseHead): string | undefined {
    try {
      this.res.writeHead(head.status, head.statusMessage, head.headers);
      return undefined;
    } catch (error) {
      return `a header Node will not send: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  body(chunk: Buffer): void {
    // Node corks the response until the next tick, so head, body and end leave in one write.
    if (!this.res.write(chunk)) {
      const call = this.call;
      call?.pause();
      this.res.once("drain", () => call?.resume());
    }
  }

  done(): void {
    this.completed = true;
    this.res.end();
  }

  failed(error: UpstreamError, afterHead: boolean): void {
    const call = this.call;
    if (call !== undefined) ejectIfUnreachable(this.ctx, call.target, error);
    if (afterHead) {
      // The response broke after it started: the client must see a cut-off response, not a short one.
      this.brokenUpstream = true;
      this.res.destroy();
      return;
    }
    if (this.res.destroyed) return;
    if (this.retriesLeft > 0) {
      this.retriesLeft--;
      this.lane.series.retries++;
      this.attempt();
      return;
    }
    this.timedOut = error.kind === "timeout";
    this.completed = true;
    this.respondError(this.timedOut ? 504 : 502, error.message);
  }

  private respondError(status: 502 | 504, reason: string): void {
    const { config } = this.active;
    const version = this.lane.upstream.version;
    const what = status === 504 ? "504 Gateway Timeout" : "502 Bad Gateway";
    const tries = this.attempts === 1 ? "1 attempt" : `${this.attempts} attempts`;
    const body = `${what}: no healthy upstream answered for service '${config.service}', ${this.lane.role} version '${version}': ${reason} (${tries})\n`;
    this.res.writeHead(status, [
      "content-type",
      "text/plain; charset=utf-8",
      "content-length",
      String(Buffer.byteLength(body)),
      "x-ramp-proxy-error",
      this.timedOut ? "timeout" : "upstream",
    ]);
    this.res.end(body);
  }

  /** The client's response is done, or its connection closed: record it and stop any attempt. */
  private finish(): void {
    if (!this.completed) this.call?.abort();
    const res = this.res;
    let status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
    if (this.brokenUpstream) status = 502;
    this.lane.series.record(status, performance.now() - this.startedAt, this.ctx.now());
    this.ctx.done();
  }
}
