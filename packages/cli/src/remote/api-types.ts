/** The shapes Ramp's HTTP API answers with (docs/api.md), as the CLI reads them. */
import type { FlagDefinition } from "@ramp/engine";

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

export type Scope = "admin" | "server" | "client";
export const SCOPES: readonly Scope[] = ["admin", "server", "client"];

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
