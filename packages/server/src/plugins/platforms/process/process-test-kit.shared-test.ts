/** Helpers of the process platform's tests: the demo service, HTTP GETs, liveness of pids, polling. */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import type { DeployRequest } from "../platform.js";

export const DEMO_SERVICE = fileURLToPath(
  new URL("../../../../../../examples/demo-service/server.mjs", import.meta.url),
);

/** The demo service, probed every 50 ms. */
export function demoRequest(
  service: string,
  version: string,
  replicas: number,
  extra: Partial<DeployRequest> = {},
): DeployRequest {
  return {
    service,
    version,
    replicas,
    command: [process.execPath, DEMO_SERVICE],
    ...extra,
    readiness: { intervalMs: 50, timeoutMs: 15_000, ...extra.readiness },
  };
}

export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** GET without connection pooling, so no socket outlives the test. */
export function get(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Whether the process runs: a zombie (dead, not yet reaped by an init that does not reap) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Polls `probe` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function definedPids(replicas: readonly { readonly pid?: number }[]): number[] {
  return replicas.flatMap((r) => (r.pid === undefined ? [] : [r.pid]));
}
