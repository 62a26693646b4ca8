import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ProcessPlatform } from "./process-platform.js";
import { definedPids, demoRequest, get, isRunning, until } from "./process-test-kit.shared-test.js";
import { type ReplicaRecord, ReplicaRecords, reapOrphans } from "./replica-records.js";

const root = mkdtempSync(join(tmpdir(), "ramp-replica-records-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
});

/** A detached process (leader of its own group), like a replica; `source` is a node program. */
function startDetached(source: string): number {
  const child = spawn(process.execPath, ["-e", source], { detached: true, stdio: "ignore" });
  children.push(child);
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

const IDLE = "setInterval(() => {}, 1000);";
let dirs = 0;
const freshDir = () => join(root, `records-${++dirs}`);
const identity = (pid: number) => ({
  service: "shop",
  version: "v1",
  replica: 0,
  pid,
  port: 1,
  command: ["x"],
});

/** Makes the record look written by a server that has died since (this test process is its writer). */
function orphan(file: string | undefined, change: Partial<ReplicaRecord> = {}): string {
  if (file === undefined) throw new Error("the process was not recorded");
  const record = JSON.parse(readFileSync(file, "utf8")) as ReplicaRecord;
  writeFileSync(file, JSON.stringify({ ...record, serverStartTicks: "0", ...change }));
  return file;
}

function recordFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
}

describe("replica records", () => {
  it("records pid, process group, port, command and the kernel's start time, as valid JSON", () => {
    const dir = freshDir();
    const pid = startDetached(IDLE);
    const file = new ReplicaRecords(dir).add({ ...identity(pid), port: 4242 });
    expect(file).toBe(join(dir, "shop", "v1", `replica-0-pid-${pid}.json`));
    const record = JSON.parse(readFileSync(file ?? "", "utf8")) as ReplicaRecord;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    expect(record).toMatchObject({ pid, pgid: pid, port: 4242, command: ["x"], startTicks: fields[19] });
    expect(record.serverPid).toBe(process.pid);
    expect(record.serverStartTicks).toMatch(/^\d+$/);
    expect(readdirSync(join(dir, "shop", "v1"))).toEqual([`replica-0-pid-${pid}.json`]); // no temporary left
  });

  it("never kills a pid that now belongs to another process (its start time differs)", async () => {
    const dir = freshDir();
    const pid = startDetached(IDLE);
    const file = new ReplicaRecords(dir).add(identity(pid));
    // As if the recorded replica had died and its pid had been given to this unrelated process.
    const startTicks = (JSON.parse(readFileSync(file ?? "", "utf8")) as ReplicaRecord).startTicks;
    orphan(file, { startTicks: String(Number(startTicks) - 1) });
    const logged: string[] = [];
    const reaped = await reapOrphans(dir, { graceMs: 200, log: (m) => logged.push(m) });
    expect(reaped).toEqual([{ file, pid, outcome: "not-ours" }]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // past the grace period: no SIGKILL came either
    expect(isRunning(pid)).toBe(true);
    expect(recordFiles(dir)).toEqual([]);
    expect(logged.join("\n")).toContain(`pid ${pid} now belongs to another process: left alone`);
  });

  it("kills the whole group of a recorded process that still runs, SIGKILL when SIGTERM is ignored", async () => {
    const dir = freshDir();
    const records = new ReplicaRecords(dir);
    // A leader that ignores SIGTERM and a child of it in its group.
    const grandchild = join(root, "grandchild-pid");
    const leader = startDetached(
      `process.on("SIGTERM", () => {});
       const c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(IDLE)}], { stdio: "ignore" });
       require("node:fs").writeFileSync(${JSON.stringify(grandchild)}, String(c.pid));
       ${IDLE}`,
    );
    const childPid = await until("the leader's child", () =>
      existsSync(grandchild) ? Number(readFileSync(grandchild, "utf8")) : undefined,
    );
    const polite = startDetached(IDLE);
    const leaderFile = orphan(records.add(identity(leader)));
    const politeFile = orphan(records.add({ ...identity(polite), replica: 1 }));
    const began = Date.now();
    const reaped = await reapOrphans(dir, { graceMs: 300 });
    expect(reaped).toEqual([
      { file: leaderFile, pid: leader, outcome: "killed" },
      { file: politeFile, pid: polite, outcome: "killed" },
    ]);
    expect(Date.now() - began).toBeGreaterThanOrEqual(300); // the SIGTERM-deaf one had its grace period
    for (const pid of [leader, childPid, polite]) expect(isRunning(pid)).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // records and their emptied directories are gone
  });

  it("drops records of processes that exited, unreadable records and half-written temporaries", async () => {
    const dir = freshDir();
    const child = spawn(process.execPath, ["-e", IDLE], { stdio: "ignore" });
    const pid = child.pid ?? 0;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const versionDir = join(dir, "shop", "v1");
    mkdirSync(versionDir, { recursive: true });
    writeFileSync(join(versionDir, "broken.json"), "{ not json");
    writeFileSync(join(versionDir, ".replica-0-pid-1.json.tmp"), "{");
    const gone = orphan(new ReplicaRecords(dir).add(identity(pid)));
    child.kill("SIGKILL");
    await exited;
    const reaped = await reapOrphans(dir, { graceMs: 100 });
    expect(reaped.map((r) => r.outcome).sort()).toEqual(["gone", "unreadable"]);
    expect(reaped.find((r) => r.outcome === "gone")?.file).toBe(gone);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("leaves the replicas of a server that still runs alone (a data dir shared by mistake)", async () => {
    const dir = freshDir();
    const pid = startDetached(IDLE);
    const file = new ReplicaRecords(dir).add(identity(pid)); // recorded by this process, which runs
    const reaped = await reapOrphans(dir, { graceMs: 100 });
    expect(reaped).toEqual([{ file, pid, serverPid: process.pid, outcome: "owned" }]);
    expect(isRunning(pid)).toBe(true);
    expect(existsSync(file ?? "")).toBe(true);
  });

  it("a missing directory reaps nothing", async () => {
    expect(await reapOrphans(join(root, "none"), { graceMs: 100 })).toEqual([]);
  });
});

describe("process platform with replicasDir", () => {
  it("keeps one record per running replica, and another data dir's platform leaves them alone", async () => {
    const dir = freshDir();
    const platform = new ProcessPlatform({ replicasDir: dir, terminationGraceMs: 2000 });
    const other = new ProcessPlatform({ replicasDir: freshDir() });
    try {
      const deployment = await platform.deploy(demoRequest("shop", "v1", 2));
      const pids = definedPids((await platform.status("shop", "v1")).replicas);
      const records = recordFiles(dir).map(
        (f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as ReplicaRecord,
      );
      expect(records.map((r) => r.pid).sort()).toEqual([...pids].sort());
      expect(records.map((r) => `http://127.0.0.1:${r.port}`).sort()).toEqual([...deployment.targets].sort());
      expect(await other.reaped).toEqual([]);
      for (const pid of pids) expect(isRunning(pid)).toBe(true);
      for (const target of deployment.targets) expect((await get(`${target}/healthz`)).status).toBe(200);
      await platform.teardown("shop", "v1");
      expect(recordFiles(dir)).toEqual([]);
    } finally {
      await Promise.all([platform.close(), other.close()]);
    }
  });
});
