/** What one configuration holds for each version, and what the request path needs from the proxy. */
import type { NormalizedConfig } from "./config.js";
import type { VersionSeries } from "./metrics/series.js";
import type { Role, Router } from "./route.js";
import type { UpstreamError } from "./upstream/call.js";
import type { Target } from "./upstream/target.js";
import type { Upstream } from "./upstream/upstream.js";

/** One version in one configuration: where its requests go and where they are counted. */
export interface Lane {
  readonly role: Role;
  readonly upstream: Upstream;
  readonly series: VersionSeries;
}

/** A configuration in force. Requests keep the one they started with until they finish. */
export interface ActiveConfig {
  readonly config: NormalizedConfig;
  readonly router: Router;
  readonly stable: Lane;
  readonly canary: Lane | undefined;
  readonly generation: number;
}

/** The proxy-wide services a request uses. */
export interface RequestContext {
  /** Uniform in [0, 1): unsticky splits and mirror sampling. */
  readonly random: () => number;
  /** Wall clock in epoch ms: metric windows and ejection deadlines. */
  readonly now: () => number;
  /** How long a target that refused a connection is passed over. */
  readonly ejectMs: number;
  /** Largest request body buffered for a mirror copy; larger bodies are not mirrored. */
  readonly mirrorBodyLimitBytes: number;
  /** Called once when a request's response is finished or abandoned. */
  readonly done: () => void;
}

/** Passes a target over for a while when it refused a connection. */
export function ejectIfUnreachable(ctx: RequestContext, target: Target, error: UpstreamError): void {
  if (error.kind === "unreachable") target.ejectedUntil = ctx.now() + ctx.ejectMs;
}
