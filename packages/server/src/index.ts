/** @ramp/server — the control plane. */

export { FlagService } from "./flags/flag-service.js";
export { SnapshotCache } from "./flags/snapshots.js";
export { buildApp } from "./http/app.js";
export { ServerMetrics } from "./http/metrics.js";
export { DEFAULT_PORT, type RunningServer, type ServerOptions, startServer } from "./server.js";
export type * from "./store/store.js";
