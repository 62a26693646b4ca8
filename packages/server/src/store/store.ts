/**
 * The persistence contract of the control plane. Two implementations (SQLite, PostgreSQL) share one
 * migration set and one test suite (store.shared-test.ts); everything above this file is dialect-free.
 */

/** admin: everything; read: every GET of the admin API (dashboards); server/client: SDKs and OFREP. */
export type Scope = "admin" | "read" | "server" | "client";
export type TargetKind = "flag" | "segment" | "environment" | "token" | "project" | "rollout" | "document";
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface ProjectRow {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  /** The project's change sequence: bumped by every write, the `version` of snapshots and streams. */
  readonly seq: number;
  readonly createdAt: string;
}

export interface EnvironmentRow {
  readonly projectId: number;
  readonly key: string;
  readonly name: string;
  readonly position: number;
}

/** A flag: its definition in the flag-file format (without `key`), versioned for If-Match. */
export interface FlagRow {
  readonly projectId: number;
  readonly key: string;
  readonly definition: { [k: string]: Json };
  readonly version: number;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SegmentRow {
  readonly projectId: number;
  readonly key: string;
  readonly definition: { [k: string]: Json };
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TokenRow {
  readonly id: string;
  readonly projectId: number;
  readonly scope: Scope;
  /** The environment a server/client token is bound to; null for admin and read tokens. */
  readonly environment: string | null;
  readonly name: string;
  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  readonly secretHash: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface AuditEntryInput {
  /** Token id, or "system" for the server's own writes. */
  readonly actor: string;
  readonly action: string;
  readonly kind: TargetKind;
  readonly key: string;
  readonly before: Json;
  readonly after: Json;
}

export interface AuditRow extends AuditEntryInput {
  readonly projectId: number;
  /** Per project, gapless, starting at 1. */
  readonly seq: number;
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

export interface ChangeRow {
  readonly projectId: number;
  /** The project seq this change produced. */
  readonly seq: number;
  readonly kind: "flag" | "segment" | "environment";
  readonly key: string;
  readonly at: string;
}

export interface AuditFilter {
  readonly kind?: TargetKind;
  readonly key?: string;
  readonly action?: string;
  /** Only entries with seq greater than this. */
  readonly after?: number;
  /** Only entries with seq less than this (paging backwards with order "desc"). */
  readonly before?: number;
  /** By seq, oldest first (default) or newest first; `limit` keeps the first ones in this order. */
  readonly order?: "asc" | "desc";
  readonly limit?: number;
}

export interface TrackedEvent {
  readonly projectId: number;
  readonly environment: string;
  readonly name: string;
  readonly targetingKey: string | null;
  readonly value: number | null;
  readonly attributes: { [k: string]: Json } | null;
  readonly at: string;
}

/** A versioned JSON document of another kind: a rollout, an analysis template, an analysis run. */
export interface DocumentRow {
  readonly projectId: number;
  readonly kind: string;
  readonly name: string;
  readonly body: Json;
  readonly version: number;
  readonly updatedAt: string;
}

/** Thrown by WriteTx methods when an expected version does not match: the HTTP layer answers 409. */
export class VersionConflictError extends Error {
  constructor(
    readonly kind: TargetKind,
    readonly key: string,
    readonly expected: number,
    readonly actual: number | undefined,
  ) {
    super(`${kind} '${key}' is at version ${actual ?? "none"}, not ${expected}`);
  }
}

/** Thrown when creating something that exists (409) */
export class AlreadyExistsError extends Error {
  constructor(
    readonly kind: TargetKind,
    readonly key: string,
  ) {
    super(`${kind} '${key}' already exists`);
  }
}

/** Thrown when a write targets something that does not exist: the project of write(), the flag of setFlagArchived (404). */
export class NotFoundError extends Error {
  constructor(
    readonly kind: TargetKind,
    readonly key: string,
  ) {
    super(`${kind} '${key}' does not exist`);
  }
}

/**
 * One write transaction on one project. The project row is locked for its duration, so writes of a
 * project are serialised: versions, seq and the audit chain never interleave.
 */
export interface WriteTx {
  /** The locked project as it was when the transaction began. */
  readonly project: ProjectRow;
  getFlag(key: string): Promise<FlagRow | undefined>;
  /**
   * Creates (expectedVersion 0 or undefined and absent) or replaces a flag, bumping its version.
   * With expectedVersion set, throws VersionConflictError unless the stored version equals it
   * (0 = must not exist: AlreadyExistsError when it does).
   */
  putFlag(key: string, definition: { [k: string]: Json }, expectedVersion?: number): Promise<FlagRow>;
  setFlagArchived(key: string, archived: boolean, expectedVersion?: number): Promise<FlagRow>;
  getSegment(key: string): Promise<SegmentRow | undefined>;
  putSegment(key: string, definition: { [k: string]: Json }, expectedVersion?: number): Promise<SegmentRow>;
  deleteSegment(key: string): Promise<boolean>;
  putEnvironment(key: string, name: string): Promise<EnvironmentRow>;
  insertToken(row: Omit<TokenRow, "projectId" | "createdAt" | "revokedAt">): Promise<TokenRow>;
  revokeToken(id: string): Promise<TokenRow | undefined>;
  /** Bumps the project seq and records what changed (for SDK streams); returns the new seq. */
  recordChange(kind: ChangeRow["kind"], key: string): Promise<number>;
  /** Appends to the project's hash-chained audit log. */
  appendAudit(entry: AuditEntryInput): Promise<AuditRow>;
  getDocument(kind: string, name: string): Promise<DocumentRow | undefined>;
  /** Creates or replaces a document, bumping its version; expectedVersion as for putFlag (0 = must not exist). */
  putDocument(kind: string, name: string, body: Json, expectedVersion?: number): Promise<DocumentRow>;
  deleteDocument(kind: string, name: string): Promise<boolean>;
}

export type ChangeListener = (event: { projectId: number; seq: number } | { resync: true }) => void;

export interface Store {
  readonly dialect: "sqlite" | "postgres";
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Readiness: resolves when the database answers. */
  ping(): Promise<void>;

  createProject(
    key: string,
    name: string,
    environments: readonly { key: string; name: string }[],
  ): Promise<ProjectRow>;
  getProjectByKey(key: string): Promise<ProjectRow | undefined>;
  getProject(id: number): Promise<ProjectRow | undefined>;
  listEnvironments(projectId: number): Promise<EnvironmentRow[]>;

  /** Runs fn in one transaction with the project locked; rolls back if fn throws. */
  write<T>(projectId: number, fn: (tx: WriteTx) => Promise<T>): Promise<T>;

  getFlag(projectId: number, key: string): Promise<FlagRow | undefined>;
  listFlags(projectId: number, options?: { includeArchived?: boolean }): Promise<FlagRow[]>;
  getSegment(projectId: number, key: string): Promise<SegmentRow | undefined>;
  listSegments(projectId: number): Promise<SegmentRow[]>;
  changesSince(projectId: number, seq: number): Promise<ChangeRow[]>;

  findTokenByHash(secretHash: string): Promise<TokenRow | undefined>;
  listTokens(projectId: number): Promise<TokenRow[]>;

  listAudit(projectId: number, filter?: AuditFilter): Promise<AuditRow[]>;

  getDocument(projectId: number, kind: string, name: string): Promise<DocumentRow | undefined>;
  /** Ordered by name. */
  listDocuments(projectId: number, kind: string): Promise<DocumentRow[]>;

  /**
   * Takes or renews the lease `name` for `holder` until now + ttlMs, if it is free, expired or already
   * the holder's; returns whether the holder has it. Exactly one replica holds a lease at a time.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  insertEvents(events: readonly TrackedEvent[]): Promise<void>;
  listEvents(projectId: number, environment: string, name?: string): Promise<TrackedEvent[]>;

  /**
   * Change notifications after commit, from this process and (PostgreSQL) from every replica.
   * After a lost connection the store emits { resync: true }: listeners re-read by seq.
   */
  onChange(listener: ChangeListener): () => void;
}
