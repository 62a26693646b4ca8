/**
 * The traffic router interface: how a rollout's desired routing reaches a data plane (the built-in
 * proxy, nginx, HAProxy, a service mesh). One file per implementation under plugins/traffic/<name>/.
 */

import type { HeaderRoute, MirrorRoute } from "../../rollouts/rollout.js";
import type { VersionMetricsSource } from "../metrics/builtin/version-metrics.js";

export interface VersionTargets {
  readonly version: string;
  /** Base URLs of the version's replicas, e.g. http://127.0.0.1:41234. */
  readonly targets: readonly string[];
}

/** Everything a router needs to route: desired state, applied idempotently. */
export interface RouteState {
  readonly stable: VersionTargets;
  /** Null when there is no canary: all traffic to stable. */
  readonly canary: VersionTargets | null;
  /** Percentage of traffic for the canary, 0–100 (0.1 steps). */
  readonly weight: number;
  readonly headerRoutes: readonly HeaderRoute[];
  readonly mirrorRoutes: readonly MirrorRoute[];
}

export interface TrafficRouter {
  readonly type: string;
  /**
   * Makes the data plane route as `state` says. Idempotent: applying the same state twice changes
   * nothing; in-flight requests finish where they started.
   */
  apply(state: RouteState): Promise<void>;
  /** What the data plane was last told (undefined before the first apply). */
  current(): RouteState | undefined;
  /** Where clients send the service's traffic, when the router is that entry point (the built-in proxy, once it listens). */
  readonly url?: string | undefined;
  /** Where testers reach the new version alone before a blue-green switch (the built-in proxy's `previewListen`). */
  readonly previewUrl?: string | undefined;
  /** Per-version request metrics, when the data plane measures them (the built-in proxy does). */
  readonly metrics: VersionMetricsSource | undefined;
  /** The data plane's metrics as Prometheus text (`http_requests_total{service,version,status}` …), if it has any. */
  prometheus?(): string;
  /** Stops routing and frees what the router holds (listening sockets, connections). */
  close(): Promise<void>;
}
