/** The store: its contract and the factories of its two implementations (both migrate on open). */

export type { StoreErrorHandler } from "./change-hub.js";
export { CHANGE_CHANNEL } from "./kysely-store.js";
export { openStore, type StoreOptions } from "./open-store.js";
export type { ReconnectOptions } from "./pg-listener.js";
export { openPostgresStore, type PostgresStoreOptions } from "./postgres.js";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite.js";
export * from "./store.js";
