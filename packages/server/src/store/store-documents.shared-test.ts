/** The Store contract for versioned documents (rollouts, templates, runs) and leases (run by store.shared-test.ts). */
import { describe, expect, it } from "vitest";
import { AlreadyExistsError, VersionConflictError } from "./store.js";
import { ENVS, type SuiteContext } from "./store-contract-kit.shared-test.js";

export function describeDocuments(ctx: SuiteContext): void {
  describe("documents", () => {
    it("creates, replaces under versions, lists by name and deletes", async () => {
      const { store } = ctx;
      const p = await store.createProject("docs", "Docs", ENVS);
      const created = await store.write(p.id, (tx) =>
        tx.putDocument("rollout", "payment", { phase: "Healthy" }, 0),
      );
      expect(created).toMatchObject({
        kind: "rollout",
        name: "payment",
        version: 1,
        body: { phase: "Healthy" },
      });
      await expect(
        store.write(p.id, (tx) => tx.putDocument("rollout", "payment", {}, 0)),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(
        store.write(p.id, (tx) => tx.putDocument("rollout", "payment", {}, 7)),
      ).rejects.toBeInstanceOf(VersionConflictError);
      const next = await store.write(p.id, (tx) =>
        tx.putDocument("rollout", "payment", { phase: "Progressing" }, 1),
      );
      expect(next.version).toBe(2);
      await store.write(p.id, (tx) => tx.putDocument("rollout", "alpha", { n: 1 }));
      await store.write(p.id, (tx) => tx.putDocument("analysis-template", "success-rate", { metrics: [] }));
      expect((await store.listDocuments(p.id, "rollout")).map((d) => d.name)).toEqual(["alpha", "payment"]);
      expect((await store.getDocument(p.id, "rollout", "payment"))?.body).toEqual({ phase: "Progressing" });
      expect(await store.write(p.id, (tx) => tx.deleteDocument("rollout", "alpha"))).toBe(true);
      expect(await store.getDocument(p.id, "rollout", "alpha")).toBeUndefined();
    });

    it("a failed write leaves the document as it was", async () => {
      const { store } = ctx;
      const p = await store.createProject("docs2", "Docs", ENVS);
      await store.write(p.id, (tx) => tx.putDocument("rollout", "r", { step: 1 }));
      await expect(
        store.write(p.id, async (tx) => {
          await tx.putDocument("rollout", "r", { step: 2 });
          throw new Error("crash before commit");
        }),
      ).rejects.toThrow("crash before commit");
      expect(await store.getDocument(p.id, "rollout", "r")).toMatchObject({ version: 1, body: { step: 1 } });
    });
  });

  describe("leases", () => {
    it("one holder at a time; renewal by the holder; taken over after expiry; released", async () => {
      const { store } = ctx;
      // The suite's clock advances one second per reading.
      expect(await store.acquireLease("controller", "a", 3_000)).toBe(true);
      expect(await store.acquireLease("controller", "b", 3_000)).toBe(false);
      expect(await store.acquireLease("controller", "a", 3_000)).toBe(true); // renewed
      expect(await store.acquireLease("controller", "b", 3_000)).toBe(false);
      expect(await store.acquireLease("other", "b", 3_000)).toBe(true); // another name
      for (let i = 0; i < 3; i++) await store.acquireLease("unrelated", "c", 1); // let time pass
      expect(await store.acquireLease("controller", "b", 3_000)).toBe(true); // a's lease expired
      expect(await store.acquireLease("controller", "a", 3_000)).toBe(false);
      await store.releaseLease("controller", "b");
      expect(await store.acquireLease("controller", "a", 3_000)).toBe(true);
    });

    it("racing replicas: exactly one wins a free lease", async () => {
      const { store } = ctx;
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.acquireLease("race", `h${i}`, 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });
  });
}
