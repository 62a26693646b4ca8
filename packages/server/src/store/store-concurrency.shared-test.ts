/** The Store contract under contention: optimistic writers racing on one flag (run by store.shared-test.ts). */
import { describe, expect, it } from "vitest";
import { verifyChain } from "../audit/audit-chain.js";
import { VersionConflictError } from "./store.js";
import type { SuiteContext } from "./store-contract-kit.shared-test.js";

const WRITERS = 20;
const UPDATES = 20;

export function describeConcurrency(ctx: SuiteContext): void {
  describe("concurrency", () => {
    it(`${WRITERS} writers × ${UPDATES} If-Match updates of one flag: gapless versions, audit in version order`, async () => {
      const { store } = ctx;
      const p = await store.createProject("race", "Race", [{ key: "production", name: "Production" }]);
      await store.write(p.id, async (tx) => {
        await tx.putFlag("hot", { writer: -1 }, 0);
        await tx.appendAudit({
          actor: "setup",
          action: "flag.create",
          kind: "flag",
          key: "hot",
          before: null,
          after: 1,
        });
        await tx.recordChange("flag", "hot");
      });

      const accepted: number[] = [];
      let rejected = 0;
      const writer = async (w: number) => {
        for (let i = 0; i < UPDATES; i++) {
          const read = await store.getFlag(p.id, "hot");
          const expected = read?.version ?? 0;
          try {
            const row = await store.write(p.id, async (tx) => {
              const written = await tx.putFlag("hot", { writer: w, update: i }, expected);
              await tx.appendAudit({
                actor: `writer-${w}`,
                action: "flag.update",
                kind: "flag",
                key: "hot",
                before: expected,
                after: written.version,
              });
              await tx.recordChange("flag", "hot");
              return written;
            });
            accepted.push(row.version);
          } catch (error) {
            if (!(error instanceof VersionConflictError)) throw error;
            expect(error.expected).toBe(expected);
            expect(error.actual).toBeGreaterThan(expected);
            rejected++;
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

      expect(accepted.length + rejected).toBe(WRITERS * UPDATES);
      expect(accepted.length).toBeGreaterThan(0);
      // Distinct and gapless: exactly 2, 3, …, n+1 after the create at version 1.
      expect([...accepted].sort((a, b) => a - b)).toEqual(
        Array.from({ length: accepted.length }, (_, i) => i + 2),
      );
      expect(await store.getFlag(p.id, "hot")).toMatchObject({ version: accepted.length + 1 });

      const audit = await store.listAudit(p.id);
      expect(verifyChain(audit)).toEqual({ ok: true, entries: accepted.length + 1 });
      // Gapless seqs (verifyChain checks them) whose entries follow the versions: seq n wrote version n.
      expect(audit.map((e) => e.after)).toEqual(audit.map((e) => e.seq));
      expect(audit.slice(1).map((e) => e.before)).toEqual(audit.slice(1).map((e) => e.seq - 1));
      expect(await store.getProject(p.id)).toMatchObject({ seq: accepted.length + 1 });
      expect((await store.changesSince(p.id, 0)).map((c) => c.seq)).toEqual(audit.map((e) => e.seq));
    });
  });
}
