/** The shapes Ramp's HTTP API answers with (docs/api.md), as the CLI reads them. */
import type { FlagDefinition } from "@ramp/engine";
import type { AnalysisRun, RolloutPhase, RolloutStatus } from "@ramp/server/rollouts";

/** A flag as the API stores it: one flag-file entry plus its key and bookkeeping. */
export type FlagDocument = FlagDefinition & {
  readonly key: string;
  readonly version: number;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
};

export interface DiffEntry {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface Change {
  readonly kind: "flag" | "segment" | "environment";
  readonly key: string;
  readonly action: "create" | "update" | "unchanged";
  readonly diff?: readonly DiffEntry[];
}

export interface ApplyResult {
  readonly dryRun: boolean;
  readonly version: number;
  readonly changes: readonly Change[];
}

export type Scope = "admin" | "read" | "server" | "client";
export const SCOPES: readonly Scope[] = ["admin", "read", "server", "client"];

export interface TokenInfo {
  readonly id: string;
  readonly scope: Scope;
  readonly environment: string | null;
  readonly name: string;
  readonly createdAt?: string;
  readonly revokedAt?: string | null;
}

export interface CreatedToken extends TokenInfo {
  /** The secret, shown once. */
  readonly token: string;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly kind: string;
  readonly key: string;
  readonly diff?: readonly DiffEntry[] | null;
}

export interface AuditVerdict {
  readonly ok: boolean;
  readonly entries: number;
  readonly firstBad?: { readonly seq: number; readonly reason: string };
}

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly suggestion?: string;
}

// ---- Rollouts (/api/v1/rollouts) ----------------------------------------------------------------

/** The summary every rollout listing and command answer shows. */
export interface RolloutSummary {
  readonly name: string;
  readonly phase: RolloutPhase;
  readonly message: string;
  readonly revision: number;
  readonly stepIndex: number | null;
  readonly canaryWeight: number;
  readonly stableVersion: string | null;
  readonly canaryVersion: string | null;
  readonly aborted: boolean;
}

/** `GET /api/v1/rollouts/:name`: the summary, the spec as applied, the whole status and the runs it wants. */
export interface RolloutDetail extends RolloutSummary {
  readonly spec: unknown;
  readonly status: RolloutStatus;
  readonly analysisRuns: readonly AnalysisRun[];
}

/** `GET /api/v1/rollouts/:name/analysisruns`: every run of the rollout, finished ones too. */
export type RolloutAnalysisRun = AnalysisRun & { readonly revision: number };

export interface RolloutApplyResult {
  readonly rollouts: readonly { readonly name: string; readonly action: "create" | "update" | "unchanged" }[];
  readonly templates: readonly { readonly name: string; readonly action: string }[];
}

/** One version's live traffic through the rollout's router. */
export interface VersionTrafficReport {
  readonly role: "stable" | "canary";
  readonly version: string;
  readonly requests: number;
  readonly errors5xx: number;
  /** The period counted: the window, or a little more when the router rounds it to its own windows. */
  readonly periodSeconds: number;
  readonly requestsPerSecond: number;
  /** Share of 5xx answers, null without requests. */
  readonly errorRate: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** `GET /api/v1/rollouts/:name/traffic`. */
export interface TrafficReport {
  readonly name: string;
  /** False when the server answering does not run the rollout, or its router has not routed yet. */
  readonly measured: boolean;
  /** Where clients reach the service (the built-in proxy), once it listens. */
  readonly proxy: string | null;
  /** The blue-green preview entry point (absent from servers before it existed). */
  readonly preview?: string | null;
  readonly windowSeconds: number;
  readonly versions: readonly VersionTrafficReport[];
}
