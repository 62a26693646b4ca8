/**
 * A throwaway PostgreSQL cluster for tests, from Debian's `postgresql` package: initdb into a temp
 * directory, start on 127.0.0.1 with an OS-chosen port, stop and delete it on stop() or process exit.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface PostgresCluster {
  /** A connection URL for the superuser `postgres` (default database: `postgres`). */
  url(dbName?: string): string;
  /** Creates an empty database with a fresh name and returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The newest `/usr/lib/postgresql/<version>/bin` that has initdb and pg_ctl. */
export function findPostgresBin(root = "/usr/lib/postgresql"): string {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter(
          (v) => existsSync(join(root, v, "bin", "initdb")) && existsSync(join(root, v, "bin", "pg_ctl")),
        )
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined)
    throw new Error(
      `no PostgreSQL server binaries under ${root}/*/bin: install Debian's 'postgresql' package (.ci/run does)`,
    );
  return join(root, newest, "bin");
}

/** A port the OS considers free right now (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("could not find a free port"))));
    });
  });
}

/** The uid/gid of the `postgres` user when running as root (initdb refuses root), else undefined. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/**
 * A detached shell that stops the cluster once `pid` is gone: the exit and signal handlers cannot run
 * when the test process is SIGKILLed or crashes hard, and a daemonised postmaster would outlive it.
 */
function spawnWatchdog(pid: number, base: string, stopCommand: readonly string[]): ChildProcess {
  const script =
    'pid=$1 base=$2; shift 2; while kill -0 "$pid" 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1; rm -rf "$base"';
  const watchdog = spawn("sh", ["-c", script, "watchdog", String(pid), base, ...stopCommand], {
    detached: true,
    stdio: "ignore",
  });
  watchdog.unref();
  return watchdog;
}

/**
 * Starts the server on a port the OS just called free; another process may take it in between, so a
 * bind failure is retried on a new port.
 */
async function startServer(
  base: string,
  log: string,
  pgCtl: (args: readonly string[]) => Promise<void>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const options = [
      "-c listen_addresses=127.0.0.1",
      `-c port=${port}`,
      `-c unix_socket_directories=${base}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    try {
      await pgCtl(["-l", log, "-o", options, "-w", "-t", "30", "start"]);
      return port;
    } catch (error) {
      const serverLog = existsSync(log) ? readFileSync(log, "utf8") : "(no server log)";
      if (attempt < 3 && serverLog.includes("Address already in use")) continue;
      throw new Error(`PostgreSQL did not start; its log ends:\n${serverLog.slice(-2000)}`, { cause: error });
    }
  }
}

/** Starts a fresh cluster; takes about a second (initdb dominates). */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const user = postgresUser();
  // mkdtemp makes 0700; the postgres user must traverse it, so open it up and hand it over.
  const base = mkdtempSync(join(tmpdir(), "ramp-pg-"));
  chmodSync(base, 0o755);
  if (user) chownSync(base, user.uid, user.gid);
  const data = join(base, "data");
  const log = join(base, "postgres.log");
  const asPostgres = (cmd: string, args: readonly string[]): string[] =>
    user ? ["runuser", "-u", "postgres", "--", join(bin, cmd), ...args] : [join(bin, cmd), ...args];
  const runAsPostgres = async (cmd: string, args: readonly string[]) => {
    const [file = "", ...rest] = asPostgres(cmd, args);
    await run(file, rest);
  };
  const stopCommand = asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);

  let watchdog: ChildProcess | undefined;
  let started = false;
  const stopSync = () => {
    watchdog?.kill();
    if (started) {
      started = false;
      try {
        const [file = "", ...rest] = stopCommand;
        execFileSync(file, rest, { stdio: "ignore" });
      } catch {
        // Already gone: nothing to stop.
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopSync();
    // Our listener suppressed the default exit; restore it unless someone else handles the signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once("exit", stopSync);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const unregister = () => {
    process.off("exit", stopSync);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };

  try {
    await runAsPostgres("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    started = true;
    watchdog = spawnWatchdog(process.pid, base, stopCommand);
    const port = await startServer(base, log, (args) => runAsPostgres("pg_ctl", ["-D", data, ...args]));
    const url = (dbName = "postgres") => `postgres://postgres@127.0.0.1:${port}/${dbName}`;
    let databases = 0;
    return {
      url,
      async createDatabase() {
        const name = `ramp_test_${process.pid}_${++databases}`;
        const client = new pg.Client({ connectionString: url() });
        await client.connect();
        try {
          await client.query(`create database ${name}`);
        } finally {
          await client.end();
        }
        return url(name);
      },
      async stop() {
        unregister();
        stopSync();
      },
    };
  } catch (error) {
    unregister();
    stopSync();
    throw error;
  }
}
