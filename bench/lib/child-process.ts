/**
 * Servers a benchmark runs in their own processes: spawned with their output kept for error messages,
 * stopped with SIGTERM then SIGKILL, and killed by a detached watchdog if the benchmark itself dies
 * without cleaning up (SIGKILL, a crash), so no server outlives the run.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { spawnWatchdog } from "@ramp/server/testing";

/** How much of a child's recent stdout + stderr is kept for error messages. */
const OUTPUT_TAIL = 4_000;
const STOP_GRACE_MS = 5_000;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** The exit code (or the signal's name) once the process has ended, else undefined. */
  exitStatus(): number | string | undefined;
  /** The last few thousand characters the process wrote to stdout and stderr. */
  recentOutput(): string;
  /** Resolves with the first stdout line `match` accepts; rejects if the process exits or time runs out. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Starts `file args…` with piped output and a watchdog that kills it if this process dies first. */
export function spawnServer(
  name: string,
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): ServerProcess {
  let tail = "";
  const child = spawn(file, args, {
    env: options.env,
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // A spawn failure (say, ENOENT) arrives as an event; without a listener it would crash the benchmark.
  child.once("error", (error) => {
    tail += `\n${error.message}`;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${file}`);
  const watchdog = spawnWatchdog(["kill", "-KILL", String(pid)]);
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      watchdog.kill();
      resolve(code ?? signal ?? "unknown");
    });
  });
  let status: number | string | undefined;
  void exited.then((value) => {
    status = value;
  });
  let stopping: Promise<void> | undefined;

  return {
    name,
    pid,
    exited,
    exitStatus: () => status,
    recentOutput: () => tail,
    waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}); its output:\n${tail}`));
          return;
        }
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${name} printed nothing expected within ${timeoutMs} ms; its output:\n${tail}`));
        }, timeoutMs);
        const onLine = (line: string): void => {
          const value = match(line);
          if (value === undefined) return;
          finish();
          resolve(value);
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
          finish();
          reject(new Error(`${name} exited (${code ?? signal}) before it was ready; its output:\n${tail}`));
        };
        const finish = (): void => {
          clearTimeout(timer);
          lines.off("line", onLine);
          child.off("exit", onExit);
        };
        lines.on("line", onLine);
        child.once("exit", onExit);
      });
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
