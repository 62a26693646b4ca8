/** Two replicas on one PostgreSQL: a write through replica A reaches dashboards connected to replica B. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../test/http-harness.js";
import { createTestDatabase } from "../../../test/postgres.js";
import { SseClient } from "../../../test/sse-client.js";

let a: Harness;
let b: Harness;

beforeAll(async () => {
  const url = await createTestDatabase();
  a = await startHarness({ database: url, listen: true });
  b = await startHarness({ database: url, listen: true, app: { events: { auditPollMs: 200 } } });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe("dashboard events across replicas (PostgreSQL)", () => {
  it("a flag written through A arrives on B's stream with its version, then its audit entry", async () => {
    const s = await SseClient.connect(`${b.url}/api/v1/events`, {
      authorization: `Bearer ${b.tokens.admin}`,
    });
    try {
      expect(s.status).toBe(200);
      await a.putFlag({ key: "banner", type: "boolean", environments: { production: { on: true } } });
      const flag = await s.next((e) => e.event === "flag", 0, 10_000);
      const stored = await a.app.inject({
        method: "GET",
        url: "/api/v1/flags/banner",
        headers: { authorization: `Bearer ${a.tokens.admin}` },
      });
      expect(JSON.parse(flag.data)).toEqual({ key: "banner", version: stored.json().version });
      const audit = await s.next((e) => e.event === "audit", 0, 10_000);
      expect(JSON.parse(audit.data)).toMatchObject({ kind: "flag", key: "banner", action: "flag.create" });
    } finally {
      s.close();
    }
  });
});
