/**
 * Single-row reads shared by the store and its write transactions: the same query, run on the store's
 * connection or on the transaction's.
 */
import type { Kysely } from "kysely";
import { type Database, toDocument, toFlag, toSegment } from "./schema.js";
import type { DocumentRow, FlagRow, SegmentRow } from "./store.js";

export async function readFlag(
  db: Kysely<Database>,
  projectId: number,
  key: string,
): Promise<FlagRow | undefined> {
  const row = await db
    .selectFrom("flags")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("key", "=", key)
    .executeTakeFirst();
  return row && toFlag(row);
}

export async function readSegment(
  db: Kysely<Database>,
  projectId: number,
  key: string,
): Promise<SegmentRow | undefined> {
  const row = await db
    .selectFrom("segments")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("key", "=", key)
    .executeTakeFirst();
  return row && toSegment(row);
}

export async function readDocument(
  db: Kysely<Database>,
  projectId: number,
  kind: string,
  name: string,
): Promise<DocumentRow | undefined> {
  const row = await db
    .selectFrom("documents")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("kind", "=", kind)
    .where("name", "=", name)
    .executeTakeFirst();
  return row && toDocument(row);
}
