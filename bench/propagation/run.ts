/**
 * Propagation benchmark: a real Ramp server (SQLite, own process) with 500 SDK stream clients on
 * loopback. Each round writes one flag over HTTP and measures, per client, the time from the write's
 * HTTP response to that client having received and applied the patch. `npm run bench:propagation`;
 * RAMP_BENCH_CLIENTS / RAMP_BENCH_ROUNDS (or --clients N --rounds N) change the size.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { argValue, positiveIntOr } from "../lib/cli-options.js";
import { median, percentile } from "../lib/stats.js";
import { StreamClient } from "./stream-client.js";

const collectGarbage = (globalThis as { gc?: () => void }).gc;
const CONNECT_TIMEOUT_MS = 30_000;
const ROUND_TIMEOUT_MS = 10_000;
const GOAL_MS = 100;
/** Flags besides the one written: what each client compiles on every patch. */
const OTHER_FLAGS = 30;

interface Options {
  readonly clients: number;
  readonly rounds: number;
}

function optionsFrom(env: NodeJS.ProcessEnv, argv: readonly string[]): Options {
  return {
    clients: positiveIntOr(argValue(argv, "clients") ?? env.RAMP_BENCH_CLIENTS, 500, 2_000),
    rounds: positiveIntOr(argValue(argv, "rounds") ?? env.RAMP_BENCH_ROUNDS, 10, 100),
  };
}

function flag(key: string, variant: "a" | "b") {
  return {
    key,
    type: "string",
    variants: { a: "A", b: "B" },
    offVariant: "a",
    environments: {
      production: {
        on: true,
        targets: { b: ["beta-1", "beta-2"] },
        rules: [
          { name: "enterprise", if: 'plan == "enterprise"', variant: "b" },
          { if: 'country in ["US", "VN", "JP"]', rollout: { percentage: 50 }, variant: "b" },
        ],
        default: variant,
      },
    },
  };
}

async function startChild(adminToken: string): Promise<{ child: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL("./server.js", import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, RAMP_BENCH_ADMIN_TOKEN: adminToken },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stdout = child.stdout;
  if (stdout === null) throw new Error("the server child has no stdout");
  const lines = createInterface({ input: stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { child, url };
}

async function api(
  url: string,
  admin: string,
  method: string,
  path: string,
  body: unknown,
): Promise<unknown> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

function summary(samples: readonly number[]): string {
  const f = (n: number) => n.toFixed(1).padStart(6);
  return `p50 ${f(percentile(samples, 50))}  p99 ${f(percentile(samples, 99))}  max ${f(Math.max(...samples))} ms`;
}

/** One write; resolves with each client's delivered and applied latency (ms after the response). */
async function round(
  url: string,
  admin: string,
  clients: readonly StreamClient[],
  variant: "a" | "b",
): Promise<{ delivered: number[]; applied: number[]; early: number; wrong: number }> {
  const before = Math.max(...clients.map((c) => c.version));
  // 500 clients' compiled flag sets make garbage; collecting it here keeps a major GC of this
  // process (which stands in for 500 processes) out of the measured window.
  collectGarbage?.();
  await api(url, admin, "PUT", "/api/v1/flags/bench_flag", flag("bench_flag", variant));
  const respondedAt = performance.now();
  const version = before + 1;
  const deadline = Date.now() + ROUND_TIMEOUT_MS;
  while (clients.some((c) => c.version < version)) {
    if (Date.now() > deadline) {
      const missing = clients.filter((c) => c.version < version).length;
      throw new Error(
        `${missing} of ${clients.length} clients did not get version ${version} within ${ROUND_TIMEOUT_MS} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const delivered: number[] = [];
  const applied: number[] = [];
  let early = 0;
  let wrong = 0;
  for (const c of clients) {
    const a = c.applied.get(version);
    if (a === undefined) throw new Error(`a client skipped version ${version}`);
    const d = a.receivedAt - respondedAt;
    // The stream can beat the write's own response (both leave the server after the commit).
    if (d < 0) early++;
    delivered.push(Math.max(0, d));
    applied.push(Math.max(0, d) + a.applyMs);
    if (c.evaluator?.evaluate("bench_flag", { targetingKey: "u-1" }).value !== variant.toUpperCase()) wrong++;
  }
  return { delivered, applied, early, wrong };
}

async function main(): Promise<number> {
  const options = optionsFrom(process.env, process.argv.slice(2));
  const admin = `ramp_admin_${randomBytes(24).toString("hex")}`;
  const { child, url } = await startChild(admin);
  const clients: StreamClient[] = [];
  try {
    await api(url, admin, "PUT", "/api/v1/flags/bench_flag", flag("bench_flag", "a"));
    for (let i = 0; i < OTHER_FLAGS; i++)
      await api(url, admin, "PUT", `/api/v1/flags/other_${i}`, flag(`other_${i}`, "a"));
    const { token } = (await api(url, admin, "POST", "/api/v1/tokens", {
      scope: "server",
      environment: "production",
    })) as {
      token: string;
    };

    const connectStart = performance.now();
    for (let i = 0; i < options.clients; i += 50) {
      const batch = Array.from({ length: Math.min(50, options.clients - i) }, () => new StreamClient());
      await Promise.all(batch.map((c) => c.connect(`${url}/sdk/v1/stream`, token, CONNECT_TIMEOUT_MS)));
      clients.push(...batch);
    }
    console.log(
      `${clients.length} SDK streams on ${url} (SQLite, server in its own process) opened in ` +
        `${Math.round(performance.now() - connectStart)} ms; ${OTHER_FLAGS + 1} flags; node ${process.version}`,
    );
    console.log(
      "latency from the write's HTTP response to each client: delivered (read) / applied (+ parse, merge, compile)",
    );

    await round(url, admin, clients, "b"); // warm-up: JIT on both sides, not counted
    const allDelivered: number[] = [];
    const allApplied: number[] = [];
    const applyCost: number[] = [];
    let early = 0;
    for (let r = 1; r <= options.rounds; r++) {
      const res = await round(url, admin, clients, r % 2 === 0 ? "b" : "a");
      if (res.wrong > 0)
        throw new Error(`round ${r}: ${res.wrong} clients evaluate the old value after applying`);
      allDelivered.push(...res.delivered);
      allApplied.push(...res.applied);
      early += res.early;
      for (const c of clients) {
        const a = c.applied.get(c.version);
        if (a !== undefined) applyCost.push(a.applyMs);
      }
      console.log(
        `round ${String(r).padStart(2)}: delivered ${summary(res.delivered)} | applied ${summary(res.applied)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`overall:  delivered ${summary(allDelivered)} | applied ${summary(allApplied)}`);
    console.log(
      `per-client apply (parse + merge + compile) median ${median(applyCost).toFixed(2)} ms; ` +
        `${early} of ${allDelivered.length} deliveries arrived before the write's own response (counted as 0)`,
    );
    const errors = clients.reduce((n, c) => n + c.errors, 0);
    if (errors > 0) throw new Error(`${errors} payloads failed to compile`);
    const p99 = percentile(allApplied, 99);
    console.log(`propagation p99: ${p99.toFixed(1)} ms (goal < ${GOAL_MS} ms)`);
    return 0;
  } finally {
    for (const c of clients) c.close();
    child.kill("SIGTERM");
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
