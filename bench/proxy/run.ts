/**
 * Proxy benchmark: the built-in proxy against nginx and against no proxy ("direct"), in front of the same
 * two keep-alive Node backends, under autocannon load on loopback. `npm run bench:proxy`;
 * RAMP_BENCH_SECONDS / RAMP_BENCH_CONNECTIONS / RAMP_BENCH_ROUNDS (or --seconds N --connections N
 * --rounds N) change the size.
 */

import { freePort } from "@ramp/server/testing";
import { argValue, positiveIntOr } from "../lib/cli-options.js";
import { median } from "../lib/stats.js";
import { alignRow } from "../lib/table.js";
import { type Child, startNodeChild, stopChild } from "./children.js";
import { type LoadResult, load } from "./load.js";
import { type Nginx, nginxVersion, startNginx } from "./nginx.js";

const THROUGHPUT_GOAL = 0.75;
const P99_GOAL_MS = 2;
const WARMUP_SECONDS = 2;

interface Options {
  readonly seconds: number;
  readonly connections: number;
  readonly rounds: number;
}

function optionsFrom(env: NodeJS.ProcessEnv, argv: readonly string[]): Options {
  return {
    seconds: positiveIntOr(argValue(argv, "seconds") ?? env.RAMP_BENCH_SECONDS, 10, 120),
    connections: positiveIntOr(argValue(argv, "connections") ?? env.RAMP_BENCH_CONNECTIONS, 50, 1000),
    rounds: positiveIntOr(argValue(argv, "rounds") ?? env.RAMP_BENCH_ROUNDS, 2, 10),
  };
}

interface Contender {
  readonly name: string;
  readonly urls: readonly string[];
  readonly runs: LoadResult[];
}

/** The split the proxy made, from its own Prometheus counters. */
async function proxySplit(adminPort: number): Promise<{ stable: number; canary: number }> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const total = (version: string): number => {
    let n = 0;
    for (const line of text.split("\n")) {
      if (line.startsWith("http_requests_total{") && line.includes(`version="${version}"`)) {
        n += Number(line.slice(line.lastIndexOf(" ") + 1));
      }
    }
    return n;
  };
  return { stable: total("stable"), canary: total("canary") };
}

async function main(): Promise<number> {
  const options = optionsFrom(process.env, process.argv.slice(2));
  const version = nginxVersion();
  if (version === undefined) {
    console.error("bench:proxy needs nginx: apt-get update && apt-get install -y nginx");
    return 1;
  }
  console.log(
    `${options.connections} connections, ${options.seconds} s per run after ${WARMUP_SECONDS} s warm-up, ` +
      `${options.rounds} round(s); node ${process.version}, ${version}`,
  );

  // Everything started is stopped, newest first, on success, on error and on SIGINT / SIGTERM.
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (let stop = stops.pop(); stop !== undefined; stop = stops.pop()) await stop();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`\n${signal}: stopping the backends, the proxy and nginx`);
    void stopAll().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const child = async <T>(script: string, args: readonly string[]): Promise<Child<T>> => {
    const c = await startNodeChild<T>(script, args);
    stops.push(() => stopChild(c.process));
    return c;
  };
  try {
    const stable = await child<{ port: number }>("backend.js", ["stable"]);
    const canary = await child<{ port: number }>("backend.js", ["canary"]);
    const backends = [stable.info.port, canary.info.port];
    const urls = backends.map((p) => `http://127.0.0.1:${p}/`);
    const proxy = await child<{ port: number; adminPort: number }>("proxy-server.js", urls);
    const nginx: Nginx = await startNginx(await freePort(), backends);
    stops.push(() => nginx.stop());

    const contenders: Contender[] = [
      { name: "direct (no proxy)", urls, runs: [] },
      { name: "nginx", urls: [`${nginx.url}/`], runs: [] },
      { name: "ramp proxy", urls: [`http://127.0.0.1:${proxy.info.port}/`], runs: [] },
    ];
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order so that no contender always runs first (cold) or last (after the others' garbage).
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
      for (const c of order) {
        if (c === undefined) continue;
        await load(c.urls, { connections: options.connections, seconds: WARMUP_SECONDS });
        const result = await load(c.urls, options);
        if (result.failures > 0) throw new Error(`${c.name}: ${result.failures} failed requests`);
        c.runs.push(result);
      }
    }

    const widths = [18, 10, 8, 8, 10];
    console.log(alignRow(["", "req/s", "p50 ms", "p99 ms", "requests"], widths));
    const summary = contenders.map((c) => {
      const rps = median(c.runs.map((r) => r.rps));
      const p50 = median(c.runs.map((r) => r.p50Ms));
      const p99 = median(c.runs.map((r) => r.p99Ms));
      const requests = c.runs.reduce((a, r) => a + r.requests, 0);
      console.log(
        alignRow(
          [c.name, rps.toFixed(0), p50.toFixed(1), p99.toFixed(1), requests.toLocaleString("en-US")],
          widths,
        ),
      );
      return { rps, p99 };
    });
    const split = await proxySplit(proxy.info.adminPort);
    const share = split.canary / (split.stable + split.canary);
    console.log(
      `ramp proxy split: ${(share * 100).toFixed(1)}% canary of ${split.stable + split.canary} (weight 50)`,
    );

    const [, ng, ramp] = summary;
    if (ng === undefined || ramp === undefined) return 1;
    console.log(`proxy/nginx throughput: ${(ramp.rps / ng.rps).toFixed(2)} (goal ≥ ${THROUGHPUT_GOAL})`);
    console.log(`proxy p99 - nginx p99: ${(ramp.p99 - ng.p99).toFixed(1)} ms (goal ≤ ${P99_GOAL_MS})`);
    return 0;
  } finally {
    await stopAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

process.exitCode = await main();
