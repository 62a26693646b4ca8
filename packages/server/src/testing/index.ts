/**
 * `@ramp/server/testing`: helpers for tests and benchmarks that need real infrastructure — a throwaway
 * PostgreSQL cluster, a free port, a watchdog that cleans up if the caller dies. Compiled JavaScript with
 * no test-framework imports, so Vitest suites and benchmarks running on plain Node can both use it. Not
 * part of the server's runtime API (`@ramp/server` does not export it).
 */
export { freePort } from "./free-port.js";
export {
  findPostgresBin,
  type PostgresBin,
  type PostgresCluster,
  type StartPostgresOptions,
  startPostgres,
} from "./postgres.js";
export { spawnWatchdog } from "./watchdog.js";
