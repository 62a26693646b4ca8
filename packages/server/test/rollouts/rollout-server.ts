/**
 * Ramp's server in this process for the end-to-end rollout suites: a fresh data directory, a SQLite
 * database in it, the suites' admin token, and a RolloutsApi client; close() stops it and removes the directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, type ServerOptions, startServer } from "../../src/server.js";
import { ADMIN_TOKEN, RolloutsApi } from "./rollouts-api.js";

export interface RampServer {
  /** The data directory (removed by close). */
  readonly dir: string;
  readonly server: RunningServer;
  readonly api: RolloutsApi;
  close(): Promise<void>;
}

/** Starts the server in a new temporary directory named after `prefix`; `options` add to (or override) the defaults. */
export async function startRampServer(prefix: string, options: ServerOptions = {}): Promise<RampServer> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let server: RunningServer;
  try {
    server = await startServer({
      port: 0,
      data: dir,
      database: join(dir, "ramp.db"),
      adminToken: ADMIN_TOKEN,
      log: () => undefined,
      ...options,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    server,
    api: new RolloutsApi(server.url),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
