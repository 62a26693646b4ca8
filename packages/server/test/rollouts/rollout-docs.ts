/**
 * Rollout and AnalysisTemplate documents the end-to-end suites share: an Argo-style canary around
 * the suite's own strategy and workload, the static platform over the test's backends, and the
 * builtin success-rate template.
 */
import type { Backend } from "./traffic.js";

/** An Argo-style canary Rollout of one replica; `canary` is the strategy (steps, delays, trafficRouting). */
export function canaryRollout<C extends object, W extends object>(
  name: string,
  version: string,
  canary: C,
  workload: W,
) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: { replicas: 1, version, strategy: { canary }, workload },
  };
}

/** The built-in proxy listening on 127.0.0.1:`port`, as a canary's trafficRouting. */
export const proxyAt = (port: number) => ({ proxy: { listen: `127.0.0.1:${port}` } });

/** The static-platform workload: each backend's version at its URL, ready once /healthz answers. */
export function staticWorkload(backends: readonly Pick<Backend, "version" | "url">[]) {
  return {
    platform: "static",
    readiness: { path: "/healthz", intervalMs: 20 },
    versions: Object.fromEntries(backends.map((b) => [b.version, { urls: [b.url] }])),
  };
}

/** A canary through the built-in proxy on `port` over the test's backends, no scale-down delay. */
export function staticCanary(
  name: string,
  port: number,
  version: string,
  steps: readonly object[],
  backends: readonly Backend[],
) {
  return canaryRollout(
    name,
    version,
    { steps, scaleDownDelaySeconds: 0, trafficRouting: proxyAt(port) },
    staticWorkload(backends),
  );
}

/** Builtin successRate of one role over the last 2 s: two measurements 1 s apart, at least 5 requests each. */
export function successRate(name: string, version: "canary" | "stable", extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name },
    spec: {
      metrics: [
        {
          name: "success-rate",
          interval: "1s",
          count: 2,
          failureLimit: 0,
          successCondition: "result >= 0.95",
          provider: { builtin: { metric: "successRate", version, window: "2s", minRequests: 5 } },
          ...extra,
        },
      ],
    },
  };
}
