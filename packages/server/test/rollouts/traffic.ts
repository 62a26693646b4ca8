/**
 * Client-side traffic for the rollout suites, bounded in count and time: GETs to a rollout's proxy,
 * each tagged with an `x-request-id`, recording which version answered (the demo service and the test
 * backends name it in their JSON body). Also the test's own backends for the static platform.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { Agent, createServer, request, type Server } from "node:http";
import { join } from "node:path";
import { listenLocal } from "../../src/plugins/metrics/http/local-server.shared-test.js";

export interface SentRequest {
  readonly id: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Date.now() when the request was sent, and when its answer ended (undefined until then). */
  readonly startedAt: number;
  endedAt: number | undefined;
  /** The HTTP status; 0 when no answer came (connection refused, timeout). */
  status: number;
  /** The version that answered, from the body; null when the proxy itself answered or nothing did. */
  version: string | null;
}

/** Sends one GET and records it; never rejects. */
function send(
  agent: Agent,
  url: string,
  id: string,
  headers: Record<string, string>,
): [SentRequest, Promise<void>] {
  const sent: SentRequest = {
    id,
    headers,
    startedAt: Date.now(),
    endedAt: undefined,
    status: 0,
    version: null,
  };
  const done = new Promise<void>((resolve) => {
    const finish = () => {
      sent.endedAt = Date.now();
      resolve();
    };
    const req = request(
      `${url}/`,
      { agent, headers: { ...headers, "x-request-id": id }, timeout: 10_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => {
          sent.status = res.statusCode ?? 0;
          sent.version = versionIn(body);
          finish();
        });
        res.on("error", finish);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", finish);
    req.end();
  });
  return [sent, done];
}

function versionIn(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { version?: unknown };
    return typeof parsed.version === "string" ? parsed.version : null;
  } catch {
    return null;
  }
}

export interface TrafficOptions {
  /** The proxy's base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Request ids are `<prefix>-<n>`. */
  readonly prefix: string;
  /** One request every this many milliseconds (default 20: about 50 per second). */
  readonly intervalMs?: number;
  /** Stops by itself after this many requests (default 3000). */
  readonly maxRequests?: number;
  /** At most this many requests in flight; a tick with all of them busy sends nothing (default 16). */
  readonly maxInFlight?: number;
  readonly headers?: (n: number) => Record<string, string>;
}

/** Steady background traffic until stop() (or maxRequests). */
export class TrafficGenerator {
  readonly sent: SentRequest[] = [];
  readonly #agent: Agent;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #loop: Promise<void>;
  #stopped = false;

  constructor(private readonly options: TrafficOptions) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight ?? 16 });
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const { url, prefix, intervalMs = 20, maxRequests = 3000, maxInFlight = 16, headers } = this.options;
    let n = 0;
    while (!this.#stopped && n < maxRequests) {
      if (this.#inFlight.size < maxInFlight) {
        const [sent, done] = send(this.#agent, url, `${prefix}-${n}`, headers?.(n) ?? {});
        this.sent.push(sent);
        this.#inFlight.add(done);
        void done.then(() => this.#inFlight.delete(done));
        n++;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Stops sending and waits for every answer. */
  async stop(): Promise<SentRequest[]> {
    this.#stopped = true;
    await this.#loop;
    await Promise.all(this.#inFlight);
    this.#agent.destroy();
    return this.sent;
  }
}

/** Sends `count` requests, `concurrency` at a time, and waits for every answer. */
export async function sendBatch(
  url: string,
  prefix: string,
  count: number,
  headers: (n: number) => Record<string, string>,
  concurrency = 4,
): Promise<SentRequest[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const sent: SentRequest[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const [s, done] = send(agent, url, `${prefix}-${n}`, headers(n));
      sent.push(s);
      await done;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return sent;
}

/**
 * The ids of the requests a version's replicas received, as the demo service wrapper
 * (fixtures/counting-demo-service.mjs) logged them: mirror copies included, probes not.
 */
export function requestsReceived(logDir: string, version: string): string[] {
  const file = join(logDir, `${version}.log`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "");
}

/** A version "you run yourself" for the static platform: answers /healthz and `/` with its version. */
export interface Backend {
  readonly version: string;
  readonly url: string;
  /** Requests to `/` so far. */
  readonly received: () => number;
  close(): Promise<void>;
}

export async function startBackend(version: string, logDir?: string): Promise<Backend> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      return;
    }
    received++;
    const id = req.headers["x-request-id"];
    if (logDir !== undefined && typeof id === "string")
      appendFileSync(join(logDir, `${version}.log`), `${id}\n`);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ version }));
  });
  return { version, received: () => received, ...(await listenLocal(server)) };
}
