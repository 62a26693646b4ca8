/** Test doubles that are real: HTTP backends on 127.0.0.1 with OS-chosen ports, and a keep-alive client. */
import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";

/** What a backend saw of one request. */
export interface Hit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface BackendOptions {
  /** Milliseconds to wait before answering (default 0). */
  readonly delayMs?: number | ((hit: Hit, index: number) => number);
  /** Status of the n-th request (0-based); default 200. */
  readonly status?: (hit: Hit, index: number) => number;
}

export interface Backend {
  readonly name: string;
  readonly url: string;
  readonly hits: Hit[];
  close(): Promise<void>;
}

/** A backend that answers every request with its own name as the body. */
export async function startBackend(name: string, options: BackendOptions = {}): Promise<Backend> {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const hit = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      const index = hits.length;
      hits.push(hit);
      const answer = (): void => {
        const status = options.status?.(hit, index) ?? 200;
        res.writeHead(status, { "content-type": "text/plain", "x-backend": name });
        res.end(name);
      };
      const delay =
        typeof options.delayMs === "function" ? options.delayMs(hit, index) : (options.delayMs ?? 0);
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  trackSockets(server, sockets);
  const port = await listen(server);
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => closeServer(server, sockets),
  };
}

/** A backend that reads each request and then resets the connection without answering. */
export async function startResettingBackend(): Promise<Backend> {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req) => {
    req.resume();
    req.on("end", () => {
      hits.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: "" });
      req.socket.resetAndDestroy();
    });
  });
  trackSockets(server, sockets);
  const port = await listen(server);
  return {
    name: "resetting",
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => closeServer(server, sockets),
  };
}

/** A TCP backend that hands each request head (read up to the blank line) and its socket to `answer`. */
export async function startRawBackend(
  answer: (socket: Socket, head: string, index: number) => void,
): Promise<Backend & { readonly connections: number; openConnections(): number }> {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server = createTcpServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      let end = buffered.indexOf("\r\n\r\n");
      while (end >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const [method = "", url = ""] = head.split(" ");
        hits.push({ method, url, headers: {}, body: "" });
        answer(socket, head, hits.length - 1);
        end = buffered.indexOf("\r\n\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: "raw",
    url: `http://127.0.0.1:${port}`,
    hits,
    get connections() {
      return state.connections;
    },
    openConnections: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An origin nothing listens on: connections are refused. */
export async function deadTarget(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

export interface SendOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A keep-alive client, like the browsers and services in front of a proxy. */
export class Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });

  constructor(private readonly base: string) {}

  send(options: SendOptions = {}): Promise<Reply> {
    const url = new URL(options.path ?? "/", this.base);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { agent: this.agent, method: options.method ?? "GET", headers: options.headers ?? {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              headers: res.headers,
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(options.body);
    });
  }

  /** Sends `count` requests, `concurrency` at a time; `options(i)` describes the i-th. */
  async many(count: number, options: (i: number) => SendOptions, concurrency = 16): Promise<Reply[]> {
    const replies = new Array<Reply>(count);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const i = next++;
        replies[i] = await this.send(options(i));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return replies;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A seeded uniform [0, 1) generator (mulberry32), so the unsticky splits are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whether `observed` successes out of `n` are within `sigmas` standard deviations of share `p`. */
export function withinBinomial(observed: number, n: number, p: number, sigmas = 5): boolean {
  const sd = Math.sqrt(n * p * (1 - p));
  return Math.abs(observed - n * p) <= sigmas * sd + 1;
}

export function count<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (predicate(item)) n++;
  return n;
}

function trackSockets(server: Server, sockets: Set<Socket>): void {
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
