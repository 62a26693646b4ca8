/** The SQLite store: one better-sqlite3 connection in WAL mode; changes are announced in-process. */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Sqlite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { ChangeHub, defaultErrorHandler, type StoreErrorHandler } from "./change-hub.js";
import { KyselyStore } from "./kysely-store.js";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";
import type { Store } from "./store.js";

export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before failing; default 5 s. */
  readonly busyTimeoutMs?: number;
  /** Listener failures; default: console.error. */
  readonly onError?: StoreErrorHandler;
  readonly clock?: () => Date;
}

/**
 * Opens (creating it and its directory if needed) a SQLite store and applies pending migrations.
 *
 * @example const store = await openSqliteStore(".ramp/ramp.db");
 */
export async function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Promise<Store> {
  if (file !== ":memory:") mkdirSync(dirname(resolve(file)), { recursive: true });
  const database = new Sqlite(file);
  try {
    database.pragma("journal_mode = WAL");
    database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // WAL makes NORMAL safe: a crash may lose the last commits, never corrupt the file.
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
  } catch (error) {
    database.close();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  try {
    await migrateToLatest(db, "sqlite");
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new KyselyStore(db, {
    dialect: "sqlite",
    hub: new ChangeHub(options.onError ?? defaultErrorHandler),
    ...(options.clock !== undefined && { clock: options.clock }),
  });
}
