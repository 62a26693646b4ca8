/** Running the built `ramp` CLI as a user does, for the end-to-end suites. Run `npx tsc -b` first. */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/main.js", import.meta.url));
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without the outer shell's RAMP_* variables. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("RAMP_"))),
    ...extra,
  };
}

export function ramp(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: cleanEnv(env), timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly adminToken: string | undefined;
  /** Everything the server has printed so far, stdout then stderr. */
  readonly output: () => string;
}

/** `ramp server --port 0 --data DIR`, once it prints its URL (after the one-time admin token). */
export function startServer(data: string): Promise<Started> {
  const child = spawn(process.execPath, [CLI, "server", "--port", "0", "--data", data], { env: cleanEnv() });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 20 s: ${stdout} ${stderr}`)), 20_000);
    const early = (code: number | null) => reject(new Error(`ramp server exited with ${code}: ${stderr}`));
    child.once("exit", early);
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      const url = /listening on (http:\/\/\S+)\n/.exec(stdout)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      child.off("exit", early);
      const adminToken = /Admin token[^:]*: (\S+)/.exec(stdout)?.[1];
      resolve({ child, url, adminToken, output: () => stdout + stderr });
    });
  });
}

export function stop(
  child: ChildProcessWithoutNullStreams,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

/** Polls `check` every 200 ms until it returns a value, for at most `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The pids of the replicas the process platform started under `<data>/logs`, from each replica
 * log's "started pid N" lines.
 */
export function replicaPids(data: string): number[] {
  const pids: number[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(dir, name);
      if (name.endsWith(".log"))
        for (const m of readFileSync(p, "utf8").matchAll(/started pid (\d+)/g)) pids.push(Number(m[1]));
      else walk(p);
    }
  };
  walk(join(data, "logs"));
  return pids;
}

/** Whether a process runs (a zombie left for an init that does not reap does not count). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
