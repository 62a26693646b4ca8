/**
 * Ramp under test: its server in a child process on the benchmark's PostgreSQL, `new_checkout` applied
 * as code, and a `client` token for the production environment (what a web app's OFREP provider holds).
 */
import { randomBytes } from "node:crypto";
import { type ServerProcess, spawnServer } from "../lib/child-process.js";
import { repoFile } from "../lib/repo-file.js";
import { FLAG_KEY, rampFlagFile } from "./flag.js";
import { callOk, field } from "./http.js";

const START_TIMEOUT_MS = 20_000;
const RAMP_SERVER_SCRIPT = "bench/dist/ofrep/ramp-server.js";

export interface RampService {
  readonly url: string;
  /** A `client` token bound to `production`. */
  readonly clientToken: string;
  readonly process: ServerProcess;
}

export async function startRamp(database: string): Promise<RampService> {
  const adminToken = `ramp_admin_${randomBytes(24).toString("hex")}`;
  // The compiled script, also when this module runs from source under Vitest: the child is plain Node.
  const script = compiled(RAMP_SERVER_SCRIPT);
  const child = spawnServer("Ramp server", process.execPath, [script], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      RAMP_BENCH_DATABASE: database,
      RAMP_BENCH_ADMIN_TOKEN: adminToken,
    },
  });
  try {
    const url = await child.waitForLine((line) => {
      const parsed: unknown = line.startsWith("{") ? JSON.parse(line) : undefined;
      const value = field(parsed, "url");
      return typeof value === "string" ? value : undefined;
    }, START_TIMEOUT_MS);
    const admin = { authorization: `Bearer ${adminToken}` };
    await callOk("POST", `${url}/api/v1/apply`, admin, rampFlagFile());
    const created = await callOk("POST", `${url}/api/v1/tokens`, admin, {
      scope: "client",
      environment: "production",
      name: "ofrep benchmark",
    });
    const clientToken = field(created, "token");
    if (typeof clientToken !== "string")
      throw new Error(`POST /api/v1/tokens: no token in ${JSON.stringify(created)}`);
    return { url, clientToken, process: child };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

function compiled(relative: string): string {
  try {
    return repoFile(relative);
  } catch {
    throw new Error(`${relative} is missing: build the repository first (npx tsc -b)`);
  }
}

/** The single-flag OFREP path for the benchmark's flag. */
export const RAMP_SINGLE_PATH = `/ofrep/v1/evaluate/flags/${FLAG_KEY}`;
export const RAMP_BULK_PATH = "/ofrep/v1/evaluate/flags";
