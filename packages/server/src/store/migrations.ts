/**
 * The one migration set of both stores, in Kysely's schema builder. Types are dialect-neutral (TEXT for
 * JSON and ISO-8601 timestamps, INTEGER 0/1 for booleans); only generated ids differ between dialects.
 */
import { type ColumnDefinitionBuilder, type Kysely, type Migration, Migrator } from "kysely";
import type { Database } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

/** Names Kysely's bookkeeping tables so they read as Ramp's in a shared PostgreSQL database. */
export const MIGRATION_TABLE = "ramp_migration";
export const MIGRATION_LOCK_TABLE = "ramp_migration_lock";

/** A generated integer primary key: SQLite's rowid alias, PostgreSQL's identity column. */
function generatedId(dialect: Dialect) {
  return (col: ColumnDefinitionBuilder) =>
    dialect === "postgres"
      ? col.primaryKey().generatedByDefaultAsIdentity()
      : col.primaryKey().autoIncrement();
}

function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("projects")
        .addColumn("id", "integer", generatedId(dialect))
        .addColumn("key", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("environments")
        .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("environments_pk", ["project_id", "key"])
        .execute();

      await db.schema
        .createTable("flags")
        .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("definition", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("archived", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("flags_pk", ["project_id", "key"])
        .execute();

      await db.schema
        .createTable("segments")
        .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("definition", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("segments_pk", ["project_id", "key"])
        .execute();

      await db.schema
        .createTable("tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("environment", "text")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("secret_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .execute();
      await db.schema.createIndex("tokens_project").on("tokens").column("project_id").execute();

      await db.schema
        .createTable("audit")
        .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("before", "text", (c) => c.notNull())
        .addColumn("after", "text", (c) => c.notNull())
        .addColumn("prev_hash", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("audit_pk", ["project_id", "seq"])
        .execute();

      await db.schema
        .createTable("changes")
        .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("changes_pk", ["project_id", "seq"])
        .execute();

      await db.schema
        .createTable("events")
        .addColumn("id", dialect === "postgres" ? "bigint" : "integer", generatedId(dialect))
        .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("environment", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("targeting_key", "text")
        .addColumn("value", "double precision")
        .addColumn("attributes", "text")
        .addColumn("at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("events_by_name")
        .on("events")
        .columns(["project_id", "environment", "name", "at"])
        .execute();
    },
  };
}

/** Rollouts, analysis templates and runs as versioned documents; leases for one active controller. */
function documentsAndLeases(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("documents")
        .addColumn("project_id", "integer", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("documents_pk", ["project_id", "kind", "name"])
        .execute();
      await db.schema
        .createTable("leases")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
    },
  };
}

/** Every migration, by name; names sort in the order they apply. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return { "0001_initial": initial(dialect), "0002_documents_leases": documentsAndLeases() };
}

/** Applies pending migrations; idempotent, and safe when several replicas start at once (Kysely's lock table). */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`store migration ${failed ?? "(none started)"} failed: ${reason}`, { cause: error });
  }
}
