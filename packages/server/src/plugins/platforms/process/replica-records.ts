/**
 * The process platform's record of the replicas it runs: one small JSON file per replica process
 * under a directory of the server's data dir, so a server started again after `kill -9` finds what its
 * predecessor left running and stops it (reapOrphans) before it starts replicas of its own.
 *
 * A record names its process by pid AND the kernel's start time of that pid (/proc/<pid>/stat field
 * 22, with the boot id): a pid recycled for an unrelated process never matches, so it is never killed.
 * Records are written to a temporary file and renamed, so a kill never leaves half a record.
 * The records are per data dir, i.e. per server process: servers sharing one PostgreSQL each keep
 * their own directory and never reap another's replicas. Should two running servers share a data dir
 * by mistake, a record whose server still runs (same pid and start time) is left alone too.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { groupAlive, isLive, readStat, signalGroup } from "./process-groups.js";

/** What the platform knows of a replica process when it has just started it. */
export interface ReplicaIdentity {
  readonly service: string;
  readonly version: string;
  readonly replica: number;
  readonly pid: number;
  readonly port: number;
  readonly command: readonly string[] | string;
}

export interface ReplicaRecord extends ReplicaIdentity {
  /** The process group the replica leads (its pid: replicas are spawned detached). */
  readonly pgid: number;
  /** The pid's start time in clock ticks since boot, as the kernel reports it. */
  readonly startTicks: string;
  /** /proc/sys/kernel/random/boot_id when the record was written: start times restart at boot. */
  readonly bootId: string;
  readonly startedAt: string;
  /** The server process that started the replica, and its start time: while it runs, it owns the replica. */
  readonly serverPid: number;
  readonly serverStartTicks: string;
}

/** What reapOrphans did with one record. */
export interface ReapedRecord {
  readonly file: string;
  readonly pid?: number;
  /** Only when outcome is "owned". */
  readonly serverPid?: number;
  /**
   * killed: the recorded process still ran and its group was stopped; gone: it had exited already;
   * not-ours: the pid now names another process (or the machine rebooted), which was left alone;
   * unreadable: the record was not valid; survived: still running after SIGKILL (record kept);
   * owned: the server that recorded it still runs, so it is no orphan (record kept).
   */
  readonly outcome: "killed" | "gone" | "not-ours" | "unreadable" | "survived" | "owned";
}

export interface ReapOptions {
  /** Between SIGTERM and SIGKILL. */
  readonly graceMs: number;
  readonly log?: (message: string) => void;
}

const KILL_WAIT_MS = 2000;
const POLL_MS = 20;

/** The records of one data dir's process platform. */
export class ReplicaRecords {
  constructor(readonly dir: string) {}

  /**
   * Records a replica that has just started; returns its file, or undefined when the process is not
   * running any more (or this system has no /proc to identify it by). Throws on I/O errors.
   */
  add(identity: ReplicaIdentity, clock: () => Date = () => new Date()): string | undefined {
    const stat = readStat(identity.pid);
    const server = readStat(process.pid);
    const bootId = readBootId();
    if (stat === undefined || server === undefined || bootId === undefined) return undefined;
    const record: ReplicaRecord = {
      ...identity,
      pgid: stat.pgrp,
      startTicks: stat.startTicks,
      bootId,
      startedAt: clock().toISOString(),
      serverPid: process.pid,
      serverStartTicks: server.startTicks,
    };
    const dir = join(this.dir, encodeURIComponent(identity.service), encodeURIComponent(identity.version));
    const file = join(dir, `replica-${identity.replica}-pid-${identity.pid}.json`);
    const temporary = join(dir, `.replica-${identity.replica}-pid-${identity.pid}.json.tmp`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(temporary, file);
    return file;
  }

  remove(file: string): void {
    rmSync(file, { force: true });
  }
}

/**
 * Stops every recorded replica process that still runs (SIGTERM to its group, SIGKILL after
 * `graceMs`) and deletes the records; never signals a pid whose start time differs from the record's.
 * Resolves once done; per-record failures are reported in the result and logged, never thrown.
 */
export async function reapOrphans(dir: string, options: ReapOptions): Promise<ReapedRecord[]> {
  const files = listRecords(dir);
  const reaped = await Promise.all(files.map((file) => reapOne(file, options)));
  removeEmptyDirs(dir);
  for (const r of reaped) {
    if (r.outcome === "gone") continue;
    options.log?.(
      `process platform: ${describeOutcome(r)} (record ${r.file}${r.outcome === "survived" || r.outcome === "owned" ? ", kept" : ""})`,
    );
  }
  return reaped;
}

function describeOutcome(r: ReapedRecord): string {
  switch (r.outcome) {
    case "killed":
      return `stopped replica pid ${r.pid} left running by a previous server`;
    case "not-ours":
      return `pid ${r.pid} now belongs to another process: left alone`;
    case "survived":
      return `replica pid ${r.pid} left by a previous server still runs after SIGKILL`;
    case "unreadable":
      return "deleted an unreadable replica record";
    case "owned":
      return `replica pid ${r.pid} belongs to server pid ${r.serverPid}, which still runs: left alone (is its data dir shared?)`;
    case "gone":
      return `replica pid ${r.pid} had exited`;
  }
}

async function reapOne(file: string, options: ReapOptions): Promise<ReapedRecord> {
  const record = readRecord(file);
  if (record === undefined) {
    rmSync(file, { force: true });
    return { file, outcome: "unreadable" };
  }
  const { pid, pgid, serverPid } = record;
  const server = readStat(serverPid);
  if (server !== undefined && isLive(server) && server.startTicks === record.serverStartTicks)
    return { file, pid, serverPid, outcome: "owned" };
  const stat = readStat(pid);
  let outcome: ReapedRecord["outcome"];
  if (stat === undefined || !isLive(stat)) outcome = "gone";
  else if (stat.startTicks !== record.startTicks || readBootId() !== record.bootId) outcome = "not-ours";
  else {
    // The same process: stop what it leads (its group), or just it if it left its group.
    const group = stat.pgrp === pgid ? pgid : undefined;
    const alive = () =>
      group === undefined ? readStat(pid)?.startTicks === record.startTicks : groupAlive(group);
    const send = (signal: NodeJS.Signals) => {
      if (group !== undefined) signalGroup(group, signal);
      else sendTo(pid, signal);
    };
    send("SIGTERM");
    if (!(await until(() => !alive(), options.graceMs))) {
      send("SIGKILL");
      if (!(await until(() => !alive(), KILL_WAIT_MS))) return { file, pid, outcome: "survived" };
    }
    outcome = "killed";
  }
  rmSync(file, { force: true });
  return { file, pid, outcome };
}

async function until(done: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

function sendTo(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // exited meanwhile
  }
}

/** Every `*.json` file under `dir`; leftover temporary files (a kill between write and rename) are deleted. */
function listRecords(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  const records: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    if (entry.endsWith(".json.tmp")) rmSync(path, { force: true });
    else if (entry.endsWith(".json")) records.push(path);
  }
  return records.sort();
}

function removeEmptyDirs(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return;
  }
  // Deepest first, so a version's directory goes before its service's.
  for (const entry of entries.sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(join(dir, entry));
    } catch {
      // a file, or not empty
    }
  }
}

function readRecord(file: string): ReplicaRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Partial<Record<keyof ReplicaRecord, unknown>>;
  const isPid = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n > 1;
  if (!isPid(r.pid) || !isPid(r.pgid) || !isPid(r.serverPid)) return undefined;
  if (
    typeof r.startTicks !== "string" ||
    typeof r.bootId !== "string" ||
    typeof r.serverStartTicks !== "string"
  )
    return undefined;
  return value as ReplicaRecord;
}

function readBootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}
