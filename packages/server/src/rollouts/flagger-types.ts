/**
 * A Flagger-shaped analysis after compile: Flagger's CanaryAnalysis (fluxcd/flagger
 * pkg/apis/flagger/v1beta1/canary.go) with defaults filled in and durations in seconds.
 */
import type { HeaderRoutingMatch } from "./rollout.js";

/** Flagger's webhook types, in the order they act in a rollout. */
export const FLAGGER_WEBHOOK_TYPES = [
  "confirm-rollout",
  "pre-rollout",
  "rollout",
  "confirm-traffic-increase",
  "confirm-promotion",
  "post-rollout",
  "rollback",
  "event",
] as const;
export type FlaggerWebhookType = (typeof FLAGGER_WEBHOOK_TYPES)[number];

/** The URL that runs Ramp's built-in load generator instead of an HTTP call. */
export const LOAD_TEST_URL = "ramp:load-test";

/** Flagger's CallWebhook default when `timeout` is not set. */
export const DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 10;
/** Flagger's metric interval default (the query window). */
export const DEFAULT_METRIC_INTERVAL_SECONDS = 60;
/** Flagger's analysis interval and threshold defaults. */
export const DEFAULT_ANALYSIS_INTERVAL_SECONDS = 60;
export const DEFAULT_THRESHOLD = 1;

export interface FlaggerWebhook {
  readonly name: string;
  readonly type: FlaggerWebhookType;
  /** An http(s) URL, or `ramp:load-test`. */
  readonly url: string;
  readonly timeoutSeconds: number;
  /** Extra attempts after a network error or a 5xx/429 answer. */
  readonly retries: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly muteAlert: boolean;
}

/** Flagger's built-in metrics: measured by the builtin provider, no template needed. */
export const FLAGGER_BUILTIN_METRICS = ["request-success-rate", "request-duration"] as const;

/** One metric check: a built-in Flagger metric or an AnalysisTemplate's first metric, judged by the range. */
export interface FlaggerMetric {
  readonly name: string;
  /** `request-success-rate` / `request-duration` use the builtin provider; others name a template. */
  readonly builtin: (typeof FLAGGER_BUILTIN_METRICS)[number] | null;
  readonly templateRef: { readonly name: string; readonly namespace: string | null } | null;
  readonly min: number | null;
  readonly max: number | null;
  /** The query window, as a Prometheus duration ("1m", "30s"). */
  readonly interval: string;
  readonly templateVariables: Readonly<Record<string, string>>;
}

/**
 * How the analysis moves traffic (Flagger's DeploymentStrategy): progressive weights, blue/green
 * (iterations without traffic, then the switch), or A/B (iterations on the matched requests).
 */
export type FlaggerMode = "canary" | "blueGreen" | "abTesting";

export interface FlaggerAnalysis {
  readonly mode: FlaggerMode;
  readonly intervalSeconds: number;
  readonly threshold: number;
  /** Flagger's maxWeight(): the last stepWeights entry, else maxWeight, else 100. */
  readonly maxWeight: number;
  readonly stepWeight: number;
  readonly stepWeights: readonly number[];
  readonly stepWeightPromotion: number;
  readonly iterations: number;
  /** A/B: a request matching any entry goes to the canary. */
  readonly match: readonly HeaderRoutingMatch[];
  readonly mirror: boolean;
  readonly mirrorWeight: number;
  readonly metrics: readonly FlaggerMetric[];
  readonly webhooks: readonly FlaggerWebhook[];
}
