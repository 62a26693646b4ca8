/**
 * The shapes the dashboard reads and writes, derived from openapi.ts (generated from the server's
 * /openapi.json): a change to a server response schema breaks the dashboard's type-check, not its users.
 * Hand-written only where the document says nothing useful, each with its reason.
 */
import type { paths } from "./openapi.js";

/** The JSON answer of an operation with status 200 (a route or answer that is gone fails to compile here). */
type Json<O extends { responses: { 200: { content: { "application/json": unknown } } } }> =
  O["responses"][200]["content"]["application/json"];

/** The query parameters an operation accepts. */
type Query<O extends { parameters: { query?: unknown } }> = NonNullable<O["parameters"]["query"]>;

/** Any JSON value: what the document leaves open (variant values, audit before/after) holds one. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type WhoAmI = Json<paths["/api/v1/whoami"]["get"]>;
export type Scope = WhoAmI["scope"];
export type TokenInfo = Json<paths["/api/v1/tokens"]["get"]>["tokens"][number];
export type Project = Json<paths["/api/v1/project"]["get"]>;

/** A flag as the admin API reads it: the engine's flag format plus key, version, archived and dates. */
export type FlagDocument = Json<paths["/api/v1/flags/{key}"]["get"]>;
export type FlagsQuery = Query<paths["/api/v1/flags"]["get"]>;
export type FlagEnvironment = FlagDocument["environments"][string];
export type Rule = NonNullable<FlagEnvironment["rules"]>[number];
/** What an environment serves by default: a variant name, `{ variant }` or `{ split }`. */
export type Serve = NonNullable<FlagEnvironment["default"]>;
/** A percentage split: variant → share (the shares sum to 100). */
export type Split = NonNullable<Rule["split"]>;
/** PUT /api/v1/flags/{key}: the stored flag, or with `?dryRun=true` `{ ok, flag }`. */
export type PutFlagAnswer = Json<paths["/api/v1/flags/{key}"]["put"]>;

/** One problem of a rejected write: where (a path into the flag file), what, what was expected. */
export type ProblemDetail = NonNullable<
  paths["/api/v1/flags/{key}"]["put"]["responses"]["4XX"]["content"]["application/json"]["error"]["details"]
>[number];

export type EvaluationSeries = Json<paths["/api/v1/flags/{key}/evaluations"]["get"]>;

/** The audit filters the dashboard offers (it always asks newest first, so `order` is the client's). */
export type AuditQuery = Pick<
  Query<paths["/api/v1/audit"]["get"]>,
  "kind" | "key" | "action" | "before" | "limit"
>;
export type AuditEntry = Json<paths["/api/v1/audit"]["get"]>["entries"][number];
export type AuditDiff = AuditEntry["diff"][number];

export type RolloutSummary = Json<paths["/api/v1/rollouts"]["get"]>["rollouts"][number];
export type RolloutPhase = RolloutSummary["phase"];

type RolloutAnswer = Json<paths["/api/v1/rollouts/{name}"]["get"]>;
export type HistoryEvent = RolloutAnswer["status"]["history"][number];
/** `status.flagger`: where a Flagger-style analysis is (docs/flagger.md); only rollouts of that shape have it. */
export type FlaggerStatus = NonNullable<RolloutAnswer["status"]["flagger"]>;
export type FlaggerPhase = FlaggerStatus["phase"];

/** An analysis run as the rollouts list them, with the rollout revision it belongs to. */
export type AnalysisRun = Json<paths["/api/v1/rollouts/{name}/analysisruns"]["get"]>["runs"][number];
export type MetricSpec = AnalysisRun["spec"]["metrics"][number];
export type MetricResult = AnalysisRun["status"]["metricResults"][number];
export type Measurement = MetricResult["measurements"][number];

/*
 * Hand-written: the Rollout document as the user applied it (YAML, Argo's or Flagger's shape), which the
 * server stores as written and re-validates in code, so the OpenAPI document can only say "an object".
 * Every field is optional: the dashboard reads what is there.
 */
export interface CanaryStep {
  readonly setWeight?: number;
  readonly pause?: { readonly duration?: string | number };
  readonly analysis?: { readonly templates?: readonly { readonly templateName: string }[] };
  readonly setHeaderRoute?: { readonly name?: string };
  readonly setMirrorRoute?: { readonly name?: string };
  readonly setCanaryScale?: JsonValue;
}

/** A Flagger metric check: a built-in metric or an AnalysisTemplate's first metric, judged by the range. */
export interface FlaggerMetricManifest {
  readonly name: string;
  readonly thresholdRange?: { readonly min?: number; readonly max?: number };
  readonly interval?: string | number;
  readonly templateRef?: { readonly name: string; readonly namespace?: string };
}

export interface FlaggerWebhookManifest {
  readonly name: string;
  /** Flagger's webhook type; `rollout` when left out. */
  readonly type?: string;
  /** An http(s) URL, or `ramp:load-test` (Ramp's built-in load generator). */
  readonly url: string;
  readonly timeout?: string | number;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** `spec.analysis`: Argo's run history limits, or Flagger's CanaryAnalysis fields (docs/flagger.md). */
export interface RolloutAnalysisManifest {
  readonly successfulRunHistoryLimit?: number;
  readonly unsuccessfulRunHistoryLimit?: number;
  readonly interval?: string | number;
  readonly threshold?: number;
  readonly maxWeight?: number;
  readonly stepWeight?: number;
  readonly stepWeights?: readonly number[];
  readonly stepWeightPromotion?: number;
  readonly iterations?: number;
  readonly match?: readonly {
    readonly headers?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  }[];
  readonly mirror?: boolean;
  readonly mirrorWeight?: number;
  readonly metrics?: readonly FlaggerMetricManifest[];
  readonly webhooks?: readonly FlaggerWebhookManifest[];
}

export interface RolloutManifest {
  readonly metadata?: { readonly name?: string };
  readonly spec?: {
    readonly version?: string;
    readonly strategy?: {
      readonly canary?: { readonly steps?: readonly CanaryStep[] };
      readonly blueGreen?: { readonly activeService?: string; readonly previewService?: string };
    };
    readonly analysis?: RolloutAnalysisManifest;
  };
}

/** GET /api/v1/rollouts/{name}: the summary, the status, the runs, and the spec as applied (read as a manifest). */
export type RolloutDetail = Omit<RolloutAnswer, "spec"> & { readonly spec: RolloutManifest };

export type TrafficSeries = Json<paths["/api/v1/rollouts/{name}/traffic/series"]["get"]>;
export type TrafficPoint = TrafficSeries["versions"][number]["points"][number];

/** The rollout commands the dashboard offers (each a `POST /api/v1/rollouts/{name}/<command>` answering the summary). */
export type RolloutCommand = "promote" | "pause" | "resume" | "abort" | "retry";

/*
 * Hand-written: GET /api/v1/events is a text/event-stream, which the document describes only in words
 * (packages/server/src/http/routes/events.ts). The payloads reuse the derived shapes where they are the same.
 */
/** Events of GET /api/v1/events, by name. */
export interface LiveEvents {
  readonly flag: { readonly key: string; readonly version: number };
  readonly segment: { readonly key: string; readonly version: number };
  readonly rollout: { readonly name: string; readonly summary: RolloutSummary };
  readonly audit: Pick<AuditEntry, "seq" | "kind" | "key" | "action" | "actor" | "at">;
  readonly evaluations: { readonly flag: string; readonly environment: string };
}
