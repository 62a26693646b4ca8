/**
 * A real Prometheus (/usr/bin/prometheus) for tests: a temp directory, a free loopback port, the
 * given scrape targets every second; stopped and deleted by stop(), or by a watchdog if the test
 * process dies first.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../testing/free-port.js";
import { spawnWatchdog } from "../../../testing/watchdog.js";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";

export interface ScrapeTarget {
  readonly job: string;
  /** host:port */
  readonly target: string;
  readonly path?: string;
  /** Sent as `Authorization: Bearer …` (Prometheus' `authorization.credentials`). */
  readonly bearer?: string;
}

export interface LocalPrometheus {
  readonly url: string;
  /** Resolves once every job has been scraped successfully (`up == 1`). */
  scraped(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: readonly ScrapeTarget[]): Promise<LocalPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "ramp-prometheus-"));
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "  evaluation_interval: 1s",
    "scrape_configs:",
    ...targets.flatMap((t) => [
      `  - job_name: ${JSON.stringify(t.job)}`,
      `    metrics_path: ${JSON.stringify(t.path ?? "/metrics")}`,
      ...(t.bearer === undefined
        ? []
        : ["    authorization:", `      credentials: ${JSON.stringify(t.bearer)}`]),
      "    static_configs:",
      `      - targets: [${JSON.stringify(t.target)}]`,
    ]),
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), `${config}\n`);
  let lastError = "";
  // The port is free when chosen but may be taken before Prometheus binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const watchdog =
      child.pid === undefined
        ? undefined
        : spawnWatchdog(["sh", "-c", `kill -9 ${child.pid}; rm -rf '${dir}'`]);
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitReady(url, child, 20_000);
    if (ready) {
      return {
        url,
        scraped: (timeoutMs = 15_000) => waitScraped(url, targets, timeoutMs),
        async stop() {
          await stopChild(child);
          watchdog?.kill();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    watchdog?.kill();
    lastError = stderr;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`prometheus did not start: ${lastError}`);
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function waitScraped(url: string, targets: readonly ScrapeTarget[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < until) {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent("up == 1")}`);
    const body: unknown = await r.json();
    last = JSON.stringify(body);
    const jobs = new Set([...last.matchAll(/"job":"([^"]*)"/g)].map((m) => m[1]));
    if (targets.every((t) => jobs.has(t.job))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prometheus did not scrape every target within ${timeoutMs} ms: ${last}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
