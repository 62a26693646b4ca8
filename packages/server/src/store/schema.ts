/** The tables as Kysely sees them (snake_case, JSON as TEXT, timestamps as ISO-8601 TEXT) and row mappers. */
import type { Generated, Selectable } from "kysely";
import type {
  AuditRow,
  ChangeRow,
  DocumentRow,
  EnvironmentRow,
  FlagRow,
  Json,
  ProjectRow,
  Scope,
  SegmentRow,
  TargetKind,
  TokenRow,
  TrackedEvent,
} from "./store.js";

export interface Database {
  projects: ProjectsTable;
  environments: EnvironmentsTable;
  flags: FlagsTable;
  segments: SegmentsTable;
  tokens: TokensTable;
  audit: AuditTable;
  changes: ChangesTable;
  events: EventsTable;
  documents: DocumentsTable;
  leases: LeasesTable;
}

/** Versioned JSON documents of other kinds (rollouts, analysis templates and runs). */
export interface DocumentsTable {
  project_id: number;
  kind: string;
  name: string;
  body: string;
  version: number;
  updated_at: string;
}

/** Time-limited leadership: one holder per name until expires_at (epoch ms). */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface ProjectsTable {
  id: Generated<number>;
  key: string;
  name: string;
  seq: number;
  created_at: string;
}

export interface EnvironmentsTable {
  project_id: number;
  key: string;
  name: string;
  position: number;
}

export interface FlagsTable {
  project_id: number;
  key: string;
  definition: string;
  version: number;
  /** 0 or 1: SQLite has no boolean, so both dialects store an integer. */
  archived: number;
  created_at: string;
  updated_at: string;
}

export interface SegmentsTable {
  project_id: number;
  key: string;
  definition: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface TokensTable {
  id: string;
  project_id: number;
  scope: Scope;
  environment: string | null;
  name: string;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface AuditTable {
  project_id: number;
  seq: number;
  at: string;
  actor: string;
  action: string;
  kind: TargetKind;
  key: string;
  before: string;
  after: string;
  prev_hash: string;
  hash: string;
}

export interface ChangesTable {
  project_id: number;
  seq: number;
  kind: ChangeRow["kind"];
  key: string;
  at: string;
}

export interface EventsTable {
  /** Only orders events; PostgreSQL returns its bigint as a string, so it is never read back. */
  id: Generated<number | string>;
  project_id: number;
  environment: string;
  name: string;
  targeting_key: string | null;
  value: number | null;
  attributes: string | null;
  at: string;
}

/** Values in the store are JSON texts we wrote ourselves. */
function parseJson(text: string): Json {
  return JSON.parse(text) as Json;
}

function parseObject(text: string): { [k: string]: Json } {
  return JSON.parse(text) as { [k: string]: Json };
}

export function toProject(r: Selectable<ProjectsTable>): ProjectRow {
  return { id: r.id, key: r.key, name: r.name, seq: r.seq, createdAt: r.created_at };
}

export function toEnvironment(r: Selectable<EnvironmentsTable>): EnvironmentRow {
  return { projectId: r.project_id, key: r.key, name: r.name, position: r.position };
}

export function toFlag(r: Selectable<FlagsTable>): FlagRow {
  return {
    projectId: r.project_id,
    key: r.key,
    definition: parseObject(r.definition),
    version: r.version,
    archived: r.archived !== 0,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toSegment(r: Selectable<SegmentsTable>): SegmentRow {
  return {
    projectId: r.project_id,
    key: r.key,
    definition: parseObject(r.definition),
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toToken(r: Selectable<TokensTable>): TokenRow {
  return {
    id: r.id,
    projectId: r.project_id,
    scope: r.scope,
    environment: r.environment,
    name: r.name,
    secretHash: r.secret_hash,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

export function toAudit(r: Selectable<AuditTable>): AuditRow {
  return {
    projectId: r.project_id,
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    kind: r.kind,
    key: r.key,
    before: parseJson(r.before),
    after: parseJson(r.after),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function toChange(r: Selectable<ChangesTable>): ChangeRow {
  return { projectId: r.project_id, seq: r.seq, kind: r.kind, key: r.key, at: r.at };
}

export function toEvent(r: Omit<Selectable<EventsTable>, "id">): TrackedEvent {
  return {
    projectId: r.project_id,
    environment: r.environment,
    name: r.name,
    targetingKey: r.targeting_key,
    value: r.value,
    attributes: r.attributes === null ? null : parseObject(r.attributes),
    at: r.at,
  };
}

/** Orders rows by key the same way in both dialects (PostgreSQL's collation may differ from SQLite's). */
export function byKey<T extends { readonly key: string }>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function toDocument(r: Selectable<DocumentsTable>): DocumentRow {
  return {
    projectId: r.project_id,
    kind: r.kind,
    name: r.name,
    body: parseJson(r.body),
    version: r.version,
    updatedAt: r.updated_at,
  };
}
