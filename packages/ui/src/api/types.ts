/**
 * The shapes the dashboard reads and writes, typed from the server's OpenAPI document (/openapi.json)
 * and docs/api.md. Only the fields the dashboard uses are required; documents keep unknown fields.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type Scope = "admin" | "read" | "server" | "client";

export interface WhoAmI {
  readonly scope: Scope;
  readonly environment: string | null;
  readonly name: string | null;
}

export interface TokenInfo {
  readonly id: string;
  readonly scope: Scope;
  readonly name: string | null;
}

export interface Project {
  readonly key: string;
  readonly name: string;
  readonly version: number;
  readonly environments: readonly { readonly key: string; readonly name: string }[];
}

/** A percentage split: variant → share (the shares sum to 100). */
export type Split = Record<string, number>;

/** What an environment serves by default: a variant name, `{ variant }` or `{ split }`. */
export type Serve = string | { variant: string } | { split: Split };

export interface Rule {
  name?: string;
  if?: string;
  segment?: string | string[];
  variant?: string;
  split?: Split;
  rollout?: { percentage: number };
  [extra: string]: unknown;
}

export interface FlagEnvironment {
  on: boolean;
  targets?: Record<string, string[]>;
  rules?: Rule[];
  default?: Serve;
  [extra: string]: unknown;
}

/** A flag as the admin API reads it (docs/flag-format.md plus key, version, archived, dates). */
export interface FlagDocument {
  key: string;
  description?: string;
  owner?: string;
  tags?: string[];
  expires?: string;
  type: "boolean" | "string" | "number" | "object";
  variants?: Record<string, JsonValue>;
  offVariant?: string;
  environments: Record<string, FlagEnvironment>;
  version: number;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  [extra: string]: unknown;
}

/** One problem of a rejected write: where (a path into the flag file), what, what was expected. */
export interface ProblemDetail {
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly suggestion?: string;
}

export interface EvaluationSeries {
  readonly flag: string;
  readonly environment: string;
  readonly stepSeconds: number;
  readonly from: number;
  readonly to: number;
  readonly series: readonly { readonly variant: string; readonly points: readonly [number, number][] }[];
}

export interface AuditDiff {
  readonly path: string;
  readonly before?: JsonValue;
  readonly after?: JsonValue;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly kind: string;
  readonly key: string;
  readonly diff?: readonly AuditDiff[] | null;
}

export type RolloutPhase = "Healthy" | "Progressing" | "Paused" | "Degraded" | string;

export interface RolloutSummary {
  readonly name: string;
  readonly phase: RolloutPhase;
  readonly message: string | null;
  readonly revision: number;
  readonly stepIndex: number | null;
  readonly canaryWeight: number;
  readonly stableVersion: string | null;
  readonly canaryVersion: string | null;
  readonly aborted: boolean;
}

export interface HistoryEvent {
  readonly seq: number;
  readonly at: string;
  readonly revision: number;
  readonly event: string;
  readonly stepIndex: number | null;
  readonly weight: number;
  readonly message: string;
}

export interface CanaryStep {
  readonly setWeight?: number;
  readonly pause?: { readonly duration?: string | number };
  readonly analysis?: { readonly templates?: readonly { readonly templateName: string }[] };
  readonly setHeaderRoute?: { readonly name?: string };
  readonly setMirrorRoute?: { readonly name?: string };
  readonly setCanaryScale?: JsonValue;
}

export interface RolloutManifest {
  readonly metadata?: { readonly name?: string };
  readonly spec?: {
    readonly version?: string;
    readonly strategy?: {
      readonly canary?: { readonly steps?: readonly CanaryStep[] };
      readonly blueGreen?: { readonly activeService?: string; readonly previewService?: string };
    };
  };
}

export interface Measurement {
  readonly phase: string;
  readonly value?: string;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly resumeAt?: string;
}

export interface MetricSpec {
  readonly name: string;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly failureLimit?: number;
  readonly inconclusiveLimit?: number;
  readonly count?: number;
  readonly interval?: string;
}

export interface MetricResult {
  readonly name: string;
  readonly phase: string;
  readonly message?: string;
  readonly measurements?: readonly Measurement[];
  readonly count?: number;
  readonly successful?: number;
  readonly failed?: number;
  readonly inconclusive?: number;
  readonly error?: number;
}

export interface AnalysisRun {
  readonly name: string;
  readonly revision?: number;
  readonly spec: { readonly metrics: readonly MetricSpec[] };
  readonly status?: {
    readonly phase: string;
    readonly message?: string;
    readonly startedAt?: string;
    readonly metricResults?: readonly MetricResult[];
  };
}

export interface RolloutDetail extends RolloutSummary {
  readonly spec: RolloutManifest;
  readonly status: { readonly history?: readonly HistoryEvent[]; readonly abortMessage?: string | null };
  readonly analysisRuns?: readonly AnalysisRun[];
}

export interface TrafficPoint {
  readonly t: number;
  readonly requestsPerSecond: number;
  readonly errorRate: number;
  readonly p99Ms: number | null;
}

export interface TrafficSeries {
  readonly name: string;
  readonly measured: boolean;
  readonly stepSeconds: number;
  readonly versions: readonly {
    readonly role: "stable" | "canary";
    readonly version: string;
    readonly points: readonly TrafficPoint[];
  }[];
}

export type RolloutCommand = "promote" | "pause" | "resume" | "abort" | "retry";

/** Events of GET /api/v1/events, by name. */
export interface LiveEvents {
  readonly flag: { readonly key: string; readonly version: number };
  readonly segment: { readonly key: string; readonly version: number };
  readonly rollout: { readonly name: string; readonly summary: RolloutSummary };
  readonly audit: {
    readonly seq: number;
    readonly kind: string;
    readonly key: string;
    readonly action: string;
    readonly actor: string;
    readonly at: string;
  };
  readonly evaluations: { readonly flag: string; readonly environment: string };
}
