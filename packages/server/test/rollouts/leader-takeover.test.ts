/**
 * Leader election, for real: two server replicas (child processes) on one PostgreSQL database with a
 * short lease. Exactly one runs the rollout controller, and with it the rollout's proxy; when that one
 * is killed with SIGKILL in the middle of a rollout, the other takes the lease over once it expires
 * and finishes the rollout, every step entered exactly once. The versions are this test's own HTTP
 * servers on the static platform.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/testing/index.js";
import { createTestDatabase } from "../postgres.js";
import { type ChildServer, ensureServerBuilt, spawnServer } from "./child-server.js";
import { staticCanary } from "./rollout-docs.js";
import { expectEveryStepOnce, isHealthyAt, RolloutsApi, sleep, waitUntil } from "./rollouts-api.js";
import { type Backend, startBackend, TrafficGenerator } from "./traffic.js";

const LEASE_TTL_MS = 1_500;
const NAME = "takeover";
const STEPS = [
  { setWeight: 20 },
  { pause: { duration: "2s" } },
  { setWeight: 50 },
  { pause: { duration: "2s" } },
];
const LEADS = /now runs the rollouts/g;

let work: string;
let backends: Backend[] = [];
const replicas: ChildServer[] = [];

beforeAll(async () => {
  ensureServerBuilt();
  work = mkdtempSync(join(tmpdir(), "ramp-takeover-"));
  backends = [await startBackend("v1"), await startBackend("v2")];
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.kill("SIGKILL")));
  await Promise.all(backends.map((b) => b.close()));
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const rollout = (port: number, version: string) => staticCanary(NAME, port, version, STEPS, backends);

const leads = (r: ChildServer) => r.log().match(LEADS)?.length ?? 0;

describe("two replicas on one PostgreSQL database", () => {
  it("exactly one runs the rollouts; when it is killed, the other takes over and finishes the rollout", async () => {
    const database = await createTestDatabase();
    const options = (name: string) => ({ database, data: join(work, name), leaseTtlMs: LEASE_TTL_MS });
    replicas.push(await spawnServer(options("a")));
    replicas.push(await spawnServer(options("b")));
    const apis = replicas.map((r) => new RolloutsApi(r.url));

    // One replica holds the lease; the other waits.
    const active = await waitUntil(async () => {
      const n = replicas.map(leads);
      return n[0] === 1 && n[1] === 0 ? 0 : n[0] === 0 && n[1] === 1 ? 1 : undefined;
    }, "one replica to run the rollouts");
    const standby = 1 - active;
    const [leader, follower] = [replicas[active], replicas[standby]];
    const [leaderApi, followerApi] = [apis[active], apis[standby]];
    if (
      leader === undefined ||
      follower === undefined ||
      leaderApi === undefined ||
      followerApi === undefined
    )
      throw new Error("two replicas expected");

    // The API works on either replica: the rollout is created through the one that does not run it.
    const port = await freePort();
    await followerApi.apply([rollout(port, "v1")]);
    await followerApi.waitFor(NAME, "v1 Healthy", isHealthyAt("v1"), 15_000);
    const load = new TrafficGenerator({
      url: `http://127.0.0.1:${port}`,
      prefix: "t",
      intervalMs: 25,
      maxRequests: 1_200,
    });
    try {
      await followerApi.apply([rollout(port, "v2")]);
      await followerApi.waitFor(NAME, "the first pause", (s) => s.stepIndex === 1 && s.phase === "Paused");

      // Only the leader runs the rollout (and measures its traffic, through its proxy).
      for (let i = 0; i < 5; i++) {
        const measured = await Promise.all(
          [leaderApi, followerApi].map(async (api) => (await api.traffic(NAME)).measured),
        );
        expect(measured).toEqual([true, false]);
        await sleep(100);
      }
      expect(replicas.map(leads)).toEqual(active === 0 ? [1, 0] : [0, 1]);

      const killedAt = Date.now();
      await leader.kill("SIGKILL");
      await waitUntil(
        async () => ((await followerApi.traffic(NAME)).measured ? true : undefined),
        "the takeover",
        15_000,
      );
      const tookOver = Date.now();
      expect(leads(follower)).toBe(1);
      // The dead leader's lease has to expire first; then the next election round (every ttl/3) takes it.
      expect(tookOver - killedAt).toBeLessThan(LEASE_TTL_MS + 2_000);

      const done = await followerApi.waitFor(NAME, "v2 promoted", isHealthyAt("v2"), 20_000);
      expectEveryStepOnce(done, 2, STEPS.length);
      expect(done.history.filter((h) => h.event === "RevisionStarted").map((h) => h.revision)).toEqual([
        1, 2,
      ]);
      await sleep(300);
      const sent = await load.stop();
      // Traffic flows again through the new leader's proxy, at the weights the rollout sets.
      const afterTakeover = sent.filter((r) => r.startedAt > tookOver);
      expect(afterTakeover.filter((r) => r.status === 200).length).toBeGreaterThan(20);
      expect(afterTakeover.filter((r) => r.status === 200 && r.version === "v2").length).toBeGreaterThan(0);
    } finally {
      await load.stop();
    }
  }, 60_000);
});
