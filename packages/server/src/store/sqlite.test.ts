import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "./open-store.js";
import { openSqliteStore } from "./sqlite.js";
import { describeStoreContract } from "./store.shared-test.js";

const dir = mkdtempSync(join(tmpdir(), "ramp-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

describeStoreContract("sqlite", async (options) => {
  const file = join(dir, `store-${++files}.db`);
  const store = await openSqliteStore(file, options);
  return {
    store,
    // A second connection, as another process would have: WAL lets it write while the store idles.
    async exec(statement) {
      const raw = new Sqlite(file);
      try {
        raw.exec(statement);
      } finally {
        raw.close();
      }
    },
    close: () => store.close(),
  };
});

describe("openSqliteStore", () => {
  it("creates the parent directory, opens in WAL mode, and records its migrations", async () => {
    const file = join(dir, "nested", "deeper", "ramp.db");
    const store = await openSqliteStore(file);
    await store.close();
    expect(existsSync(file)).toBe(true);
    const raw = new Sqlite(file);
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(raw.prepare("select name from ramp_migration").all()).toEqual([
        { name: "0001_initial" },
        { name: "0002_documents_leases" },
      ]);
    } finally {
      raw.close();
    }
  });

  it("keeps data across reopen", async () => {
    const file = join(dir, "reopen.db");
    const first = await openSqliteStore(file);
    const p = await first.createProject("shop", "Shop", []);
    await first.write(p.id, (tx) => tx.putFlag("f", { on: true }));
    await first.close();
    const second = await openSqliteStore(file);
    expect(await second.getFlag(p.id, "f")).toMatchObject({ version: 1, definition: { on: true } });
    await second.close();
  });

  it("announces a change synchronously after commit, before write() resolves", async () => {
    const store = await openSqliteStore(":memory:");
    const p = await store.createProject("shop", "Shop", []);
    const seen: unknown[] = [];
    store.onChange((e) => seen.push(e));
    const pending = store.write(p.id, (tx) => tx.recordChange("flag", "f"));
    expect(seen).toEqual([]);
    await pending;
    expect(seen).toEqual([{ projectId: p.id, seq: 1 }]);
    await store.close();
  });
});

describe("openStore", () => {
  it("opens a SQLite file for a path", async () => {
    const store = await openStore(join(dir, "via-factory.db"));
    expect(store.dialect).toBe("sqlite");
    await store.close();
  });

  it("refuses URL schemes it does not know", async () => {
    await expect(openStore("mysql://localhost/ramp")).rejects.toThrow(/unsupported scheme 'mysql:'/);
  });
});
