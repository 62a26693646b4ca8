/** The Store contract, part 1: projects, environments, flags, segments, tokens. */
import { beforeEach, describe, expect, it } from "vitest";
import { AlreadyExistsError, NotFoundError, type Store, VersionConflictError } from "./store.js";
import { ENVS, type SuiteContext } from "./store-contract-kit.shared-test.js";

export function describeRecords(ctx: SuiteContext): void {
  let store: Store;
  let at: (n: number) => string;
  beforeEach(() => {
    store = ctx.store;
    at = (n) => ctx.at(n);
  });

  describe("projects and environments", () => {
    it("creates a project with its environments in order", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      expect(p).toEqual({ id: p.id, key: "shop", name: "Shop", seq: 0, createdAt: at(0) });
      expect(await store.getProjectByKey("shop")).toEqual(p);
      expect(await store.getProject(p.id)).toEqual(p);
      expect(await store.listEnvironments(p.id)).toEqual([
        { projectId: p.id, key: "development", name: "Development", position: 0 },
        { projectId: p.id, key: "production", name: "Production", position: 1 },
      ]);
    });

    it("answers undefined for unknown projects and refuses a taken key", async () => {
      expect(await store.getProjectByKey("nope")).toBeUndefined();
      expect(await store.getProject(424242)).toBeUndefined();
      await store.createProject("shop", "Shop", []);
      await expect(store.createProject("shop", "Again", ENVS)).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.getProjectByKey("shop")).toMatchObject({ name: "Shop" });
    });

    it("putEnvironment appends new environments and renames existing ones in place", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const staging = await store.write(p.id, (tx) => tx.putEnvironment("staging", "Staging"));
      expect(staging).toEqual({ projectId: p.id, key: "staging", name: "Staging", position: 2 });
      await store.write(p.id, (tx) => tx.putEnvironment("development", "Dev"));
      expect((await store.listEnvironments(p.id)).map((e) => [e.key, e.name, e.position])).toEqual([
        ["development", "Dev", 0],
        ["production", "Production", 1],
        ["staging", "Staging", 2],
      ]);
    });

    it("write() on an unknown project throws NotFoundError", async () => {
      await expect(store.write(424242, async () => 1)).rejects.toBeInstanceOf(NotFoundError);
    });

    it("pings, and migrate() is idempotent", async () => {
      await store.ping();
      await store.migrate();
      await store.migrate();
      expect(store.dialect).toBe(ctx.dialect);
    });
  });

  describe("flags", () => {
    it("creates at version 1 and replaces with a bumped version", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const def = { type: "boolean", description: "naïve ✓", environments: { production: { on: true } } };
      const created = await store.write(p.id, (tx) => tx.putFlag("checkout", def));
      expect(created).toEqual({
        projectId: p.id,
        key: "checkout",
        definition: def,
        version: 1,
        archived: false,
        createdAt: at(1),
        updatedAt: at(1),
      });
      expect(await store.getFlag(p.id, "checkout")).toEqual(created);
      const replaced = await store.write(p.id, (tx) => tx.putFlag("checkout", { type: "boolean" }));
      expect(replaced).toMatchObject({
        version: 2,
        definition: { type: "boolean" },
        createdAt: at(1),
        updatedAt: at(2),
      });
      expect(await store.getFlag(p.id, "checkout")).toEqual(replaced);
    });

    it("honours expectedVersion: 0 = must not exist, n = must be at n", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      await store.write(p.id, (tx) => tx.putFlag("f", { n: 1 }, 0));
      await expect(store.write(p.id, (tx) => tx.putFlag("f", { n: 2 }, 0))).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );
      await store.write(p.id, (tx) => tx.putFlag("f", { n: 2 }, 1));
      const stale = await store.write(p.id, (tx) => tx.putFlag("f", { n: 3 }, 1)).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(VersionConflictError);
      expect(stale).toMatchObject({ kind: "flag", key: "f", expected: 1, actual: 2 });
      const ahead = await store.write(p.id, (tx) => tx.putFlag("f", { n: 3 }, 7)).catch((e: unknown) => e);
      expect(ahead).toMatchObject({ expected: 7, actual: 2 });
      const absent = await store.write(p.id, (tx) => tx.putFlag("g", { n: 1 }, 3)).catch((e: unknown) => e);
      expect(absent).toBeInstanceOf(VersionConflictError);
      expect(absent).toMatchObject({ kind: "flag", key: "g", expected: 3, actual: undefined });
      expect(await store.getFlag(p.id, "f")).toMatchObject({ version: 2, definition: { n: 2 } });
      expect(await store.getFlag(p.id, "g")).toBeUndefined();
    });

    it("archives and unarchives with versions; lists hide archived flags unless asked", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      await store.write(p.id, async (tx) => {
        for (const key of ["b", "a", "c"]) await tx.putFlag(key, { key });
      });
      const archived = await store.write(p.id, (tx) => tx.setFlagArchived("b", true, 1));
      expect(archived).toMatchObject({ key: "b", archived: true, version: 2, definition: { key: "b" } });
      expect(await store.getFlag(p.id, "b")).toEqual(archived);
      expect((await store.listFlags(p.id)).map((f) => f.key)).toEqual(["a", "c"]);
      expect((await store.listFlags(p.id, { includeArchived: true })).map((f) => f.key)).toEqual([
        "a",
        "b",
        "c",
      ]);
      await expect(store.write(p.id, (tx) => tx.setFlagArchived("b", false, 1))).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      await expect(store.write(p.id, (tx) => tx.setFlagArchived("zz", true))).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await store.write(p.id, (tx) => tx.setFlagArchived("b", false))).toMatchObject({
        archived: false,
        version: 3,
      });
      // Replacing keeps the archived state: archiving is its own action.
      await store.write(p.id, (tx) => tx.setFlagArchived("a", true));
      expect(await store.write(p.id, (tx) => tx.putFlag("a", { n: 1 }))).toMatchObject({
        archived: true,
        version: 3,
      });
    });

    it("keeps projects apart", async () => {
      const p = await store.createProject("one", "One", ENVS);
      const q = await store.createProject("two", "Two", ENVS);
      await store.write(p.id, (tx) => tx.putFlag("f", { of: "one" }));
      await store.write(q.id, (tx) => tx.putFlag("f", { of: "two" }));
      await store.write(q.id, (tx) => tx.putFlag("f", { of: "two again" }));
      expect(await store.getFlag(p.id, "f")).toMatchObject({ version: 1, definition: { of: "one" } });
      expect(await store.getFlag(q.id, "f")).toMatchObject({ version: 2, definition: { of: "two again" } });
      expect(await store.listFlags(p.id)).toHaveLength(1);
    });

    it("rolls back everything a failed write did", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const failed = store.write(p.id, async (tx) => {
        await tx.putFlag("f", { n: 1 });
        await tx.putSegment("s", { n: 1 });
        await tx.putEnvironment("staging", "Staging");
        await tx.recordChange("flag", "f");
        await tx.appendAudit({
          actor: "system",
          action: "flag.create",
          kind: "flag",
          key: "f",
          before: null,
          after: null,
        });
        throw new Error("boom");
      });
      await expect(failed).rejects.toThrow("boom");
      expect(await store.getFlag(p.id, "f")).toBeUndefined();
      expect(await store.getSegment(p.id, "s")).toBeUndefined();
      expect(await store.listEnvironments(p.id)).toHaveLength(2);
      expect(await store.getProject(p.id)).toMatchObject({ seq: 0 });
      expect(await store.changesSince(p.id, 0)).toEqual([]);
      expect(await store.listAudit(p.id)).toEqual([]);
    });

    it("refuses store calls made inside write() (they must use the tx)", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      await expect(store.write(p.id, () => store.getFlag(p.id, "f"))).rejects.toThrow(/inside write\(\)/);
      await expect(store.write(p.id, () => store.write(p.id, async () => 1))).rejects.toThrow(
        /inside write\(\)/,
      );
      expect(await store.getFlag(p.id, "f")).toBeUndefined();
    });
  });

  describe("segments", () => {
    it("puts with versions, lists by key, deletes", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const s = await store.write(p.id, (tx) => tx.putSegment("beta", { rules: [{ in: ["a", "b"] }] }, 0));
      expect(s).toEqual({
        projectId: p.id,
        key: "beta",
        definition: { rules: [{ in: ["a", "b"] }] },
        version: 1,
        createdAt: at(1),
        updatedAt: at(1),
      });
      await store.write(p.id, (tx) => tx.putSegment("alpha", {}));
      await expect(store.write(p.id, (tx) => tx.putSegment("beta", {}, 0))).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );
      await expect(store.write(p.id, (tx) => tx.putSegment("beta", {}, 2))).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await store.write(p.id, (tx) => tx.putSegment("beta", { rules: [] }, 1))).toMatchObject({
        version: 2,
      });
      expect(await store.write(p.id, (tx) => tx.getSegment("beta"))).toMatchObject({
        version: 2,
        definition: { rules: [] },
      });
      expect((await store.listSegments(p.id)).map((x) => x.key)).toEqual(["alpha", "beta"]);
      expect(await store.write(p.id, (tx) => tx.deleteSegment("beta"))).toBe(true);
      expect(await store.write(p.id, (tx) => tx.deleteSegment("beta"))).toBe(false);
      expect(await store.getSegment(p.id, "beta")).toBeUndefined();
    });
  });

  describe("tokens", () => {
    it("inserts, finds by hash, lists, refuses duplicates, revokes once", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const q = await store.createProject("other", "Other", ENVS);
      const admin = await store.write(p.id, (tx) =>
        tx.insertToken({
          id: "t1",
          scope: "admin",
          environment: null,
          name: "ops",
          secretHash: "a".repeat(64),
        }),
      );
      expect(admin).toEqual({
        id: "t1",
        projectId: p.id,
        scope: "admin",
        environment: null,
        name: "ops",
        secretHash: "a".repeat(64),
        createdAt: at(2),
        revokedAt: null,
      });
      await store.write(p.id, (tx) =>
        tx.insertToken({
          id: "t2",
          scope: "client",
          environment: "production",
          name: "web",
          secretHash: "b".repeat(64),
        }),
      );
      expect(await store.findTokenByHash("a".repeat(64))).toEqual(admin);
      expect(await store.findTokenByHash("c".repeat(64))).toBeUndefined();
      expect((await store.listTokens(p.id)).map((t) => [t.id, t.environment])).toEqual([
        ["t1", null],
        ["t2", "production"],
      ]);
      const sameId = {
        id: "t1",
        scope: "server",
        environment: "production",
        name: "x",
        secretHash: "d".repeat(64),
      } as const;
      await expect(store.write(p.id, (tx) => tx.insertToken(sameId))).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );
      const sameHash = {
        id: "t9",
        scope: "server",
        environment: "production",
        name: "x",
        secretHash: "b".repeat(64),
      } as const;
      await expect(store.write(q.id, (tx) => tx.insertToken(sameHash))).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );

      expect(await store.write(q.id, (tx) => tx.revokeToken("t1"))).toBeUndefined();
      expect(await store.write(p.id, (tx) => tx.revokeToken("nope"))).toBeUndefined();
      const revoked = await store.write(p.id, (tx) => tx.revokeToken("t1"));
      expect(revoked).toEqual({ ...admin, revokedAt: at(4) });
      expect(await store.write(p.id, (tx) => tx.revokeToken("t1"))).toEqual(revoked);
      expect(await store.findTokenByHash("a".repeat(64))).toEqual(revoked);
      expect(await store.listTokens(q.id)).toEqual([]);
    });
  });
}
