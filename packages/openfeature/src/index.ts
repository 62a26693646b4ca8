/** @ramp/openfeature — the OpenFeature server provider for Ramp: in-process evaluation, streamed updates. */
export type { RampEngineClient } from "./provider/engine-client.js";
export type { RampOfflineOptions, RampProviderOptions, RampServerOptions } from "./provider/options.js";
export { type RampFlagsState, RampProvider } from "./provider/ramp-provider.js";
export type { BackoffPolicy } from "./stream/backoff.js";
export type { Clock } from "./stream/clock.js";
export type { FlagSource } from "./sync/flag-store.js";
