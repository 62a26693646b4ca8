/**
 * Every replica runs as the leader of its own process group, so killing the group also kills what
 * its command started (a shell's children, a cluster's workers). This module tracks the live groups
 * of the whole server process and kills them when it exits, so no replica outlives the server. It also
 * reads /proc/<pid>/stat, for group membership here and for the replica records' identities.
 */
import { readdirSync, readFileSync } from "node:fs";

const live = new Set<number>();
let exitHookInstalled = false;
const EXIT_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Sends `signal` to every process of the group; false if the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Kill the group if the server exits before it is stopped. */
export function trackGroup(pgid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", killTrackedGroups);
  }
  // Signal listeners only while there is something to kill: they change what a signal does. First in
  // line, so a graceful-shutdown handler registered with once() is still counted when the signal comes.
  if (live.size === 0) for (const signal of EXIT_SIGNALS) process.prependListener(signal, onExitSignal);
  live.add(pgid);
}

export function untrackGroup(pgid: number): void {
  if (!live.delete(pgid) || live.size > 0) return;
  for (const signal of EXIT_SIGNALS) process.removeListener(signal, onExitSignal);
}

/** SIGKILL to every tracked group, synchronously (usable from an `exit` handler). */
export function killTrackedGroups(): void {
  for (const pgid of live) {
    signalGroup(pgid, "SIGKILL");
    untrackGroup(pgid);
  }
}

/**
 * Whether any process of the group still runs. Zombies do not count: under an init that does not
 * reap orphans (some containers), a killed grandchild stays a zombie forever and `kill(-pgid, 0)`
 * keeps succeeding, so on Linux the members are looked up in /proc.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return process.platform === "linux" ? hasLiveMember(pgid) : true;
}

function hasLiveMember(pgid: number): boolean {
  let pids: string[];
  try {
    pids = readdirSync("/proc");
  } catch {
    return true;
  }
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readStat(Number(pid)); // undefined: gone meanwhile
    if (stat !== undefined && stat.pgrp === pgid && isLive(stat)) return true;
  }
  return false;
}

export interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  readonly startTicks: string;
}

/** The fields of /proc/<pid>/stat Ramp needs; undefined when there is no such process (or no /proc). */
export function readStat(pid: number): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session … starttime(22nd) …"; comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [state, , pgrp] = fields;
  const startTicks = fields[19];
  if (state === undefined || pgrp === undefined || startTicks === undefined) return undefined;
  return { state, pgrp: Number(pgrp), startTicks };
}

/** Zombies (dead, not yet reaped by their parent) run nothing and hold no port. */
export function isLive(stat: ProcStat): boolean {
  return stat.state !== "Z" && stat.state !== "X";
}

/**
 * Node exits on SIGINT/SIGTERM/SIGHUP without running `exit` handlers. When nothing else handles the
 * signal, kill the groups and re-raise it so the server still dies of it; when something else does
 * (a graceful shutdown), that handler owns the exit and the `exit` hook is the backstop.
 */
function onExitSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killTrackedGroups();
  for (const s of EXIT_SIGNALS) process.removeListener(s, onExitSignal);
  process.kill(process.pid, signal);
}
