/**
 * The one Store implementation, over Kysely, for SQLite and PostgreSQL alike. Dialects differ only in
 * how a write locks its project (BEGIN IMMEDIATE vs SELECT … FOR UPDATE) and how changes are announced
 * (in-process after commit vs pg_notify delivered at commit to every replica's LISTEN connection).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type Kysely, sql } from "kysely";
import type { ChangeHub } from "./change-hub.js";
import { readDocument, readFlag, readSegment } from "./kysely-reads.js";
import { KyselyWriteTx } from "./kysely-write-tx.js";
import { type Dialect, migrateToLatest } from "./migrations.js";
import {
  byKey,
  type Database,
  toAudit,
  toChange,
  toDocument,
  toEnvironment,
  toEvent,
  toFlag,
  toProject,
  toSegment,
  toToken,
} from "./schema.js";
import {
  AlreadyExistsError,
  type AuditFilter,
  type AuditRow,
  type ChangeListener,
  type ChangeRow,
  type DocumentRow,
  type EnvironmentRow,
  type FlagRow,
  NotFoundError,
  type ProjectRow,
  type SegmentRow,
  type Store,
  type TokenRow,
  type TrackedEvent,
  type WriteTx,
} from "./store.js";

/** The PostgreSQL NOTIFY channel; payload `<projectId>:<seq>`. */
export const CHANGE_CHANNEL = "ramp_changes";

/** Rows per INSERT of insertEvents: far below SQLite's and PostgreSQL's bound-parameter limits. */
const EVENT_BATCH = 500;

export interface KyselyStoreOptions {
  readonly dialect: Dialect;
  /** Delivers onChange events; PostgreSQL's LISTEN connection feeds the same hub. */
  readonly hub: ChangeHub;
  /** The clock of createdAt/updatedAt/at; tests inject a fixed one. */
  readonly clock?: () => Date;
  /** Runs in close() before the database is destroyed (PostgreSQL: ends the LISTEN connection). */
  readonly beforeClose?: () => Promise<void>;
}

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  const { code } = error;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export class KyselyStore implements Store {
  readonly dialect: Dialect;
  readonly #db: Kysely<Database>;
  readonly #options: KyselyStoreOptions;
  /** Set while a write() callback runs, to catch store calls that should have used the tx. */
  readonly #inWrite = new AsyncLocalStorage<true>();
  #closed = false;

  constructor(db: Kysely<Database>, options: KyselyStoreOptions) {
    this.#db = db;
    this.#options = options;
    this.dialect = options.dialect;
  }

  /**
   * The database, for statements outside write(). Inside a write() callback every store call is a
   * bug: SQLite's single connection is held by the transaction (it would wait forever) and PostgreSQL
   * would read outside the transaction. Fail loudly instead.
   */
  private get db(): Kysely<Database> {
    if (this.#inWrite.getStore())
      throw new Error("store method called inside write(): use the WriteTx it was given");
    return this.#db;
  }

  #clockMs(): number {
    return (this.#options.clock?.() ?? new Date()).getTime();
  }

  #now(): string {
    return (this.#options.clock?.() ?? new Date()).toISOString();
  }

  /** Runs fn in one transaction on one connection; SQLite takes the write lock up front (no upgrade deadlocks). */
  async #transaction<T>(fn: (conn: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (conn) => {
      await sql.raw(this.dialect === "sqlite" ? "begin immediate" : "begin").execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        // Also after a failed COMMIT, which can leave SQLite's one connection inside the transaction.
        // The original error is the one worth reporting; a failed rollback means there is nothing to undo.
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw error;
      }
    });
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db, this.dialect);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#options.beforeClose?.();
    await this.#db.destroy();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /** Throws AlreadyExistsError when the key is taken. Environments get positions in the given order. */
  async createProject(
    key: string,
    name: string,
    environments: readonly { key: string; name: string }[],
  ): Promise<ProjectRow> {
    try {
      return await this.#transaction(async (conn) => {
        const taken = await conn
          .selectFrom("projects")
          .select("id")
          .where("key", "=", key)
          .executeTakeFirst();
        if (taken !== undefined) throw new AlreadyExistsError("project", key);
        const row = await conn
          .insertInto("projects")
          .values({ key, name, seq: 0, created_at: this.#now() })
          .returningAll()
          .executeTakeFirstOrThrow();
        if (environments.length > 0)
          await conn
            .insertInto("environments")
            .values(
              environments.map((e, position) => ({ project_id: row.id, key: e.key, name: e.name, position })),
            )
            .execute();
        return toProject(row);
      });
    } catch (error) {
      // A concurrent creator of the same key (PostgreSQL) wins the unique index instead of our check.
      if (isUniqueViolation(error)) throw new AlreadyExistsError("project", key);
      throw error;
    }
  }

  async getProjectByKey(key: string): Promise<ProjectRow | undefined> {
    const row = await this.db.selectFrom("projects").selectAll().where("key", "=", key).executeTakeFirst();
    return row && toProject(row);
  }

  async getProject(id: number): Promise<ProjectRow | undefined> {
    const row = await this.db.selectFrom("projects").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toProject(row);
  }

  async listEnvironments(projectId: number): Promise<EnvironmentRow[]> {
    const rows = await this.db
      .selectFrom("environments")
      .selectAll()
      .where("project_id", "=", projectId)
      .orderBy("position")
      .execute();
    return rows.map(toEnvironment);
  }

  /**
   * Throws NotFoundError for an unknown project. fn must use only the tx: calling the store inside it
   * throws. onChange fires after commit when fn recorded changes, once, with the final seq.
   */
  async write<T>(projectId: number, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    const postgres = this.dialect === "postgres";
    const { result, seq } = await this.#transaction(async (conn) => {
      const row = await conn
        .selectFrom("projects")
        .selectAll()
        .where("id", "=", projectId)
        .$if(postgres, (q) => q.forUpdate())
        .executeTakeFirst();
      if (row === undefined) throw new NotFoundError("project", String(projectId));
      const tx = new KyselyWriteTx(conn, toProject(row), () => this.#now());
      const result = await this.#inWrite.run(true, () => fn(tx));
      const seq = tx.lastSeq;
      // Delivered at commit to every LISTEN connection, this replica's included; dropped on rollback.
      if (postgres && seq !== undefined)
        await sql`select pg_notify(${CHANGE_CHANNEL}, ${`${projectId}:${seq}`})`.execute(conn);
      return { result, seq };
    });
    if (!postgres && seq !== undefined) this.#options.hub.emit({ projectId, seq });
    return result;
  }

  async getFlag(projectId: number, key: string): Promise<FlagRow | undefined> {
    return readFlag(this.db, projectId, key);
  }

  /** Ordered by key; archived flags only with includeArchived. */
  async listFlags(projectId: number, options: { includeArchived?: boolean } = {}): Promise<FlagRow[]> {
    const rows = await this.db
      .selectFrom("flags")
      .selectAll()
      .where("project_id", "=", projectId)
      .$if(options.includeArchived !== true, (q) => q.where("archived", "=", 0))
      .execute();
    return rows.map(toFlag).sort(byKey);
  }

  async getSegment(projectId: number, key: string): Promise<SegmentRow | undefined> {
    return readSegment(this.db, projectId, key);
  }

  /** Ordered by key. */
  async listSegments(projectId: number): Promise<SegmentRow[]> {
    const rows = await this.db
      .selectFrom("segments")
      .selectAll()
      .where("project_id", "=", projectId)
      .execute();
    return rows.map(toSegment).sort(byKey);
  }

  /** Changes with a seq greater than `seq`, in seq order. */
  async changesSince(projectId: number, seq: number): Promise<ChangeRow[]> {
    const rows = await this.db
      .selectFrom("changes")
      .selectAll()
      .where("project_id", "=", projectId)
      .where("seq", ">", seq)
      .orderBy("seq")
      .execute();
    return rows.map(toChange);
  }

  async findTokenByHash(secretHash: string): Promise<TokenRow | undefined> {
    const row = await this.db
      .selectFrom("tokens")
      .selectAll()
      .where("secret_hash", "=", secretHash)
      .executeTakeFirst();
    return row && toToken(row);
  }

  /** Oldest first, revoked ones included. */
  async listTokens(projectId: number): Promise<TokenRow[]> {
    const rows = await this.db
      .selectFrom("tokens")
      .selectAll()
      .where("project_id", "=", projectId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toToken);
  }

  /** In seq order (oldest first); `after` and `limit` page through the log. */
  async listAudit(projectId: number, filter: AuditFilter = {}): Promise<AuditRow[]> {
    let query = this.db.selectFrom("audit").selectAll().where("project_id", "=", projectId);
    if (filter.kind !== undefined) query = query.where("kind", "=", filter.kind);
    if (filter.key !== undefined) query = query.where("key", "=", filter.key);
    if (filter.action !== undefined) query = query.where("action", "=", filter.action);
    if (filter.after !== undefined) query = query.where("seq", ">", filter.after);
    if (filter.before !== undefined) query = query.where("seq", "<", filter.before);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    const rows = await query.orderBy("seq", filter.order === "desc" ? "desc" : "asc").execute();
    return rows.map(toAudit);
  }

  async getDocument(projectId: number, kind: string, name: string): Promise<DocumentRow | undefined> {
    return readDocument(this.db, projectId, kind, name);
  }

  async listDocuments(projectId: number, kind: string): Promise<DocumentRow[]> {
    const rows = await this.db
      .selectFrom("documents")
      .selectAll()
      .where("project_id", "=", projectId)
      .where("kind", "=", kind)
      .execute();
    return rows.map(toDocument).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One statement, so two replicas racing for an expired lease cannot both win. */
  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.#clockMs();
    const expires = now + ttlMs;
    await this.db
      .insertInto("leases")
      .values({ name, holder, expires_at: expires })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet({ holder, expires_at: expires })
          .where((eb) => eb.or([eb("leases.holder", "=", holder), eb("leases.expires_at", "<", now)])),
      )
      .execute();
    const row = await this.db
      .selectFrom("leases")
      .select("holder")
      .where("name", "=", name)
      .executeTakeFirst();
    return row?.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom("leases").where("name", "=", name).where("holder", "=", holder).execute();
  }

  /** All or nothing: one transaction, in batches below the bound-parameter limits. */
  async insertEvents(events: readonly TrackedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.#transaction(async (conn) => {
      for (let i = 0; i < events.length; i += EVENT_BATCH) {
        const values = events.slice(i, i + EVENT_BATCH).map((e) => ({
          project_id: e.projectId,
          environment: e.environment,
          name: e.name,
          targeting_key: e.targetingKey,
          value: e.value,
          attributes: e.attributes === null ? null : JSON.stringify(e.attributes),
          at: e.at,
        }));
        await conn.insertInto("events").values(values).execute();
      }
    });
  }

  /** In time order, then insertion order. */
  async listEvents(projectId: number, environment: string, name?: string): Promise<TrackedEvent[]> {
    let query = this.db
      .selectFrom("events")
      .select(["project_id", "environment", "name", "targeting_key", "value", "attributes", "at"])
      .where("project_id", "=", projectId)
      .where("environment", "=", environment);
    if (name !== undefined) query = query.where("name", "=", name);
    const rows = await query.orderBy("at").orderBy("id").execute();
    return rows.map(toEvent);
  }

  onChange(listener: ChangeListener): () => void {
    return this.#options.hub.subscribe(listener);
  }
}
