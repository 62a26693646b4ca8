/**
 * What the benchmark rolls out: the demo service (examples/demo-service) as a stable and a canary
 * version behind Ramp's built-in proxy, 200 req/s, the canary at 5%, and the example analysis
 * (examples/analysis-builtin.yaml). Two rollouts run side by side in every trial: one whose canary
 * fails 5% of requests, one whose canary is as healthy as stable (0.5%).
 */
import { repoFile } from "../lib/repo-file.js";

export const TOTAL_RATE = 200;
export const CANARY_WEIGHT = 5;
export const STABLE_ERROR_RATE = 0.005;
export const LATENCY_MS = 5;
export const STABLE_VERSION = "v1";
export const CANARY_VERSION = "v2";
/** The template the analysis step runs (from examples/analysis-builtin.yaml). */
export const TEMPLATE_NAME = "success-rate";

export type CaseKind = "bad" | "healthy";

export interface CanaryCase {
  readonly kind: CaseKind;
  /** The Rollout's name (and the demo service's SERVICE). */
  readonly rollout: string;
  readonly canaryErrorRate: number;
}

export const CASES: readonly CanaryCase[] = [
  { kind: "bad", rollout: "detection-bad", canaryErrorRate: 0.05 },
  { kind: "healthy", rollout: "detection-healthy", canaryErrorRate: STABLE_ERROR_RATE },
];

/**
 * The demo service's SEED for one version in one trial: its sequence of errors is then the same in every
 * run (which requests reach the canary is still the proxy's random split).
 */
export function seedOf(c: CanaryCase, version: string, trial: number): string {
  return version === STABLE_VERSION ? `stable-${c.kind}-${trial}` : `${c.kind}-${trial}`;
}

/**
 * The Rollout, at `version`: v1 first (stable only), then v2, which starts the canary. Steps: 5%,
 * then the analysis, then an indefinite pause, so a canary that passes stays at 5% (it is not promoted
 * while the other case still runs).
 */
export function rolloutDocument(c: CanaryCase, version: string, proxyPort: number, trial: number) {
  const env = (v: string, errorRate: number) => ({
    env: { ERROR_RATE: String(errorRate), SEED: seedOf(c, v, trial) },
  });
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: c.rollout },
    spec: {
      replicas: 1,
      version,
      strategy: {
        canary: {
          steps: [
            { setWeight: CANARY_WEIGHT },
            { analysis: { templates: [{ templateName: TEMPLATE_NAME }] } },
            { pause: {} },
          ],
          trafficRouting: { proxy: { listen: `127.0.0.1:${proxyPort}` } },
        },
      },
      workload: {
        platform: "process",
        command: [process.execPath, repoFile("examples/demo-service/server.mjs")],
        readiness: { path: "/healthz" },
        env: { SERVICE: c.rollout, LATENCY_MS: String(LATENCY_MS) },
        versions: {
          [STABLE_VERSION]: env(STABLE_VERSION, STABLE_ERROR_RATE),
          [CANARY_VERSION]: env(CANARY_VERSION, c.canaryErrorRate),
        },
      },
    },
  };
}
