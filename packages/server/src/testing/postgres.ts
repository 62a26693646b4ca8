/**
 * A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's `postgresql` package: initdb
 * into a temp directory, start on 127.0.0.1 with an OS-chosen port, stop and delete it on stop(), on
 * process exit, on SIGINT / SIGTERM (unless the caller handles those), or — via a watchdog — when the
 * process dies without running any handler. Durability is off: the data is thrown away at the end.
 *
 * As root, initdb and pg_ctl run as the `postgres` user (initdb refuses root), on a 0755 directory
 * owned by that user; otherwise they run as the current user.
 */
import { type ChildProcess, execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./free-port.js";
import { spawnWatchdog } from "./watchdog.js";

const run = promisify(execFile);

export interface PostgresCluster {
  /** The server's major version, e.g. "15". */
  readonly version: string;
  /** A connection URL for the superuser `postgres`; the database defaults to `postgres`. */
  url(database?: string): string;
  /** Creates an empty database — called `name`, else a fresh name — and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Prefix of the temp directory's name (under os.tmpdir()). Default `ramp-pg-`. */
  readonly tempPrefix?: string;
  /**
   * Whether SIGINT and SIGTERM stop the cluster (and then, if nothing else listens for the signal,
   * re-raise it). Default true; pass false when the caller has its own signal handling that stops the
   * cluster in order, after whatever uses it. The exit handler and the watchdog are installed either way.
   */
  readonly stopOnSignals?: boolean;
}

export interface PostgresBin {
  /** The directory holding initdb, pg_ctl, … */
  readonly bin: string;
  /** The major version, e.g. "15". */
  readonly version: string;
}

/** The newest `/usr/lib/postgresql/<version>/bin` that has initdb and pg_ctl. */
export function findPostgresBin(root = "/usr/lib/postgresql"): PostgresBin {
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
  return { bin: join(root, newest, "bin"), version: newest };
}

/** The uid/gid of the `postgres` user when running as root (initdb refuses root), else undefined. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** Starts a fresh cluster; takes about a second (initdb dominates). */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const { bin, version } = findPostgresBin();
  const user = postgresUser();
  // mkdtemp makes 0700; the postgres user must traverse it, so open it up and hand it over.
  const base = mkdtempSync(join(tmpdir(), options.tempPrefix ?? "ramp-pg-"));
  chmodSync(base, 0o755);
  if (user) chownSync(base, user.uid, user.gid);
  const data = join(base, "data");
  const log = join(base, "postgres.log");
  const command = (tool: string, args: readonly string[]): [string, ...string[]] =>
    user ? ["runuser", "-u", "postgres", "--", join(bin, tool), ...args] : [join(bin, tool), ...args];
  const asPostgres = async (tool: string, args: readonly string[]): Promise<void> => {
    const [file, ...rest] = command(tool, args);
    await run(file, rest);
  };
  const stopCommand = command("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);

  let watchdog: ChildProcess | undefined;
  let started = false;
  const stopSync = (): void => {
    watchdog?.kill();
    if (started) {
      started = false;
      try {
        const [file, ...rest] = stopCommand;
        execFileSync(file, rest, { stdio: "ignore" });
      } catch {
        // Already gone: nothing to stop.
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    stopSync();
    // Our listener suppressed the default exit; restore it unless someone else handles the signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const stopOnSignals = options.stopOnSignals ?? true;
  process.once("exit", stopSync);
  if (stopOnSignals) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  const unregister = (): void => {
    process.off("exit", stopSync);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };

  try {
    await asPostgres("initdb", [
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
    // Runs as the caller (root may delete the postgres-owned directory; a non-root caller owns it).
    watchdog = spawnWatchdog(["sh", "-c", '"$@"; rm -rf "$0"', base, ...stopCommand]);
    const port = await listen(base, log, (args) => asPostgres("pg_ctl", ["-D", data, ...args]));
    const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
    let databases = 0;
    return {
      version,
      url,
      async createDatabase(name = `ramp_test_${process.pid}_${++databases}`) {
        const client = new pg.Client({ connectionString: url() });
        await client.connect();
        try {
          await client.query(`create database ${client.escapeIdentifier(name)}`);
        } finally {
          await client.end();
        }
        return url(encodeURIComponent(name));
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

/**
 * Starts the server on a port the OS just called free; another process may take it in between, so a
 * bind failure is retried on a new port.
 */
async function listen(
  base: string,
  log: string,
  pgCtl: (args: readonly string[]) => Promise<void>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const settings = [
      "-c listen_addresses=127.0.0.1",
      `-c port=${port}`,
      `-c unix_socket_directories=${base}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    try {
      await pgCtl(["-l", log, "-o", settings, "-w", "-t", "30", "start"]);
      return port;
    } catch (error) {
      const serverLog = existsSync(log) ? readFileSync(log, "utf8") : "(no server log)";
      if (attempt < 3 && serverLog.includes("Address already in use")) continue;
      throw new Error(`PostgreSQL did not start; its log ends:\n${serverLog.slice(-2000)}`, { cause: error });
    }
  }
}
