/**
 * WriteTx over a Kysely connection that holds an open transaction with the project locked: versions
 * and If-Match checks, the change sequence and the audit hash chain. Dialect-free.
 */
import type { Kysely } from "kysely";
import { auditHash, GENESIS_HASH } from "../audit/audit-chain.js";
import { readDocument, readFlag, readSegment } from "./kysely-reads.js";
import { type Database, toToken } from "./schema.js";
import {
  AlreadyExistsError,
  type AuditEntryInput,
  type AuditRow,
  type ChangeRow,
  type DocumentRow,
  type EnvironmentRow,
  type FlagRow,
  type Json,
  NotFoundError,
  type ProjectRow,
  type SegmentRow,
  type TargetKind,
  type TokenRow,
  VersionConflictError,
  type WriteTx,
} from "./store.js";

type Definition = { [k: string]: Json };

/**
 * expectedVersion undefined = unconditional; 0 = must not exist (creating what exists is
 * AlreadyExistsError, the API's `flag_exists`); n = must be at version n.
 */
function checkVersion(
  kind: TargetKind,
  key: string,
  actual: number | undefined,
  expected: number | undefined,
): void {
  if (expected === undefined || expected === (actual ?? 0)) return;
  if (expected === 0) throw new AlreadyExistsError(kind, key);
  throw new VersionConflictError(kind, key, expected, actual);
}

/**
 * The value as the store will give it back (what JSON keeps), so an audit entry hashes the same when
 * written as when verified, and a returned row equals a later read.
 */
function asStored<T extends Json>(value: T | undefined): T {
  return JSON.parse(JSON.stringify(value ?? null)) as T;
}

export class KyselyWriteTx implements WriteTx {
  /** The seq of the last recordChange in this transaction, if any: what onChange announces. */
  lastSeq: number | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    readonly project: ProjectRow,
    private readonly now: () => string,
  ) {}

  private get projectId(): number {
    return this.project.id;
  }

  getFlag(key: string): Promise<FlagRow | undefined> {
    return readFlag(this.db, this.projectId, key);
  }

  async putFlag(key: string, definition: Definition, expectedVersion?: number): Promise<FlagRow> {
    const current = await this.getFlag(key);
    checkVersion("flag", key, current?.version, expectedVersion);
    const at = this.now();
    const text = JSON.stringify(definition);
    if (current === undefined) {
      await this.db
        .insertInto("flags")
        .values({
          project_id: this.projectId,
          key,
          definition: text,
          version: 1,
          archived: 0,
          created_at: at,
          updated_at: at,
        })
        .execute();
      return {
        projectId: this.projectId,
        key,
        definition: asStored(definition),
        version: 1,
        archived: false,
        createdAt: at,
        updatedAt: at,
      };
    }
    const version = current.version + 1;
    await this.db
      .updateTable("flags")
      .set({ definition: text, version, updated_at: at })
      .where("project_id", "=", this.projectId)
      .where("key", "=", key)
      .execute();
    return { ...current, definition: asStored(definition), version, updatedAt: at };
  }

  async setFlagArchived(key: string, archived: boolean, expectedVersion?: number): Promise<FlagRow> {
    const current = await this.getFlag(key);
    if (current === undefined) throw new NotFoundError("flag", key);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw new VersionConflictError("flag", key, expectedVersion, current.version);
    const at = this.now();
    const version = current.version + 1;
    await this.db
      .updateTable("flags")
      .set({ archived: archived ? 1 : 0, version, updated_at: at })
      .where("project_id", "=", this.projectId)
      .where("key", "=", key)
      .execute();
    return { ...current, archived, version, updatedAt: at };
  }

  getSegment(key: string): Promise<SegmentRow | undefined> {
    return readSegment(this.db, this.projectId, key);
  }

  async putSegment(key: string, definition: Definition, expectedVersion?: number): Promise<SegmentRow> {
    const current = await this.getSegment(key);
    checkVersion("segment", key, current?.version, expectedVersion);
    const at = this.now();
    const text = JSON.stringify(definition);
    if (current === undefined) {
      await this.db
        .insertInto("segments")
        .values({
          project_id: this.projectId,
          key,
          definition: text,
          version: 1,
          created_at: at,
          updated_at: at,
        })
        .execute();
      return {
        projectId: this.projectId,
        key,
        definition: asStored(definition),
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
    }
    const version = current.version + 1;
    await this.db
      .updateTable("segments")
      .set({ definition: text, version, updated_at: at })
      .where("project_id", "=", this.projectId)
      .where("key", "=", key)
      .execute();
    return { ...current, definition: asStored(definition), version, updatedAt: at };
  }

  async deleteSegment(key: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("segments")
      .where("project_id", "=", this.projectId)
      .where("key", "=", key)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Creates the environment at the end of the list, or renames it when it exists (its position stays). */
  async putEnvironment(key: string, name: string): Promise<EnvironmentRow> {
    const existing = await this.db
      .selectFrom("environments")
      .select("position")
      .where("project_id", "=", this.projectId)
      .where("key", "=", key)
      .executeTakeFirst();
    if (existing !== undefined) {
      await this.db
        .updateTable("environments")
        .set({ name })
        .where("project_id", "=", this.projectId)
        .where("key", "=", key)
        .execute();
      return { projectId: this.projectId, key, name, position: existing.position };
    }
    const last = await this.db
      .selectFrom("environments")
      .select("position")
      .where("project_id", "=", this.projectId)
      .orderBy("position", "desc")
      .limit(1)
      .executeTakeFirst();
    const position = (last?.position ?? -1) + 1;
    await this.db
      .insertInto("environments")
      .values({ project_id: this.projectId, key, name, position })
      .execute();
    return { projectId: this.projectId, key, name, position };
  }

  /** Throws AlreadyExistsError when the id or the secret hash is taken. */
  async insertToken(row: Omit<TokenRow, "projectId" | "createdAt" | "revokedAt">): Promise<TokenRow> {
    // Checked first: in PostgreSQL a failed INSERT would abort the whole transaction.
    const clash = await this.db
      .selectFrom("tokens")
      .select("id")
      .where((eb) => eb.or([eb("id", "=", row.id), eb("secret_hash", "=", row.secretHash)]))
      .executeTakeFirst();
    if (clash !== undefined) throw new AlreadyExistsError("token", row.id);
    const token: TokenRow = {
      id: row.id,
      projectId: this.projectId,
      scope: row.scope,
      environment: row.environment,
      name: row.name,
      secretHash: row.secretHash,
      createdAt: this.now(),
      revokedAt: null,
    };
    await this.db
      .insertInto("tokens")
      .values({
        id: token.id,
        project_id: token.projectId,
        scope: token.scope,
        environment: token.environment,
        name: token.name,
        secret_hash: token.secretHash,
        created_at: token.createdAt,
        revoked_at: null,
      })
      .execute();
    return token;
  }

  /** Revokes a token of this project; revoking twice keeps the first revocation time. */
  async revokeToken(id: string): Promise<TokenRow | undefined> {
    const row = await this.db
      .selectFrom("tokens")
      .selectAll()
      .where("project_id", "=", this.projectId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    if (row.revoked_at !== null) return toToken(row);
    const revokedAt = this.now();
    await this.db.updateTable("tokens").set({ revoked_at: revokedAt }).where("id", "=", id).execute();
    return { ...toToken(row), revokedAt };
  }

  async recordChange(kind: ChangeRow["kind"], key: string): Promise<number> {
    const { seq } = await this.db
      .updateTable("projects")
      .set((eb) => ({ seq: eb("seq", "+", 1) }))
      .where("id", "=", this.projectId)
      .returning("seq")
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto("changes")
      .values({ project_id: this.projectId, seq, kind, key, at: this.now() })
      .execute();
    this.lastSeq = seq;
    return seq;
  }

  async appendAudit(entry: AuditEntryInput): Promise<AuditRow> {
    const last = await this.db
      .selectFrom("audit")
      .select(["seq", "hash"])
      .where("project_id", "=", this.projectId)
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    const body = {
      seq: (last?.seq ?? 0) + 1,
      at: this.now(),
      actor: entry.actor,
      action: entry.action,
      kind: entry.kind,
      key: entry.key,
      before: asStored(entry.before),
      after: asStored(entry.after),
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const row: AuditRow = { projectId: this.projectId, ...body, prevHash, hash: auditHash(prevHash, body) };
    await this.db
      .insertInto("audit")
      .values({
        project_id: row.projectId,
        seq: row.seq,
        at: row.at,
        actor: row.actor,
        action: row.action,
        kind: row.kind,
        key: row.key,
        before: JSON.stringify(row.before),
        after: JSON.stringify(row.after),
        prev_hash: row.prevHash,
        hash: row.hash,
      })
      .execute();
    return row;
  }

  getDocument(kind: string, name: string): Promise<DocumentRow | undefined> {
    return readDocument(this.db, this.projectId, kind, name);
  }

  async putDocument(kind: string, name: string, body: Json, expectedVersion?: number): Promise<DocumentRow> {
    const current = await this.getDocument(kind, name);
    checkVersion("document", `${kind}/${name}`, current?.version, expectedVersion);
    const at = this.now();
    const text = JSON.stringify(body);
    const version = (current?.version ?? 0) + 1;
    if (current === undefined)
      await this.db
        .insertInto("documents")
        .values({ project_id: this.projectId, kind, name, body: text, version, updated_at: at })
        .execute();
    else
      await this.db
        .updateTable("documents")
        .set({ body: text, version, updated_at: at })
        .where("project_id", "=", this.projectId)
        .where("kind", "=", kind)
        .where("name", "=", name)
        .execute();
    return { projectId: this.projectId, kind, name, body: asStored(body), version, updatedAt: at };
  }

  async deleteDocument(kind: string, name: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom("documents")
      .where("project_id", "=", this.projectId)
      .where("kind", "=", kind)
      .where("name", "=", name)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
