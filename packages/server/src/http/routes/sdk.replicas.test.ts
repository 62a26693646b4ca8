/**
 * Two server replicas on one PostgreSQL: a write through replica A reaches SDK and OFREP streams
 * connected to replica B (LISTEN/NOTIFY), and still does after B's LISTEN connection is killed (the
 * store reconnects and announces a resync; streams get a fresh put).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../test/http-harness.js";
import { createTestDatabase } from "../../../test/postgres.js";
import { SseClient, type SseEvent } from "../../../test/sse-client.js";
import { LISTEN_APPLICATION_NAME } from "../../store/pg-listener.js";

const flag = (variant: "a" | "b") => ({
  key: "banner",
  type: "string",
  variants: { a: "A", b: "B" },
  offVariant: "a",
  environments: { production: { on: true, default: variant } },
});

async function query(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

const listenPids = async (url: string): Promise<number[]> =>
  (
    await query(
      url,
      "select pid from pg_stat_activity where datname = current_database() and application_name = $1",
      [LISTEN_APPLICATION_NAME],
    )
  ).rows.map((r: { pid: number }) => r.pid);

/** The default of banner as an event says it: a put's file or a patch's flag document. */
function bannerDefault(e: SseEvent): unknown {
  const d = JSON.parse(e.data);
  const doc = e.event === "put" ? d.file.flags.banner : d.flags?.banner;
  return doc?.environments?.production?.default;
}

/** What the stores report instead of throwing (the lost LISTEN connection, here on purpose). */
const storeErrors: string[] = [];
/** Long enough that the write after the kill surely lands while B is not listening. */
const postgres = {
  reconnect: { initialDelayMs: 300, maxDelayMs: 1_000 },
  onError: (e: unknown, context: string) => storeErrors.push(`${context}: ${String(e)}`),
};

let url: string;
let a: Harness;
let b: Harness;
let bListenPid: number;

beforeAll(async () => {
  url = await createTestDatabase();
  a = await startHarness({ database: url, listen: true, postgres });
  const before = new Set(await listenPids(url));
  b = await startHarness({ database: url, listen: true, postgres });
  const pid = (await listenPids(url)).find((p) => !before.has(p));
  if (pid === undefined) throw new Error("replica B's LISTEN connection not found");
  bListenPid = pid;
  await a.putFlag(flag("a"));
});

afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe("two replicas on one PostgreSQL", () => {
  it("a write through A reaches B's streams; after B's LISTEN connection is killed, a write still does", async () => {
    const sdk = await SseClient.connect(`${b.url}/sdk/v1/stream`, {
      authorization: `Bearer ${b.tokens.server}`,
    });
    const bulk = await b.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags",
      headers: { authorization: `Bearer ${b.tokens.client}` },
      payload: { context: {} },
    });
    const ofrep = await SseClient.connect(
      new URL(bulk.json().eventStreams[0].endpoint.requestUri, b.url).href,
    );
    try {
      expect(bannerDefault(await sdk.next())).toBe("a");
      await ofrep.next();

      await a.putFlag(flag("b"));
      const patch = await sdk.next((e) => e.event === "patch", 0, 10_000);
      expect(bannerDefault(patch)).toBe("b");
      const refetch = await ofrep.next((e) => e.id === patch.id, 0, 10_000);
      expect(JSON.parse(refetch.data)).toMatchObject({ type: "refetchEvaluation" });

      const killed = await query(url, "select pg_terminate_backend($1)", [bListenPid]);
      expect(killed.rows[0]?.pg_terminate_backend).toBe(true);
      // Written while B is deaf: only the resync after its reconnect can tell B's streams about it.
      const seen = sdk.events.length;
      await a.putFlag(flag("a"));
      const repaired = await sdk.next((e) => bannerDefault(e) === "a", seen, 15_000);
      expect(Number(repaired.id)).toBeGreaterThan(Number(patch.id));
      expect(repaired.event).toBe("put");
      expect(storeErrors.join("\n")).toContain("LISTEN");
      expect(Number((await ofrep.next((e) => Number(e.id) >= Number(repaired.id), 0, 15_000)).id)).toBe(
        Number(repaired.id),
      );

      // And B hears A again afterwards.
      await a.putFlag(flag("b"));
      const after = await sdk.next((e) => Number(e.id) > Number(repaired.id), 0, 15_000);
      expect(bannerDefault(after)).toBe("b");
    } finally {
      sdk.close();
      ofrep.close();
    }
  });
});
