/**
 * Rollout analysis data: the AnalysisTemplate spec as users write it (Argo Rollouts' field names,
 * argo-rollouts pkg/apis/rollouts/v1alpha1/analysis_types.go) and the AnalysisRun state the
 * controller persists. Everything here is plain JSON so a run survives a restart byte for byte.
 */

import type { JsonValue } from "@ramp/engine";

/** The phase of an AnalysisRun, a MetricResult or a Measurement: a closed set, as in Argo. */
export const ANALYSIS_PHASES = [
  "Pending",
  "Running",
  "Successful",
  "Failed",
  "Error",
  "Inconclusive",
] as const;
export type AnalysisPhase = (typeof ANALYSIS_PHASES)[number];
/** The phases that end a measurement, a metric or a run. */
export type CompletedPhase = "Successful" | "Failed" | "Error" | "Inconclusive";

/** Whether a phase is final (Argo's `AnalysisPhase.Completed()`). */
export function isCompleted(phase: AnalysisPhase): phase is CompletedPhase {
  return phase === "Successful" || phase === "Failed" || phase === "Error" || phase === "Inconclusive";
}

/** A duration as Argo writes it (Go's time.ParseDuration): "30s", "1m", "1h30m", "500ms". */
export type DurationString = string;
/** Kubernetes' IntOrString: `3` or `"3"`, so a limit can come from an argument (`"{{args.limit}}"`). */
export type IntOrString = number | string;

export interface Argument {
  readonly name: string;
  /** The default in a template; the rollout's value replaces it. A template arg without one must be passed. */
  readonly value?: string;
}

/** Metrics whose names match `metricName` (a regular expression, unanchored: `.*` is all) run in dry-run mode. */
export interface DryRun {
  readonly metricName: string;
}

/** Keep the last `limit` measurements of the metrics matching `metricName` (default 10; 0 means the default). */
export interface MeasurementRetention {
  readonly metricName: string;
  readonly limit: number;
}

/** One metric of a template: what to measure, how often, and when its measurements pass. */
export interface Metric {
  readonly name: string;
  /** Time between measurements. Without it (and without `count`) the metric is measured once. */
  readonly interval?: DurationString;
  /** Time from the start of the run to the first measurement. */
  readonly initialDelay?: DurationString;
  /** Measurements to take. Absent or 0 with an `interval`: measure until the run is terminated. */
  readonly count?: IntOrString;
  /** CEL over `result`, e.g. `result[0] >= 0.95`. Without a failureCondition, not-success is Failed. */
  readonly successCondition?: string;
  /** CEL over `result`. With both conditions, failure wins and neither true is Inconclusive. */
  readonly failureCondition?: string;
  /** Failed measurements allowed before the metric fails (default 0; -1 disables). */
  readonly failureLimit?: IntOrString;
  /** Inconclusive measurements allowed before the metric is Inconclusive (default 0). */
  readonly inconclusiveLimit?: IntOrString;
  /** Errors in a row allowed before the metric is Error (default 4). */
  readonly consecutiveErrorLimit?: IntOrString;
  /** Successes in a row that complete the metric as Successful (default 0: disabled). */
  readonly consecutiveSuccessLimit?: IntOrString;
  /**
   * Ramp's addition: how long one measurement may wait for enough data (a provider answering
   * "insufficient data") before it counts as Inconclusive. Default 5m; "0s" never waits.
   */
  readonly maxWait?: DurationString;
  readonly provider: MetricProviderSpec;
}

/** A provider's settings as JSON (each provider checks its own: plugins/metrics/<provider>/config.ts). */
export type ProviderConfig = { readonly [key: string]: JsonValue };

/** Where a metric's value comes from: exactly one key. Argo's provider names, plus Ramp's `builtin`. */
export interface MetricProviderSpec {
  readonly builtin?: BuiltinMetric;
  readonly prometheus?: PrometheusMetric;
  readonly web?: ProviderConfig;
  /** Ramp's: a command line on the server's machine (Argo's `job` needs Kubernetes). */
  readonly command?: ProviderConfig;
  readonly job?: ProviderConfig;
  readonly kayenta?: ProviderConfig;
  readonly datadog?: ProviderConfig;
  readonly newRelic?: ProviderConfig;
  readonly wavefront?: ProviderConfig;
  readonly cloudWatch?: ProviderConfig;
  readonly graphite?: ProviderConfig;
  readonly influxdb?: ProviderConfig;
  readonly skywalking?: ProviderConfig;
  readonly plugin?: ProviderConfig;
}

/** Argo's Prometheus provider settings (checked in plugins/metrics/prometheus/config.ts). */
export interface PrometheusMetric {
  readonly address?: string;
  readonly query: string;
  readonly [key: string]: JsonValue | undefined;
}

/**
 * What the built-in provider can measure for one version over a window. Rates are fractions
 * (0.99), latencies milliseconds. `request-success-rate` (percent) and `request-duration`
 * (p99, ms) are Flagger's built-in metric names.
 */
export const BUILTIN_METRIC_KINDS = [
  "successRate",
  "errorRate",
  "latencyP50",
  "latencyP90",
  "latencyP95",
  "latencyP99",
  "requestCount",
  "request-success-rate",
  "request-duration",
] as const;
export type BuiltinMetricKind = (typeof BUILTIN_METRIC_KINDS)[number];

/** `provider: { builtin: { metric: successRate, version: canary, window: 1m, minRequests: 50 } }` */
export interface BuiltinMetric {
  readonly metric: BuiltinMetricKind;
  /** Default "canary". */
  readonly version?: "stable" | "canary";
  /** How far back to look, default "1m". */
  readonly window?: DurationString;
  /** The service, when the proxy splits more than one. */
  readonly service?: string;
  /** Fewer requests in the window is "insufficient data". Default 1 (0 for requestCount). */
  readonly minRequests?: number;
}

export interface AnalysisTemplateSpec {
  readonly metrics: readonly Metric[];
  readonly args?: readonly Argument[];
  readonly dryRun?: readonly DryRun[];
  readonly measurementRetention?: readonly MeasurementRetention[];
}

export type AnalysisTemplateKind = "AnalysisTemplate" | "ClusterAnalysisTemplate";

export interface AnalysisTemplate {
  readonly apiVersion: "argoproj.io/v1alpha1";
  readonly kind: AnalysisTemplateKind;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: AnalysisTemplateSpec;
}

// ---- AnalysisRun state -------------------------------------------------------------------------

/** One measurement of one metric. Times are ISO 8601 (RFC 3339) strings, as Kubernetes writes them. */
export interface Measurement {
  readonly phase: AnalysisPhase;
  /** Why: an error, a condition that could not be evaluated, the data a provider lacked. */
  readonly message?: string;
  readonly startedAt: string;
  /** Absent while the measurement is in flight (waiting for enough data). */
  readonly finishedAt?: string;
  /** When an in-flight measurement is taken again. */
  readonly resumeAt?: string;
  /** The measured value as text, as Argo stores it: `0.97`, `[0.97]`, `{"ok":true}`, `NaN`. */
  readonly value?: string;
}

/** A metric's measurements (the last few) and its counters (over the whole run). */
export interface MetricResult {
  readonly name: string;
  readonly phase: AnalysisPhase;
  readonly measurements: readonly Measurement[];
  readonly message?: string;
  /** Measurements without Error: successful + failed + inconclusive. */
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly error: number;
  /** Errors in a row; any other completed measurement resets it. */
  readonly consecutiveError: number;
  /** Successes in a row; any other completed measurement resets it. */
  readonly consecutiveSuccess: number;
  readonly dryRun?: boolean;
}

/** How many metrics ended in each phase. */
export interface RunSummary {
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly error: number;
}

/** The resolved spec a run executes: templates flattened, `{{args.*}}` substituted. */
export interface AnalysisRunSpec {
  readonly metrics: readonly Metric[];
  readonly args: readonly Argument[];
  readonly dryRun: readonly DryRun[];
  readonly measurementRetention: readonly MeasurementRetention[];
  /** Stop the run: no new measurements, in-flight ones end, the metrics complete (Argo's `spec.terminate`). */
  readonly terminate: boolean;
}

export interface AnalysisRunStatus {
  readonly phase: AnalysisPhase;
  readonly message?: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  readonly metricResults: readonly MetricResult[];
  readonly runSummary: RunSummary;
  readonly dryRunSummary?: RunSummary;
}

export interface AnalysisRun {
  readonly name: string;
  readonly spec: AnalysisRunSpec;
  readonly status: AnalysisRunStatus;
}

/** Argo's defaults (argo-rollouts analysis/analysis.go, utils/defaults/defaults.go). */
export const ANALYSIS_DEFAULTS = {
  /** Errors in a row allowed before a metric is Error. */
  consecutiveErrorLimit: 4,
  /** Measurements kept per metric unless measurementRetention says otherwise. */
  measurementHistoryLimit: 10,
  /** Wait before retrying a measurement that ended in Error (and a metric without an interval). */
  errorRetryIntervalMs: 10_000,
  /** Ramp: how long a measurement may wait for enough data. */
  maxWaitMs: 5 * 60_000,
} as const;
