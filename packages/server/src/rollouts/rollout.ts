/**
 * A Rollout after compile.ts: defaults filled in, durations in seconds, every step a tagged variant.
 * This is what decide() reads; it is plain JSON, like the status it produces.
 */
import type { NotifierConfig } from "../plugins/notifiers/config.js";
import type { FlaggerAnalysis } from "./flagger-types.js";
import type { ProxyRouting } from "./spec.js";

export interface AnalysisTemplateRef {
  readonly templateName: string;
  readonly clusterScope: boolean;
}

/** A fixed argument, or one Ramp fills in when the run starts (Argo's podTemplateHashValue). */
export type AnalysisArgSpec =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly valueFrom: "Stable" | "Latest" };

/** Argo's RolloutAnalysis: which templates one AnalysisRun combines, with which arguments. */
export interface AnalysisSpec {
  readonly templates: readonly AnalysisTemplateRef[];
  readonly args: readonly AnalysisArgSpec[];
  readonly dryRun: readonly { readonly metricName: string }[];
  readonly measurementRetention: readonly { readonly metricName: string; readonly limit: number }[];
}

export interface BackgroundAnalysisSpec extends AnalysisSpec {
  /** The step index from which the background run exists (Argo's startingStep, default 0). */
  readonly startingStep: number;
}

/** Exactly one way to match a string. */
export type StringMatchValue =
  | { readonly exact: string }
  | { readonly prefix: string }
  | { readonly regex: string };

export interface HeaderRoutingMatch {
  readonly headerName: string;
  readonly headerValue: StringMatchValue;
}

/** A managed header route: requests matching any entry of `match` go to the canary. */
export interface HeaderRoute {
  readonly name: string;
  readonly match: readonly HeaderRoutingMatch[];
}

export interface RouteMatch {
  readonly method?: StringMatchValue;
  readonly path?: StringMatchValue;
  readonly headers?: Readonly<Record<string, StringMatchValue>>;
}

/** A managed mirror route: `percentage` of the requests matching `match` are copied to the canary. */
export interface MirrorRoute {
  readonly name: string;
  readonly percentage: number;
  readonly match: readonly RouteMatch[];
}

export type CanaryScale =
  | { readonly replicas: number }
  | { readonly weight: number }
  | { readonly matchTrafficWeight: true };

export type CanaryStep =
  | { readonly kind: "setWeight"; readonly weight: number }
  /** `durationSeconds: null` waits for `promote`. */
  | { readonly kind: "pause"; readonly durationSeconds: number | null }
  | { readonly kind: "analysis"; readonly analysis: AnalysisSpec }
  | { readonly kind: "setCanaryScale"; readonly scale: CanaryScale }
  /** An empty `match` removes the route named `name`. */
  | { readonly kind: "setHeaderRoute"; readonly name: string; readonly match: readonly HeaderRoutingMatch[] }
  /** An empty `match` removes the route named `name`. */
  | {
      readonly kind: "setMirrorRoute";
      readonly name: string;
      readonly percentage: number;
      readonly match: readonly RouteMatch[];
    };

export type CanaryStepKind = CanaryStep["kind"];

export interface ProxyRouterSpec {
  readonly kind: "proxy";
  readonly listen: string;
  readonly sticky: ProxyRouting["sticky"] | null;
  /** Blue-green only: how testers and pre-promotion analysis reach the preview before the switch. */
  readonly preview?: ProxyPreviewSpec;
}

/** Ramp extension of `blueGreen.trafficRouting.proxy`: entry points to the preview (the new version). */
export interface ProxyPreviewSpec {
  /** A second listener, host:port, that sends every request to the preview; null: none. */
  readonly listen: string | null;
  /** Requests to the main listener carrying this header value go to the preview; null: none. */
  readonly header: { readonly name: string; readonly value: string } | null;
}

/** A shell command: an argv list, or a string run by /bin/sh -c. */
export type CommandSpec = readonly string[] | string;

/** nginx off Kubernetes: Ramp rewrites `configFile` (an upstream and a map) and reloads nginx. */
export interface NginxRouterSpec {
  readonly kind: "nginx";
  readonly configFile: string;
  /** The upstream's name; null: the rollout's name. */
  readonly upstream: string | null;
  readonly reload: CommandSpec;
  readonly test: CommandSpec;
  /** An access log in Ramp's format, read for per-version metrics; null: no metrics. */
  readonly accessLog: string | null;
}

/** HAProxy: weights, addresses and header routes through its runtime API, no reload. */
export interface HaproxyRouterSpec {
  readonly kind: "haproxy";
  /** "unix:/path/to/sock" or "host:port". */
  readonly runtimeApi: string;
  readonly backend: string;
  readonly stableServer: string;
  readonly canaryServer: string;
  /** The map file the backend's `use-server` rule reads header routes from; null: no header routes. */
  readonly headerMap: string | null;
}

/** Which data plane a rollout's traffic goes through (`trafficRouting`). */
export type RouterSpec = ProxyRouterSpec | NginxRouterSpec | HaproxyRouterSpec;

export interface CanaryStrategy {
  readonly kind: "canary";
  readonly steps: readonly CanaryStep[];
  readonly canaryService: string | null;
  readonly stableService: string | null;
  readonly router: RouterSpec;
  readonly background: BackgroundAnalysisSpec | null;
  /** Seconds between promotion and the teardown of the previous stable (default 30). */
  readonly scaleDownDelaySeconds: number;
  /** Seconds between an abort and the teardown of the canary (default 30); 0 keeps it running. */
  readonly abortScaleDownDelaySeconds: number;
  readonly minPodsPerReplicaSet: number | null;
}

export interface BlueGreenStrategy {
  readonly kind: "blueGreen";
  readonly activeService: string;
  readonly previewService: string | null;
  readonly autoPromotionEnabled: boolean;
  readonly autoPromotionSeconds: number;
  readonly prePromotionAnalysis: AnalysisSpec | null;
  readonly postPromotionAnalysis: AnalysisSpec | null;
  readonly scaleDownDelaySeconds: number;
  readonly abortScaleDownDelaySeconds: number;
  /** Replicas of the preview before promotion; null runs spec.replicas from the start. */
  readonly previewReplicaCount: number | null;
  readonly router: ProxyRouterSpec | null;
}

/**
 * A canary whose steps Flagger's analysis computes (spec.analysis holds Flagger's CanaryAnalysis):
 * weights, checks and webhook gates every interval instead of a list of steps.
 */
export interface FlaggerStrategy {
  readonly kind: "flagger";
  readonly analysis: FlaggerAnalysis;
  readonly canaryService: string | null;
  readonly stableService: string | null;
  readonly router: CanaryStrategy["router"];
  readonly scaleDownDelaySeconds: number;
  readonly abortScaleDownDelaySeconds: number;
}

export type RolloutStrategy = CanaryStrategy | BlueGreenStrategy | FlaggerStrategy;

export interface WorkloadVersion {
  readonly env: Readonly<Record<string, string>>;
  readonly urls: readonly string[];
}

/** How a version runs off Kubernetes (spec.workload); the platform plug-in reads it, decide() does not. */
export interface Workload {
  readonly platform: "process" | "static";
  readonly command: readonly string[] | string | null;
  readonly env: Readonly<Record<string, string>>;
  /** As written; load.ts makes it absolute against the rollout file's directory. */
  readonly cwd: string | null;
  readonly readiness: {
    readonly path?: string;
    readonly intervalMs?: number;
    readonly timeoutMs?: number;
    readonly successThreshold?: number;
  };
  readonly versions: Readonly<Record<string, WorkloadVersion>>;
  readonly urls: { readonly stable: readonly string[]; readonly canary: readonly string[] } | null;
}

export interface RolloutSpec {
  readonly name: string;
  readonly namespace: string | null;
  /** The version the spec asks for: spec.version, else the tag of the first container's image. */
  readonly version: string;
  readonly replicas: number;
  readonly strategy: RolloutStrategy;
  readonly workload: Workload | null;
  /** spec.notifications (Ramp extension), events filled in; absent or empty: only server-wide notifiers. */
  readonly notifications?: readonly NotifierConfig[];
}

export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;
export const DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;
