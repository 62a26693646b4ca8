/**
 * An open-loop traffic generator: requests leave on a fixed schedule (every 1/rate s), whether or not
 * earlier ones were answered, as users' requests do. Each answer is recorded with the version that
 * served it (the demo service names itself in its JSON body). Bounded in time and in requests in flight.
 */
import { Agent, request } from "node:http";

/** One request: when it left, who answered, how. */
export interface Sample {
  /** When the request was sent, in epoch milliseconds (comparable with the server's `Date.now()`). */
  readonly sentAt: number;
  /** The version named in the answer's body; undefined when there was none (proxy error, timeout). */
  readonly version: string | undefined;
  /** The HTTP status; 0 when no response came. */
  readonly status: number;
}

export interface LoadOptions {
  /** Requests per second. */
  readonly rate: number;
  /** Hard stop: no request is sent after this many seconds. */
  readonly maxSeconds: number;
  /** Requests in flight beyond this are not sent but counted as skipped (the target is stuck). */
  readonly maxInFlight?: number;
  readonly timeoutMs?: number;
}

export interface LoadSummary {
  readonly samples: readonly Sample[];
  /** Requests not sent because too many were in flight. */
  readonly skipped: number;
  /** The latest any request left after its scheduled time, in milliseconds. */
  readonly maxLagMs: number;
}

export interface OpenLoopLoad {
  /** The answers so far (a live view: it grows until `stop`). */
  readonly samples: readonly Sample[];
  /** Stops sending; resolves once every request in flight has been answered or has timed out. */
  stop(): Promise<LoadSummary>;
}

/** Starts sending `GET url` at `options.rate` per second until `stop()` or `maxSeconds`. */
export function startOpenLoop(url: string, options: LoadOptions): OpenLoopLoad {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const maxInFlight = options.maxInFlight ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const periodMs = 1000 / options.rate;
  const samples: Sample[] = [];
  const startedAt = Date.now();
  const maxRequests = Math.floor(options.maxSeconds * options.rate);
  let scheduled = 0;
  let inFlight = 0;
  let skipped = 0;
  let maxLagMs = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let drained: (() => void) | undefined;
  let stopping: Promise<LoadSummary> | undefined;

  const send = (): void => {
    const sentAt = Date.now();
    inFlight++;
    let done = false;
    const finish = (status: number, version: string | undefined): void => {
      if (done) return;
      done = true;
      samples.push({ sentAt, version, status });
      inFlight--;
      if (inFlight === 0) drained?.();
    };
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => finish(res.statusCode ?? 0, versionOf(Buffer.concat(chunks).toString("utf8"))));
        res.on("error", () => finish(res.statusCode ?? 0, undefined));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => finish(0, undefined));
    req.end();
  };

  // Sends every request that is due, then sleeps until the next one; a late timer sends the backlog at once.
  const tick = (): void => {
    if (stopped) return;
    const now = Date.now();
    const due = Math.min(maxRequests, Math.floor((now - startedAt) / periodMs) + 1);
    while (scheduled < due) {
      maxLagMs = Math.max(maxLagMs, now - (startedAt + scheduled * periodMs));
      scheduled++;
      if (inFlight >= maxInFlight) skipped++;
      else send();
    }
    if (scheduled >= maxRequests) {
      stopped = true;
      return;
    }
    timer = setTimeout(tick, Math.max(0, startedAt + scheduled * periodMs - Date.now()));
  };
  tick();

  return {
    samples,
    stop(): Promise<LoadSummary> {
      stopping ??= (async () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        agent.destroy();
        return { samples, skipped, maxLagMs };
      })();
      return stopping;
    },
  };
}

/** The demo service answers `{"service":…,"version":…,…}`, errors included. */
function versionOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null || !("version" in parsed)) return undefined;
    return typeof parsed.version === "string" ? parsed.version : undefined;
  } catch {
    return undefined;
  }
}
