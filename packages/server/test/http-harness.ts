/**
 * Test helper: the whole HTTP app (buildApp) on a real store — SQLite in memory by default, or a
 * PostgreSQL URL — with one project, its tokens, and helpers to write flags through the admin API.
 * Several harnesses on one PostgreSQL database are replicas of one deployment.
 */
import type { FastifyInstance } from "fastify";
import { hashSecret, newTokenId, newTokenSecret } from "../src/auth/tokens.js";
import { FlagService } from "../src/flags/flag-service.js";
import { SnapshotCache } from "../src/flags/snapshots.js";
import { type AppOptions, buildApp } from "../src/http/app.js";
import type { ServerDeps } from "../src/http/context.js";
import { ServerMetrics } from "../src/http/metrics.js";
import { openStore } from "../src/store/open-store.js";
import { openPostgresStore, type PostgresStoreOptions } from "../src/store/postgres.js";
import type { ProjectRow, Scope, Store } from "../src/store/store.js";

export const ENVIRONMENTS = ["production", "staging"] as const;

export interface Tokens {
  readonly admin: string;
  readonly server: string;
  readonly client: string;
  /** A client token of the staging environment. */
  readonly stagingClient: string;
}

export interface Harness {
  readonly app: FastifyInstance;
  readonly deps: ServerDeps;
  readonly store: Store;
  readonly project: ProjectRow;
  /** The base URL, when started with `listen`. */
  readonly url: string;
  readonly tokens: Tokens;
  /** Creates or replaces a flag through the admin API; resolves when the write is committed. */
  putFlag(doc: { key: string; [k: string]: unknown }): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** A SQLite path or a postgres:// URL (default: SQLite in memory). */
  readonly database?: string;
  /** Listen on 127.0.0.1 with an OS-chosen port. */
  readonly listen?: boolean;
  /** Replace parts of the dependencies (a failing snapshot cache, …). */
  readonly deps?: (deps: ServerDeps) => ServerDeps;
  readonly app?: AppOptions;
  /** For a postgres:// database: the store's options (LISTEN reconnect backoff, error handler). */
  readonly postgres?: PostgresStoreOptions;
}

async function insertToken(
  store: Store,
  project: ProjectRow,
  scope: Scope,
  environment: string | null,
): Promise<string> {
  const secret = newTokenSecret(scope);
  await store.write(project.id, async (tx) => {
    await tx.insertToken({
      id: newTokenId(),
      scope,
      environment,
      name: `test ${scope}`,
      secretHash: hashSecret(secret),
    });
  });
  return secret;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = options.database ?? ":memory:";
  const store =
    options.postgres !== undefined && database.startsWith("postgres")
      ? await openPostgresStore(database, options.postgres)
      : await openStore(database);
  const project =
    (await store.getProjectByKey("shop")) ??
    (await store.createProject(
      "shop",
      "Shop",
      ENVIRONMENTS.map((key) => ({ key, name: key })),
    ));
  const tokens: Tokens = {
    admin: await insertToken(store, project, "admin", null),
    server: await insertToken(store, project, "server", "production"),
    client: await insertToken(store, project, "client", "production"),
    stagingClient: await insertToken(store, project, "client", "staging"),
  };
  const snapshots = new SnapshotCache(store);
  const base: ServerDeps = {
    store,
    snapshots,
    flags: new FlagService(store),
    metrics: new ServerMetrics(store, () => project.id),
  };
  const deps = options.deps?.(base) ?? base;
  const app = await buildApp(deps, options.app);
  let url = "";
  if (options.listen === true) {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  } else await app.ready();
  return {
    app,
    deps,
    store,
    project,
    url,
    tokens,
    async putFlag(doc) {
      const r = await app.inject({
        method: "PUT",
        url: `/api/v1/flags/${doc.key}`,
        headers: { authorization: `Bearer ${tokens.admin}` },
        payload: doc,
      });
      if (r.statusCode !== 200 && r.statusCode !== 201)
        throw new Error(`PUT flag ${doc.key}: ${r.statusCode} ${r.body}`);
    },
    async close() {
      await app.close();
      snapshots.close();
      await store.close();
    },
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
