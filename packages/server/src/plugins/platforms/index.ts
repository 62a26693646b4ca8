/** The platform plug-ins: the interface, the factory, the error type. */
export { describeVersion, PlatformError, type PlatformErrorCode } from "./errors.js";
export { createPlatform, PLATFORM_TYPES, type PlatformConfig, type PlatformType } from "./factory.js";
export { type NoopCall, NoopPlatform, type NoopPlatformOptions } from "./noop/noop-platform.js";
export type * from "./platform.js";
export { ProcessPlatform, type ProcessPlatformOptions } from "./process/process-platform.js";
export { DEFAULT_READINESS } from "./request.js";
export { StaticPlatform, type StaticPlatformOptions } from "./static/static-platform.js";
