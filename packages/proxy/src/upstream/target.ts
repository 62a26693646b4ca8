/**
 * An upstream origin and its pool of keep-alive connections (plain `node:net` sockets: the proxy speaks
 * HTTP/1.1 to upstreams itself, see call.ts). Idle connections are reused newest first and closed after
 * `idleTimeoutMs`, shorter than Node's 5 s server keep-alive, so the proxy closes them before the upstream does.
 */
import { connect, type Socket } from "node:net";

export interface PoolOptions {
  /** Most idle connections kept per target (default 256). */
  readonly maxIdle?: number;
  /** Idle connections are closed after this long (default 4000 ms). */
  readonly idleTimeoutMs?: number;
}

/** Who is using a connection: receives its socket's events. */
export interface ConnectionUser {
  onData(chunk: Buffer): void;
  /** The upstream closed the connection (end of stream, reset or error). */
  onClosed(error: Error | undefined): void;
  onTimeout(): void;
  onDrain(): void;
}

/** One keep-alive connection to a target. */
export class Connection {
  readonly socket: Socket;
  /** Set while a request uses the connection. */
  user: ConnectionUser | undefined;
  /** Requests completed on this connection before the current one. */
  served = 0;
  private closedError: Error | undefined;

  constructor(target: Target) {
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      if (this.user !== undefined) this.user.onData(chunk);
      else socket.destroy(); // bytes on an idle connection: the upstream is confused; do not reuse it
    });
    socket.on("error", (error) => {
      this.closedError ??= error;
    });
    socket.on("end", () => socket.destroy());
    socket.on("close", () => {
      target.forget(this);
      const user = this.user;
      this.user = undefined;
      user?.onClosed(this.closedError);
    });
    socket.on("timeout", () => {
      if (this.user !== undefined) this.user.onTimeout();
      else socket.destroy();
    });
    socket.on("drain", () => this.user?.onDrain());
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }
}

/** One upstream origin with its connection pool and health. */
export class Target {
  readonly host: string;
  readonly port: number;
  /** `host:port`, for a request without a Host header. */
  readonly authority: string;
  /** Until this time (ms), round-robin passes this target by: it refused a connection. */
  ejectedUntil = 0;
  private readonly idle: Connection[] = [];
  private retired = false;
  private readonly maxIdle: number;
  private readonly idleTimeoutMs: number;

  constructor(
    readonly origin: string,
    options: PoolOptions,
  ) {
    const url = new URL(origin);
    this.host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    this.port = url.port === "" ? 80 : Number(url.port);
    this.authority = url.host;
    this.maxIdle = options.maxIdle ?? 256;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 4000;
  }

  /** A connection for one request: the most recently parked idle one, else a new one. */
  acquire(): Connection {
    let conn = this.idle.pop();
    while (conn?.closed) conn = this.idle.pop();
    return conn ?? new Connection(this);
  }

  /** Ends a request's use of `conn`; parks it for reuse when `reusable`, else closes it. */
  release(conn: Connection, reusable: boolean): void {
    conn.user = undefined;
    if (reusable && !this.retired && !conn.closed && this.idle.length < this.maxIdle) {
      conn.served++;
      conn.socket.setTimeout(this.idleTimeoutMs);
      this.idle.push(conn);
    } else {
      conn.socket.destroy();
    }
  }

  /** Drops a closed connection from the idle list. */
  forget(conn: Connection): void {
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** No configuration lists this target any more: close idle connections now, busy ones when released. */
  retire(): void {
    this.retired = true;
    for (const conn of this.idle.splice(0)) conn.socket.destroy();
  }
}
