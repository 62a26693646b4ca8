/**
 * Load on one target with autocannon, in this process: a fixed number of keep-alive connections,
 * pipelining 1, the requests rotating through the target's bodies. Requests per second come
 * from autocannon's one-second samples; latency is recorded here from every response, in microsecond
 * resolution (autocannon's own histogram has whole milliseconds).
 */
import autocannon from "autocannon";
import { percentile } from "../lib/stats.js";
import type { Target } from "./targets.js";

export interface LoadResult {
  readonly name: string;
  readonly role: Target["role"];
  readonly seconds: number;
  readonly requests: number;
  /** Mean and median of the one-second samples of completed requests. */
  readonly requestsPerSecond: { readonly mean: number; readonly median: number };
  /** Over every response, whatever its status. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Connection errors, including timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

export interface LoadOptions {
  readonly durationSec: number;
  readonly connections: number;
}

export function runLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const [path, base] = splitUrl(target.url);
  const bodies = target.bodies.map((body) => Buffer.from(body));
  let next = 0;
  return new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationSec,
        timeout: 10,
        // One request whose body is picked per request from a counter shared by all connections. A list
        // of prebuilt requests would be copied and built once per connection before the first one
        // starts (1,000 bodies × 50 connections: ~0.4 s), and that delay would count as latency.
        requests: [
          {
            method: "POST",
            path,
            headers: target.headers,
            setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve({
          name: target.name,
          role: target.role,
          seconds: result.duration,
          requests: result.requests.total,
          requestsPerSecond: { mean: result.requests.mean, median: result.requests.p50 },
          latencyMs: {
            p50: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            max: latencies.reduce((max, value) => Math.max(max, value), 0),
          },
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

function splitUrl(url: string): [path: string, base: string] {
  const parsed = new URL(url);
  return [`${parsed.pathname}${parsed.search}`, parsed.origin];
}
