/**
 * `spec.analysis` of a Rollout: Argo's AnalysisRun history limits, or Flagger's CanaryAnalysis
 * (fluxcd/flagger pkg/apis/flagger/v1beta1/canary.go field names) — the Flagger shape Ramp runs.
 */
import { type Static, t } from "@ramp/engine";
import { DURATION_HINT, DURATION_PATTERN } from "./duration.js";
import { FLAGGER_WEBHOOK_TYPES } from "./flagger-types.js";

const nonEmpty = t.string({ minLength: 1 });
const percent = (description: string) => t.number({ minimum: 0, maximum: 100, description });
const duration = t.union(
  [t.number({ minimum: 0 }), t.string({ pattern: DURATION_PATTERN, patternHint: DURATION_HINT })],
  DURATION_HINT,
);
const stringMatch = t.object(
  { exact: t.string(), prefix: t.string(), regex: t.string({ description: "RE2 syntax." }) },
  [],
  { description: "Exactly one of exact, prefix, regex." },
);

const flaggerMetric = t.object(
  {
    name: nonEmpty,
    thresholdRange: t.object({ min: t.number(), max: t.number() }, [], {
      description: "The value passes when min <= value <= max (either bound may be left out).",
    }),
    threshold: t.number({ description: "Flagger's deprecated minimum; use thresholdRange.min." }),
    interval: duration,
    templateRef: t.object({ name: nonEmpty, namespace: t.string() }, ["name"], {
      description: "An AnalysisTemplate of this name; its first metric measures.",
    }),
    templateVariables: t.record(t.string(), { description: "Passed to the template as args." }),
    query: t.string({ description: "Flagger's deprecated inline query: not supported, use templateRef." }),
  },
  ["name"],
);

const flaggerWebhook = t.object(
  {
    name: nonEmpty,
    type: t.enum(FLAGGER_WEBHOOK_TYPES, { description: "Default rollout." }),
    url: nonEmpty,
    timeout: duration,
    retries: t.number({
      minimum: 0,
      description: "Extra attempts after a network error or 5xx (default 0).",
    }),
    metadata: t.record(t.string()),
    muteAlert: t.boolean(),
    disableTLS: t.boolean({ description: "Accepted; Ramp verifies TLS certificates." }),
  },
  ["name", "url"],
);

const httpMatch = t.object(
  {
    headers: t.record(stringMatch),
    sourceLabels: t.json({ description: "Not supported off Kubernetes." }),
    uri: t.json({ description: "Not supported by Ramp's routers." }),
    method: t.json({ description: "Not supported by Ramp's routers." }),
    queryParams: t.json({ description: "Not supported by Ramp's routers." }),
  },
  [],
  { description: "Istio's HTTPMatchRequest: Ramp matches headers." },
);

/** Argo's history limits, or Flagger's CanaryAnalysis (which needs strategy.canary without steps). */
export const rolloutSpecAnalysis = t.object(
  {
    successfulRunHistoryLimit: t.number({ minimum: 0, description: "Argo's; accepted, no effect." }),
    unsuccessfulRunHistoryLimit: t.number({ minimum: 0, description: "Argo's; accepted, no effect." }),
    interval: duration,
    threshold: t.number({ minimum: 1, description: "Failed checks before the rollback (default 1)." }),
    maxWeight: percent("Canary weight at which promotion starts (default 100)."),
    stepWeight: percent("Weight added each interval."),
    stepWeights: t.array(percent("A canary weight."), { minItems: 1 }),
    stepWeightPromotion: percent("Weight moved to the new version each interval during promotion."),
    iterations: t.number({ minimum: 0, description: "Blue/green or A/B: intervals of checks." }),
    match: t.array(httpMatch, { minItems: 1 }),
    mirror: t.boolean(),
    mirrorWeight: percent("Share of the requests mirrored (default 100)."),
    primaryReadyThreshold: percent("Accepted."),
    canaryReadyThreshold: percent("Accepted."),
    metrics: t.array(flaggerMetric),
    webhooks: t.array(flaggerWebhook),
    alerts: t.json({ description: "Flagger's alert providers: not supported, use spec.notifications." }),
    sessionAffinity: t.json({ description: "Accepted; use trafficRouting.proxy.sticky." }),
  },
  [],
  { description: "Argo's AnalysisRun history limits, or Flagger's CanaryAnalysis." },
);

export type RolloutSpecAnalysisDocument = Static<typeof rolloutSpecAnalysis>;
export type FlaggerMetricDocument = Static<typeof flaggerMetric>;
export type FlaggerWebhookDocument = Static<typeof flaggerWebhook>;

/** The keys that make `spec.analysis` Flagger-shaped. */
export const FLAGGER_ANALYSIS_KEYS = [
  "interval",
  "threshold",
  "maxWeight",
  "stepWeight",
  "stepWeights",
  "stepWeightPromotion",
  "iterations",
  "match",
  "mirror",
  "mirrorWeight",
  "primaryReadyThreshold",
  "canaryReadyThreshold",
  "metrics",
  "webhooks",
  "alerts",
  "sessionAffinity",
] as const;
