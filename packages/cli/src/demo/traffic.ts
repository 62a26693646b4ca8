/**
 * The demo's users: a steady stream of GET / through the rollout's proxy, each request from one of
 * a few hundred user ids in a sticky header, so a user stays on one version. Bounded: a fixed rate,
 * a cap on requests in flight, a timeout on each, and nothing after stop().
 */
import { Agent, request } from "node:http";

export interface TrafficOptions {
  /** The proxy's base URL, e.g. http://127.0.0.1:4321 (loopback only). */
  readonly url: string;
  readonly ratePerSecond: number;
  readonly users: number;
  /** The header the proxy hashes to keep a user on one version. */
  readonly header: string;
  /** Uniform in [0, 1) (default Math.random): which user sends the next request. */
  readonly random?: () => number;
  /** Requests in flight at most; more are skipped, not queued (default 100). */
  readonly maxInFlight?: number;
  readonly timeoutMs?: number;
}

export interface TrafficCounts {
  readonly sent: number;
  /** Answers below 500. */
  readonly ok: number;
  readonly errors5xx: number;
  /** No answer: refused, reset, timed out. */
  readonly failed: number;
  /** Not sent because too many were in flight. */
  readonly skipped: number;
}

const TICK_MS = 50;

export class TrafficGenerator {
  #timer: ReturnType<typeof setInterval> | undefined;
  #startedAt = 0;
  #due = 0;
  #inFlight = 0;
  #idle: (() => void) | undefined;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #counts = { sent: 0, ok: 0, errors5xx: 0, failed: 0, skipped: 0 };
  readonly #target: URL;

  constructor(private readonly o: TrafficOptions) {
    this.#target = new URL("/", o.url);
    if (this.#target.hostname !== "127.0.0.1" && this.#target.hostname !== "localhost")
      throw new Error(`the demo's traffic stays on this machine; ${o.url} is not a loopback address`);
  }

  get counts(): TrafficCounts {
    return { ...this.#counts };
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#startedAt = Date.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Stops sending and waits (at most the request timeout) for the requests in flight. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
        setTimeout(resolve, this.o.timeoutMs ?? 5_000).unref();
      });
    }
    this.#agent.destroy();
  }

  #tick(): void {
    // Requests owed since the start at the configured rate: a late tick catches up, never bursts beyond.
    const owed = Math.floor(((Date.now() - this.#startedAt) / 1000) * this.o.ratePerSecond) - this.#due;
    for (let i = 0; i < Math.min(owed, this.o.ratePerSecond); i++) {
      this.#due++;
      if (this.#inFlight >= (this.o.maxInFlight ?? 100)) this.#counts.skipped++;
      else this.#send();
    }
    if (owed > this.o.ratePerSecond) this.#due += owed - this.o.ratePerSecond;
  }

  #send(): void {
    const user = Math.floor((this.o.random ?? Math.random)() * this.o.users);
    this.#inFlight++;
    this.#counts.sent++;
    const done = (outcome: "ok" | "errors5xx" | "failed") => {
      this.#counts[outcome]++;
      this.#inFlight--;
      if (this.#inFlight === 0) this.#idle?.();
    };
    const req = request(
      this.#target,
      {
        agent: this.#agent,
        headers: { [this.o.header]: `user-${user}` },
        timeout: this.o.timeoutMs ?? 5_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => done((res.statusCode ?? 0) >= 500 ? "errors5xx" : "ok"));
        res.on("error", () => done("failed"));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => done("failed"));
    req.end();
  }
}
