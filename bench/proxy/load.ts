/** Load generation with autocannon: fixed connections and duration, results reduced to req/s and latency. */
import autocannon from "autocannon";

export interface LoadResult {
  /** Requests answered per second over the run (total ÷ elapsed). */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Connection errors, timeouts and non-2xx answers: must be 0 for the run to count. */
  readonly failures: number;
}

export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
}

/** Runs autocannon against `url`; with several URLs, splits the connections between them and sums. */
export async function load(urls: readonly string[], options: LoadOptions): Promise<LoadResult> {
  const per = Math.max(1, Math.floor(options.connections / urls.length));
  const results = await Promise.all(
    urls.map((url) => autocannon({ url, connections: per, duration: options.seconds, pipelining: 1 })),
  );
  return {
    rps: results.reduce((a, r) => a + r.requests.total / r.duration, 0),
    p50Ms: Math.max(...results.map((r) => r.latency.p50)),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    requests: results.reduce((a, r) => a + r.requests.total, 0),
    failures: results.reduce((a, r) => a + r.errors + r.timeouts + r.non2xx, 0),
  };
}
