/** The one store factory: a PostgreSQL URL or a SQLite file path; other URL schemes are refused. */
import type { StoreErrorHandler } from "./change-hub.js";
import { openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

/** What both stores accept; openSqliteStore/openPostgresStore take a few dialect-specific extras. */
export interface StoreOptions {
  /** Listener failures and (PostgreSQL) lost connections; default: console.error. */
  readonly onError?: StoreErrorHandler;
  /** The clock of stored timestamps; default: the system clock. */
  readonly clock?: () => Date;
}

/**
 * Opens the store and applies pending migrations (store.migrate() stays available and is idempotent).
 *
 * @example await openStore("postgres://ramp@db/ramp"); await openStore(".ramp/ramp.db"); await openStore(":memory:");
 */
export async function openStore(urlOrPath: string, options: StoreOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(urlOrPath)) return openPostgresStore(urlOrPath, options);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(urlOrPath)?.[1];
  if (scheme !== undefined)
    throw new Error(`store URL: unsupported scheme '${scheme}:' (use postgres://… or a SQLite file path)`);
  return openSqliteStore(urlOrPath, options);
}
