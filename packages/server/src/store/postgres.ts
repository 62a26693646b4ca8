/**
 * The PostgreSQL store: a pg Pool for queries plus one LISTEN connection for changes from every replica.
 * `pg` is imported on demand, so SQLite deployments never load it.
 */
import { Kysely, PostgresDialect } from "kysely";
import { ChangeHub, defaultErrorHandler, type StoreErrorHandler } from "./change-hub.js";
import { CHANGE_CHANNEL, KyselyStore } from "./kysely-store.js";
import { migrateToLatest } from "./migrations.js";
import { PgListener, type ReconnectOptions } from "./pg-listener.js";
import type { Database } from "./schema.js";
import type { Store } from "./store.js";

export interface PostgresStoreOptions {
  /** Pool size; default 10. */
  readonly maxConnections?: number;
  /** Backoff of the LISTEN connection after a loss. */
  readonly reconnect?: ReconnectOptions;
  /** Listener failures and lost connections; default: console.error. */
  readonly onError?: StoreErrorHandler;
  readonly clock?: () => Date;
}

/** "<projectId>:<seq>" as sent by KyselyStore.write(); anything else is not ours. */
function parsePayload(payload: string): { projectId: number; seq: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(payload);
  return match ? { projectId: Number(match[1]), seq: Number(match[2]) } : undefined;
}

/**
 * Opens a PostgreSQL store and applies pending migrations, so the store is ready to use.
 *
 * @example const store = await openPostgresStore("postgres://ramp@db.internal/ramp");
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pg = await import("pg");
  const onError = options.onError ?? defaultErrorHandler;
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // An idle client's connection can die (server restart); without a listener that would crash the process.
  pool.on("error", (error) => onError(error, "idle PostgreSQL connection failed"));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  const hub = new ChangeHub(onError);
  const listener = new PgListener({
    channel: CHANGE_CHANNEL,
    connectionString: url,
    createClient: (config) => new pg.Client(config),
    onNotification: (payload) => {
      const event = parsePayload(payload);
      if (event !== undefined) hub.emit(event);
    },
    onReconnect: () => hub.emit({ resync: true }),
    onError,
    ...(options.reconnect !== undefined && { reconnect: options.reconnect }),
  });
  try {
    await migrateToLatest(db, "postgres");
    await listener.start();
  } catch (error) {
    await listener.close();
    await db.destroy();
    throw error;
  }
  return new KyselyStore(db, {
    dialect: "postgres",
    hub,
    beforeClose: () => listener.close(),
    ...(options.clock !== undefined && { clock: options.clock }),
  });
}
