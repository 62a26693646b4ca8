/**
 * A throwaway PostgreSQL cluster for benchmarks, from Debian's `postgresql` package: initdb into a temp
 * directory, start on 127.0.0.1, stop and delete it on stop(), on process exit, or — via a watchdog —
 * when the benchmark dies.
 *
 * This follows packages/server/test/postgres-harness.ts (same binaries, same root → `postgres` user
 * switch, same watchdog), trimmed to what a benchmark needs. It is a copy because the harness is
 * TypeScript source outside every compiled project (packages/server compiles only src/), and the
 * benchmark runs as compiled JavaScript on Node 20, which cannot import a .ts file.
 */
import { type ChildProcess, execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { spawnWatchdog } from "./child-process.js";

const run = promisify(execFile);

export interface PostgresCluster {
  /** The server's major version, e.g. "15". */
  readonly version: string;
  /** A connection URL for the superuser `postgres`. */
  url(database: string): string;
  /** Creates an empty database called `name` and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The newest `/usr/lib/postgresql/<version>/bin` that has initdb and pg_ctl. */
function findPostgresBin(root = "/usr/lib/postgresql"): { bin: string; version: string } {
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
      `no PostgreSQL server binaries under ${root}/*/bin: install Debian's 'postgresql' package`,
    );
  return { bin: join(root, newest, "bin"), version: newest };
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

/** Starts a fresh cluster (about a second, initdb dominates). */
export async function startPostgres(): Promise<PostgresCluster> {
  const { bin, version } = findPostgresBin();
  const user = postgresUser();
  // mkdtemp makes 0700; the postgres user must traverse it, so open it up and hand it over.
  const base = mkdtempSync(join(tmpdir(), "ramp-bench-pg-"));
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
  process.once("exit", stopSync);

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
    watchdog = spawnWatchdog(["sh", "-c", '"$@"; rm -rf "$0"', base, ...stopCommand]);
    const port = await listen(base, log, (args) => asPostgres("pg_ctl", ["-D", data, ...args]));
    const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
    return {
      version,
      url,
      async createDatabase(name) {
        await run(join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name]);
        return url(name);
      },
      async stop() {
        process.off("exit", stopSync);
        stopSync();
      },
    };
  } catch (error) {
    process.off("exit", stopSync);
    stopSync();
    throw error;
  }
}

/**
 * Starts the server on a port the OS just called free; another process may take it in between, so a
 * bind failure is retried on a new port. Durability is off: the data is thrown away at the end.
 */
async function listen(
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
