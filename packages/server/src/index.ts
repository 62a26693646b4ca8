/** @ramp/server — the control plane. */
export { DEFAULT_PORT, type RunningServer, type ServerOptions, startServer } from "./server.js";
export { buildApp } from "./http/app.js";
export { FlagService } from "./flags/flag-service.js";
export { SnapshotCache } from "./flags/snapshots.js";
export { ServerMetrics } from "./http/metrics.js";
export type * from "./store/store.js";
