/**
 * A small Ramp server for tests: the SDK sync routes of docs/api.md ("SDK sync") over node:http,
 * with knobs to stop, restart on the same port, fall silent, and inspect what the SDK sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FlagFile } from "@ramp/engine";

export interface FakeServerOptions {
  readonly token: string;
  readonly environment: string;
  readonly file: FlagFile;
  readonly version?: number;
  /** Sends `: ping` this often (default: never; call ping()). */
  readonly heartbeatMs?: number;
}

export interface StreamRequest {
  readonly lastEventId: string | undefined;
  readonly authorization: string | undefined;
}

export class FakeSdkServer {
  readonly token: string;
  readonly environment: string;
  file: FlagFile;
  version: number;
  /** Bodies received on POST /sdk/v1/metrics and /sdk/v1/events. */
  readonly metrics: unknown[] = [];
  readonly events: unknown[] = [];
  readonly streamRequests: StreamRequest[] = [];
  /** When true, open streams get nothing more: no pings, no patches (a hung connection). */
  silent = false;

  #server: Server | undefined;
  #port = 0;
  readonly #streams = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #heartbeatMs: number | undefined;

  constructor(options: FakeServerOptions) {
    this.token = options.token;
    this.environment = options.environment;
    this.file = options.file;
    this.version = options.version ?? 1;
    this.#heartbeatMs = options.heartbeatMs;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  /** Listens (again on the same port after a stop). */
  async start(): Promise<this> {
    const server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, "127.0.0.1", () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    if (this.#heartbeatMs !== undefined) this.#heartbeat = setInterval(() => this.ping(), this.#heartbeatMs);
    return this;
  }

  /** Goes away abruptly: every connection is cut, nothing listens on the port. */
  async stop(): Promise<void> {
    clearInterval(this.#heartbeat);
    const server = this.#server;
    this.#server = undefined;
    for (const res of this.#streams) res.destroy();
    this.#streams.clear();
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Changes flags (null removes) and sends the patch to every open stream. */
  patch(
    change: { flags?: Record<string, unknown>; segments?: Record<string, unknown> },
    version = this.version + 1,
  ): void {
    this.version = version;
    const flags: Record<string, unknown> = { ...this.file.flags };
    for (const [key, doc] of Object.entries(change.flags ?? {})) {
      if (doc === null) delete flags[key];
      else flags[key] = definitionOf(doc);
    }
    const segments: Record<string, unknown> = { ...(this.file.segments ?? {}) };
    for (const [key, doc] of Object.entries(change.segments ?? {})) {
      if (doc === null) delete segments[key];
      else segments[key] = doc;
    }
    this.file = { ...this.file, flags, segments } as FlagFile;
    const data = { version, flags: change.flags ?? {}, segments: change.segments ?? {} };
    this.#broadcast(`event: patch\nid: ${version}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Sends a raw piece of event stream to every open stream (for out-of-order and malformed cases). */
  send(raw: string): void {
    this.#broadcast(raw);
  }

  ping(): void {
    this.#broadcast(": ping\n\n");
  }

  /** Replaces the flags without telling anyone (as if changed while the SDK was away). */
  replace(file: FlagFile, version = this.version + 1): void {
    this.file = file;
    this.version = version;
  }

  #broadcast(raw: string): void {
    if (this.silent) return;
    for (const res of this.#streams) res.write(raw);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const authorization = req.headers.authorization;
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const header = req.headers["last-event-id"];
    const lastEventId = typeof header === "string" ? header : undefined;
    if (path === "/sdk/v1/stream") this.streamRequests.push({ lastEventId, authorization });
    if (authorization !== `Bearer ${this.token}`) {
      json(res, 401, { error: { code: "unauthorized", message: "unknown or revoked token" } });
    } else if (req.method === "GET" && path === "/sdk/v1/stream") {
      this.#stream(res, lastEventId);
    } else if (req.method === "POST" && (path === "/sdk/v1/metrics" || path === "/sdk/v1/events")) {
      const into = path === "/sdk/v1/metrics" ? this.metrics : this.events;
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        body += chunk;
      });
      req.on("end", () => {
        into.push(JSON.parse(body));
        json(res, 202, {});
      });
    } else {
      json(res, 404, { error: { code: "not_found", message: `${req.method} ${path}` } });
    }
  }

  #stream(res: ServerResponse, lastEventId: string | undefined): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
    // Like the real server: a retry hint as an early byte, then (a moment later) the put if one is owed.
    res.write("retry: 1000\n\n");
    this.#streams.add(res);
    res.on("close", () => this.#streams.delete(res));
    if (lastEventId === String(this.version)) return;
    const put = `event: put\nid: ${this.version}\ndata: ${JSON.stringify(this.#snapshot())}\n\n`;
    setTimeout(() => {
      if (!this.silent && !res.destroyed) res.write(put);
    }, 5);
  }

  #snapshot(): { environment: string; version: number; file: FlagFile } {
    return { environment: this.environment, version: this.version, file: this.file };
  }
}

/** A flag document without the fields only the API adds (what the real server keeps in its files). */
function definitionOf(doc: unknown): unknown {
  if (typeof doc !== "object" || doc === null) return doc;
  const {
    key: _key,
    version: _version,
    archived: _archived,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    ...definition
  } = doc as Record<string, unknown>;
  return definition;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
