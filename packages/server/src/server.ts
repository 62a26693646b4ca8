/** Starts Ramp's server: opens the store, bootstraps the default project and its first admin token, listens. */
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { hashSecret, newTokenId, newTokenSecret } from "./auth/tokens.js";
import { FlagService } from "./flags/flag-service.js";
import { SnapshotCache } from "./flags/snapshots.js";
import { buildApp } from "./http/app.js";
import { ServerMetrics } from "./http/metrics.js";
import { openStore } from "./store/index.js";
import type { ProjectRow, Store } from "./store/store.js";

export const DEFAULT_PORT = 4320;
export const DEFAULT_PROJECT = "default";
export const DEFAULT_ENVIRONMENTS = [
  { key: "development", name: "Development" },
  { key: "production", name: "Production" },
] as const;

export interface ServerOptions {
  /** Default 4320; 0 lets the OS choose. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Directory for the SQLite file (default ./.ramp). */
  readonly data?: string;
  /** postgres://… or a SQLite file path (default <data>/ramp.db). */
  readonly database?: string;
  /** The first admin token's secret (RAMP_ADMIN_TOKEN); generated when absent. */
  readonly adminToken?: string;
  readonly bodyLimit?: number;
  readonly logger?: boolean;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Set on the first start only, when the server generated the admin token: show it once. */
  readonly initialAdminToken?: string;
  readonly project: ProjectRow;
  readonly store: Store;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const database = options.database ?? join(options.data ?? ".ramp", "ramp.db");
  const store = await openStore(database);
  try {
    const { project, initialAdminToken } = await bootstrap(store, options.adminToken);
    const snapshots = new SnapshotCache(store);
    const metrics = new ServerMetrics(store, () => project.id);
    const app = await buildApp(
      { store, snapshots, flags: new FlagService(store), metrics },
      {
        ...(options.bodyLimit !== undefined && { bodyLimit: options.bodyLimit }),
        ...(options.logger !== undefined && { logger: options.logger }),
      },
    );
    const host = options.host ?? "127.0.0.1";
    await app.listen({ port: options.port ?? DEFAULT_PORT, host });
    const address = app.server.address();
    const port =
      typeof address === "object" && address !== null ? address.port : (options.port ?? DEFAULT_PORT);
    const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
    return {
      url: `http://${urlHost}:${port}`,
      port,
      ...(initialAdminToken !== undefined && { initialAdminToken }),
      project,
      store,
      app,
      async close() {
        await app.close();
        snapshots.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** The default project with its environments and, when it has no token yet, its first admin token. */
async function bootstrap(
  store: Store,
  adminToken: string | undefined,
): Promise<{ project: ProjectRow; initialAdminToken?: string }> {
  let project = await store.getProjectByKey(DEFAULT_PROJECT);
  if (project === undefined) {
    try {
      project = await store.createProject(DEFAULT_PROJECT, "Default project", DEFAULT_ENVIRONMENTS);
    } catch (e) {
      // Another replica created it first.
      project = await store.getProjectByKey(DEFAULT_PROJECT);
      if (project === undefined) throw e;
    }
  }
  const p = project;
  if (adminToken !== undefined) {
    if (adminToken.length < 16) throw new Error("RAMP_ADMIN_TOKEN must be at least 16 characters");
    if ((await store.findTokenByHash(hashSecret(adminToken))) === undefined)
      await insertAdmin(store, p, adminToken, "RAMP_ADMIN_TOKEN");
    return { project: p };
  }
  if ((await store.listTokens(p.id)).some((t) => t.scope === "admin" && t.revokedAt === null))
    return { project: p };
  const secret = newTokenSecret("admin");
  await insertAdmin(store, p, secret, "initial admin");
  return { project: p, initialAdminToken: secret };
}

async function insertAdmin(store: Store, project: ProjectRow, secret: string, name: string): Promise<void> {
  await store.write(project.id, async (tx) => {
    const t = await tx.insertToken({
      id: newTokenId(),
      scope: "admin",
      environment: null,
      name,
      secretHash: hashSecret(secret),
    });
    await tx.appendAudit({
      actor: "system",
      action: "token.create",
      kind: "token",
      key: t.id,
      before: null,
      after: { scope: "admin", name },
    });
  });
}
