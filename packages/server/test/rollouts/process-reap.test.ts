/**
 * No replica outlives a kill -9 of the server for long: a server in a child process runs a rollout of
 * the demo service on the process platform and is SIGKILLed; its replicas survive (nothing can stop
 * them then), and the next server started on the same data dir stops them from their records before
 * the rollout runs again on fresh replicas.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_SERVICE,
  get,
  isRunning,
} from "../../src/plugins/platforms/process/process-test-kit.shared-test.js";
import type { ReplicaRecord } from "../../src/plugins/platforms/process/replica-records.js";
import { freePort } from "../../src/testing/index.js";
import { type ChildServer, ensureServerBuilt, spawnServer } from "./child-server.js";
import { isHealthyAt, RolloutsApi, waitUntil } from "./rollouts-api.js";

const NAME = "reap";
let work: string;
const servers: ChildServer[] = [];

function rollout(proxyPort: number) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: NAME },
    spec: {
      replicas: 2,
      version: "v1",
      strategy: {
        canary: {
          steps: [{ setWeight: 50 }],
          trafficRouting: { proxy: { listen: `127.0.0.1:${proxyPort}` } },
        },
      },
      workload: {
        platform: "process",
        command: [process.execPath, DEMO_SERVICE],
        readiness: { path: "/healthz", intervalMs: 50 },
      },
    },
  };
}

/** The replica records of the data dir, as the process platform wrote them. */
function records(): ReplicaRecord[] {
  const dir = join(work, "process-replicas");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as ReplicaRecord);
}

/** Whether something answers GET /healthz on the port with 200. */
async function answers(port: number): Promise<boolean> {
  return get(`http://127.0.0.1:${port}/healthz`).then(
    (a) => a.status === 200,
    () => false,
  );
}

beforeAll(() => {
  ensureServerBuilt();
  work = mkdtempSync(join(tmpdir(), "ramp-process-reap-"));
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill("SIGKILL")));
  // Whatever a failed assertion left running (a replica the test meant to be reaped).
  for (const r of records()) {
    try {
      process.kill(-r.pgid, "SIGKILL");
    } catch {
      // gone
    }
  }
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("process platform after kill -9 of the server", () => {
  it("the restarted server stops the orphaned replicas, then runs the rollout on fresh ones", async () => {
    const options = { database: join(work, "ramp.db"), data: work, leaseTtlMs: 600 };
    const proxyPort = await freePort();
    const first = await spawnServer(options);
    servers.push(first);
    let api = new RolloutsApi(first.url);
    await api.apply([rollout(proxyPort)]);
    await api.waitFor(NAME, "v1 Healthy", isHealthyAt("v1"), 20_000);
    const old = await waitUntil(
      async () => (records().length === 2 ? records() : undefined),
      "two replica records",
      5_000,
    );
    for (const r of old) expect(r.serverPid).toBe(first.pid);

    await first.kill("SIGKILL");
    // The gap this closes: nothing stopped them, they still run and hold their ports.
    for (const r of old) {
      expect(isRunning(r.pid), `replica pid ${r.pid} survives its server`).toBe(true);
      expect(await answers(r.port), `replica port ${r.port} still answers`).toBe(true);
    }

    const second = await spawnServer(options);
    servers.push(second);
    api = new RolloutsApi(second.url);
    await waitUntil(
      async () => (old.some((r) => isRunning(r.pid)) ? undefined : true),
      `the old replicas (${old.map((r) => r.pid).join(", ")}) to be stopped`,
      10_000,
    );
    for (const r of old) expect(await answers(r.port), `old port ${r.port} closed`).toBe(false);
    const reapedLine = new RegExp(`stopped replica pid (${old.map((r) => r.pid).join("|")})`);
    await waitUntil(
      async () => (reapedLine.test(second.log()) ? true : undefined),
      "the reaping logged",
      5_000,
    );

    // The controller notices the version has no replicas and deploys it again.
    const fresh = await waitUntil(
      async () => {
        const now = records();
        return now.length === 2 && now.every((r) => r.serverPid === second.pid) ? now : undefined;
      },
      "two replicas started by the new server",
      20_000,
    );
    for (const r of fresh) {
      expect(old.map((o) => o.pid)).not.toContain(r.pid);
      await waitUntil(
        async () => ((await answers(r.port)) ? true : undefined),
        `new replica on ${r.port}`,
        10_000,
      );
    }
    await api.waitFor(NAME, "v1 Healthy", isHealthyAt("v1"), 10_000);
    await waitUntil(
      async () => {
        const answer = await get(`http://127.0.0.1:${proxyPort}/`);
        return answer.status === 200 && (JSON.parse(answer.body) as { version?: string }).version === "v1"
          ? true
          : undefined;
      },
      "the proxy to route to the fresh replicas",
      10_000,
    );

    // A graceful stop leaves neither processes nor records behind.
    await second.kill("SIGTERM");
    for (const r of fresh) expect(isRunning(r.pid)).toBe(false);
    expect(records()).toEqual([]);
  }, 60_000);
});
