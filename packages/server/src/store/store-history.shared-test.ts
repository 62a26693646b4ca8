/** The Store contract, part 2: the change sequence, the audit chain, tracked events, onChange. */
import { beforeEach, describe, expect, it } from "vitest";
import { GENESIS_HASH, verifyChain } from "../audit/audit-chain.js";
import type { AuditEntryInput, ChangeListener, Store, TrackedEvent } from "./store.js";
import { ENVS, type SuiteContext, until } from "./store-contract-kit.shared-test.js";

type ChangeEvent = Parameters<ChangeListener>[0];

export function describeHistory(ctx: SuiteContext): void {
  let store: Store;
  let at: (n: number) => string;
  beforeEach(() => {
    store = ctx.store;
    at = (n) => ctx.at(n);
  });

  describe("changes", () => {
    it("recordChange bumps the project seq; changesSince lists later changes in order", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const seqs = await store.write(p.id, async (tx) => {
        expect(tx.project).toEqual(p);
        return [await tx.recordChange("flag", "a"), await tx.recordChange("segment", "s")];
      });
      expect(seqs).toEqual([1, 2]);
      const third = await store.write(p.id, async (tx) => {
        expect(tx.project.seq).toBe(2);
        return tx.recordChange("environment", "staging");
      });
      expect(third).toBe(3);
      expect(await store.getProject(p.id)).toMatchObject({ seq: 3 });
      expect(await store.changesSince(p.id, 0)).toEqual([
        { projectId: p.id, seq: 1, kind: "flag", key: "a", at: at(1) },
        { projectId: p.id, seq: 2, kind: "segment", key: "s", at: at(2) },
        { projectId: p.id, seq: 3, kind: "environment", key: "staging", at: at(3) },
      ]);
      expect((await store.changesSince(p.id, 2)).map((c) => c.seq)).toEqual([3]);
      expect(await store.changesSince(p.id, 3)).toEqual([]);
    });
  });

  describe("audit", () => {
    async function threeEntries() {
      const p = await store.createProject("shop", "Shop", ENVS);
      const entries: AuditEntryInput[] = [
        { actor: "t1", action: "flag.create", kind: "flag", key: "a", before: null, after: { on: true } },
        {
          actor: "t1",
          action: "flag.update",
          kind: "flag",
          key: "a",
          before: { on: true },
          after: { on: false, n: [1, 2.5] },
        },
        {
          actor: "system",
          action: "segment.put",
          kind: "segment",
          key: "s",
          before: null,
          after: { é: "ü" },
        },
      ];
      for (const e of entries) await store.write(p.id, (tx) => tx.appendAudit(e));
      return p;
    }

    it("chains entries per project from the genesis hash", async () => {
      const p = await threeEntries();
      const rows = await store.listAudit(p.id);
      expect(rows.map((r) => [r.seq, r.action, r.at])).toEqual([
        [1, "flag.create", at(1)],
        [2, "flag.update", at(2)],
        [3, "segment.put", at(3)],
      ]);
      expect(rows[0]).toMatchObject({
        projectId: p.id,
        actor: "t1",
        before: null,
        after: { on: true },
        prevHash: GENESIS_HASH,
      });
      expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
      expect(rows[2]?.prevHash).toBe(rows[1]?.hash);
      expect(verifyChain(rows)).toEqual({ ok: true, entries: 3 });

      const other = await store.createProject("other", "Other", ENVS);
      const first = await store.write(other.id, (tx) =>
        tx.appendAudit({
          actor: "t",
          action: "x",
          kind: "project",
          key: "other",
          before: null,
          after: null,
        }),
      );
      expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
      expect(await store.listAudit(other.id)).toEqual([first]);
    });

    it("returns what it stored, so JSON-lossy input still verifies", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      // NaN is a number to TypeScript but null to JSON: the row must hash what a later read returns.
      const after = { a: 1, b: Number.NaN };
      const row = await store.write(p.id, (tx) =>
        tx.appendAudit({ actor: "t", action: "x", kind: "flag", key: "f", before: null, after }),
      );
      expect(row.after).toEqual({ a: 1, b: null });
      expect(await store.listAudit(p.id)).toEqual([row]);
      expect(verifyChain([row]).ok).toBe(true);
    });

    it("filters by kind, key, action, after and limit", async () => {
      const p = await threeEntries();
      const seqs = async (filter: Parameters<Store["listAudit"]>[1]) =>
        (await store.listAudit(p.id, filter)).map((r) => r.seq);
      expect(await seqs({ kind: "flag" })).toEqual([1, 2]);
      expect(await seqs({ key: "s" })).toEqual([3]);
      expect(await seqs({ action: "flag.update" })).toEqual([2]);
      expect(await seqs({ after: 1 })).toEqual([2, 3]);
      expect(await seqs({ limit: 2 })).toEqual([1, 2]);
      expect(await seqs({ kind: "flag", after: 1, limit: 5 })).toEqual([2]);
      expect(await seqs({ order: "desc" })).toEqual([3, 2, 1]);
      expect(await seqs({ order: "desc", limit: 2 })).toEqual([3, 2]);
      expect(await seqs({ order: "desc", before: 3, limit: 1 })).toEqual([2]);
      expect(await seqs({ before: 3 })).toEqual([1, 2]);
      expect(await seqs({ kind: "flag", order: "desc", before: 2 })).toEqual([1]);
    });

    it("verifyChain detects a row altered behind the store's back", async () => {
      const p = await threeEntries();
      await ctx.subject.exec(`update audit set actor = 'mallory' where project_id = ${p.id} and seq = 2`);
      expect(verifyChain(await store.listAudit(p.id))).toEqual({
        ok: false,
        entries: 3,
        firstBad: { seq: 2, reason: "hash does not match the entry's content" },
      });
    });

    it("verifyChain detects a deleted row", async () => {
      const p = await threeEntries();
      await ctx.subject.exec(`delete from audit where project_id = ${p.id} and seq = 2`);
      expect(verifyChain(await store.listAudit(p.id))).toMatchObject({ ok: false, firstBad: { seq: 3 } });
    });
  });

  describe("events", () => {
    it("stores and lists tracked events by environment and name, in time order", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      await store.insertEvents([]);
      const event = (name: string, at: string, extra: Partial<TrackedEvent> = {}): TrackedEvent => ({
        projectId: p.id,
        environment: "production",
        name,
        targetingKey: null,
        value: null,
        attributes: null,
        at,
        ...extra,
      });
      const purchase = event("purchase", "2025-01-01T00:00:02.000Z", {
        targetingKey: "user-1",
        value: 19.99,
        attributes: { plan: "pro", items: [1, 2] },
      });
      const click = event("click", "2025-01-01T00:00:01.000Z");
      const staging = event("click", "2025-01-01T00:00:00.000Z", { environment: "staging" });
      await store.insertEvents([purchase, click, staging]);
      expect(await store.listEvents(p.id, "production")).toEqual([click, purchase]);
      expect(await store.listEvents(p.id, "production", "purchase")).toEqual([purchase]);
      expect(await store.listEvents(p.id, "staging")).toEqual([staging]);
      expect(await store.listEvents(p.id, "development")).toEqual([]);
    });

    it("inserts large batches whole", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const many = Array.from({ length: 1234 }, (_, i) => ({
        projectId: p.id,
        environment: "production",
        name: "view",
        targetingKey: `u${i}`,
        value: i,
        attributes: null,
        at: "2025-01-01T00:00:00.000Z",
      }));
      await store.insertEvents(many);
      expect((await store.listEvents(p.id, "production", "view")).map((e) => e.value)).toEqual(
        many.map((e) => e.value),
      );
    });
  });

  describe("onChange", () => {
    it("fires once per committed write that recorded changes, with the final seq", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const events: ChangeEvent[] = [];
      store.onChange((e) => events.push(e));
      await store.write(p.id, async (tx) => {
        await tx.recordChange("flag", "a");
        await tx.recordChange("flag", "b");
        expect(events).toEqual([]);
      });
      await until(() => (events.length > 0 ? true : undefined), "the change event");
      await store.write(p.id, (tx) => tx.recordChange("segment", "s"));
      await until(() => (events.length > 1 ? true : undefined), "the second change event");
      expect(events).toEqual([
        { projectId: p.id, seq: 2 },
        { projectId: p.id, seq: 3 },
      ]);
    });

    it("stays silent for rolled-back writes and writes without changes", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const events: ChangeEvent[] = [];
      store.onChange((e) => events.push(e));
      await expect(
        store.write(p.id, async (tx) => {
          await tx.recordChange("flag", "a");
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      await store.write(p.id, (tx) => tx.putFlag("quiet", {}));
      // Notifications arrive in commit order: had the others produced one, it would come first.
      await store.write(p.id, (tx) => tx.recordChange("flag", "b"));
      await until(() => (events.length > 0 ? true : undefined), "the change event");
      expect(events).toEqual([{ projectId: p.id, seq: 1 }]);
    });

    it("unsubscribes, and a throwing listener reaches onError, not the writer", async () => {
      const p = await store.createProject("shop", "Shop", ENVS);
      const kept: ChangeEvent[] = [];
      const dropped: ChangeEvent[] = [];
      store.onChange(() => {
        throw new Error("listener bug");
      });
      const unsubscribe = store.onChange((e) => dropped.push(e));
      store.onChange((e) => kept.push(e));
      unsubscribe();
      await store.write(p.id, (tx) => tx.recordChange("flag", "a"));
      await until(() => (kept.length > 0 ? true : undefined), "the change event");
      expect(dropped).toEqual([]);
      expect(ctx.errors.map((e) => (e.error instanceof Error ? e.error.message : e.error))).toEqual([
        "listener bug",
      ]);
    });
  });
}
