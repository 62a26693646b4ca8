/**
 * Ramp servers in processes of their own (fixtures/ramp-server.mjs), so a test can kill -9 one in the
 * middle of a rollout or run two replicas of one deployment.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RolloutStatus } from "../../src/rollouts/status.js";
import { freePort } from "../../src/testing/index.js";
import { ADMIN_TOKEN, isHealthyAt, RolloutsApi, sleep } from "./rollouts-api.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/ramp-server.mjs", import.meta.url));
const SERVER_DIR = fileURLToPath(new URL("../../", import.meta.url));
const REPO = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * Builds packages/server/dist (and what it depends on) when it is missing or older than a source file
 * of the server; `npm test` builds first, so this only matters when a suite runs on its own.
 */
export function ensureServerBuilt(): void {
  // tsc -b rewrites the build info on every build that changed anything, not every output file.
  const info = `${SERVER_DIR}tsconfig.tsbuildinfo`;
  const built = existsSync(`${SERVER_DIR}dist/index.js`) && existsSync(info);
  if (built && newestSource(`${SERVER_DIR}src`) <= statSync(info).mtimeMs) return;
  execFileSync("npx", ["tsc", "-b", "packages/server"], { cwd: REPO, stdio: "inherit" });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (
      entry.name.endsWith(".ts") &&
      !entry.name.includes(".test.") &&
      !entry.name.includes("shared-test")
    )
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export interface ChildServerOptions {
  /** A SQLite file or a postgres:// URL. */
  readonly database: string;
  readonly data: string;
  readonly leaseTtlMs: number;
}

export interface ChildServer {
  readonly url: string;
  readonly pid: number;
  /** Everything the server wrote to stderr so far (the rollout controller's log). */
  log(): string;
  /** When (Date.now()) the first line matching `pattern` arrived, if one has. */
  loggedAt(pattern: RegExp): number | undefined;
  /** Sends the signal and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function spawnServer(options: ChildServerOptions): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [SCRIPT], {
    env: {
      ...process.env,
      RAMP_DATABASE: options.database,
      RAMP_DATA: options.data,
      RAMP_ADMIN_TOKEN: ADMIN_TOKEN,
      RAMP_LEASE_TTL_MS: String(options.leaseTtlMs),
      RAMP_PARENT_PID: String(process.pid),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let stdout = "";
  const arrivals: { readonly at: number; readonly text: string }[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    arrivals.push({ at: Date.now(), text: chunk });
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 15 s: ${stderr}`)), 15_000);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line !== undefined) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before it listened: ${stderr}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("the server has no pid");
  return {
    url,
    pid,
    log: () => stderr,
    loggedAt: (pattern) => arrivals.find((a) => pattern.test(a.text))?.at,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface KillRunOptions {
  /** The server's data directory and SQLite file go here (created). */
  readonly dir: string;
  readonly leaseTtlMs: number;
  /** The rollout's name, its document at a version with its proxy on `port`, and what to apply along with v1. */
  readonly name: string;
  readonly rollout: (port: number, version: string) => object;
  readonly templates: readonly object[];
  /** How long after v2 was applied to SIGKILL the server (then start it again on the same files); undefined: no kill. */
  readonly killAfterMs: number | undefined;
  /** How long v2 may take to be promoted, counted from the (re)start. */
  readonly promotedWithinMs: number;
}

export interface KillRun {
  /** The server running now: the restarted one when there was a kill. */
  readonly server: ChildServer;
  readonly api: RolloutsApi;
  /** The rollout's proxy port. */
  readonly port: number;
  /** The status once v2 is Healthy. */
  readonly final: RolloutStatus;
  /** When v2 was applied (Date.now()). */
  readonly began: number;
  /** When the server was killed, if it was. */
  readonly killedAt?: number;
}

/**
 * A rollout v1 → v2 on a child server, killed with SIGKILL `killAfterMs` after v2 was applied and
 * started again; `then` reads what it needs while the server still runs, and the server is killed after.
 */
export async function rollOutThroughKill<T>(
  o: KillRunOptions,
  then: (run: KillRun) => Promise<T>,
): Promise<T> {
  mkdirSync(o.dir);
  const port = await freePort();
  const options = { database: join(o.dir, "ramp.db"), data: o.dir, leaseTtlMs: o.leaseTtlMs };
  let server = await spawnServer(options);
  try {
    let api = new RolloutsApi(server.url);
    await api.apply([...o.templates, o.rollout(port, "v1")]);
    await api.waitFor(o.name, "v1 Healthy", isHealthyAt("v1"), 15_000);
    await api.apply([o.rollout(port, "v2")]);
    const began = Date.now();
    let killedAt: number | undefined;
    if (o.killAfterMs !== undefined) {
      await sleep(o.killAfterMs);
      killedAt = Date.now();
      await server.kill("SIGKILL");
      server = await spawnServer(options);
      api = new RolloutsApi(server.url);
    }
    const final = await api.waitFor(o.name, "v2 promoted", isHealthyAt("v2"), o.promotedWithinMs);
    return await then({ server, api, port, final, began, ...(killedAt !== undefined && { killedAt }) });
  } finally {
    await server.kill("SIGKILL");
  }
}

/**
 * Where in [0, 1) of a reference run each of `trials` kills the server: seeded by RAMP_CRASH_SEED when
 * set, else at random; the suite prints the seed so a failing run can be replayed.
 */
export function killPlan(trials: number): { seed: number; fractions: number[] } {
  const seed = Number(process.env.RAMP_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seededRandom(seed);
  return { seed, fractions: Array.from({ length: trials }, () => random()) };
}

/** A small seeded PRNG (mulberry32), so a failing trial can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
