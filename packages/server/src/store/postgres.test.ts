import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/postgres.js";
import { openStore } from "./open-store.js";
import { LISTEN_APPLICATION_NAME } from "./pg-listener.js";
import { openPostgresStore, type PostgresStoreOptions } from "./postgres.js";
import type { ChangeListener, Store } from "./store.js";
import { describeStoreContract, until } from "./store.shared-test.js";

type ChangeEvent = Parameters<ChangeListener>[0];

const fastReconnect = { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } } as const;

async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  statement: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<R>(statement, values);
  } finally {
    await client.end();
  }
}

/** Empties every table but the migration bookkeeping: much faster than a database per test. */
async function truncateAll(url: string): Promise<void> {
  const { rows } = await sql<{ tablename: string }>(
    url,
    "select tablename from pg_tables where schemaname = 'public' and tablename not like 'ramp_migration%'",
  );
  const tables = rows.map((r) => `"${r.tablename}"`).join(", ");
  await sql(url, `truncate ${tables} restart identity`);
}

let contractDatabase: Promise<string> | undefined;

describeStoreContract("postgres", async (options) => {
  contractDatabase ??= createTestDatabase();
  const url = await contractDatabase;
  const store = await openPostgresStore(url, { ...options, ...fastReconnect });
  await truncateAll(url);
  return {
    store,
    exec: async (statement) => {
      await sql(url, statement);
    },
    close: () => store.close(),
  };
});

describe("PostgreSQL replicas", () => {
  async function twoReplicas(
    options: PostgresStoreOptions = {},
  ): Promise<{ url: string; a: Store; b: Store }> {
    const url = await createTestDatabase();
    const a = await openPostgresStore(url, { ...fastReconnect, ...options });
    const b = await openPostgresStore(url, { ...fastReconnect, ...options });
    return { url, a, b };
  }

  it("opens through openStore for a postgres:// URL", async () => {
    const store = await openStore(await createTestDatabase());
    expect(store.dialect).toBe("postgres");
    await store.ping();
    await store.close();
  });

  it("see each other's changes, each exactly once per write, own writes included", async () => {
    const { a, b } = await twoReplicas();
    try {
      const p = await a.createProject("shop", "Shop", []);
      const seenByA: ChangeEvent[] = [];
      const seenByB: ChangeEvent[] = [];
      a.onChange((e) => seenByA.push(e));
      b.onChange((e) => seenByB.push(e));
      await a.write(p.id, async (tx) => {
        await tx.putFlag("f", {});
        await tx.recordChange("flag", "f");
        await tx.recordChange("flag", "g");
      });
      await b.write(p.id, (tx) => tx.recordChange("segment", "s"));
      const both = [
        { projectId: p.id, seq: 2 },
        { projectId: p.id, seq: 3 },
      ];
      await until(
        () => (seenByA.length >= 2 && seenByB.length >= 2 ? true : undefined),
        "both notifications on both",
      );
      // A third write as a barrier: any duplicate of the first two would have arrived before it.
      await a.write(p.id, (tx) => tx.recordChange("flag", "h"));
      await until(
        () => (seenByA.length >= 3 && seenByB.length >= 3 ? true : undefined),
        "the barrier notification",
      );
      expect(seenByA).toEqual([...both, { projectId: p.id, seq: 4 }]);
      expect(seenByB).toEqual(seenByA);
      expect(await b.getFlag(p.id, "f")).toMatchObject({ version: 1 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("reconnects a killed LISTEN connection and asks listeners to resync", async () => {
    const errors: string[] = [];
    const { url, a, b } = await twoReplicas({ onError: (_e, context) => errors.push(context) });
    try {
      const p = await a.createProject("shop", "Shop", []);
      const seen: ChangeEvent[] = [];
      b.onChange((e) => seen.push(e));
      const killed = await sql(
        url,
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1",
        [LISTEN_APPLICATION_NAME],
      );
      expect(killed.rowCount).toBe(2);
      await until(() => (seen.length > 0 ? true : undefined), "the resync event");
      expect(seen).toEqual([{ resync: true }]);
      expect(errors).toContain("LISTEN connection lost, reconnecting");
      // Listening again: a later write reaches b.
      await a.write(p.id, (tx) => tx.recordChange("flag", "f"));
      await until(() => (seen.length > 1 ? true : undefined), "a notification after reconnecting");
      expect(seen).toEqual([{ resync: true }, { projectId: p.id, seq: 1 }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
