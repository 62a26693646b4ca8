/**
 * One replica of a process deployment: its process (leader of its own group), restarts with
 * exponential backoff when it exits on its own, readiness probing, and a graceful stop.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { probe } from "../http-probe.js";
import type { ReadinessProbe, ReplicaExit, ReplicaStatus } from "../platform.js";
import { groupAlive, signalGroup, trackGroup, untrackGroup } from "./process-groups.js";
import type { ReplicaLog } from "./replica-log.js";
import type { ReplicaRecords } from "./replica-records.js";

/** A ready replica is probed this often at least, to notice when it stops answering. */
const STEADY_PROBE_MS = 1000;
/** Consecutive failed probes that make a ready replica not ready (a crash does at once). */
const FAILURE_THRESHOLD = 3;
const PROBE_TIMEOUT_MS = 1000;
/** After SIGKILL, how long to wait for the group to be reaped before giving up on confirming it. */
const KILL_WAIT_MS = 2000;
const GROUP_POLL_MS = 20;

export interface RestartBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface ReplicaOptions {
  readonly service: string;
  readonly version: string;
  readonly index: number;
  readonly port: number;
  readonly url: string;
  readonly command: readonly string[] | string;
  /** The environment without this replica's own variables (PORT, RAMP_REPLICA). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  readonly readiness: ReadinessProbe;
  readonly backoff: RestartBackoff;
  readonly terminationGraceMs: number;
  readonly log: ReplicaLog;
  readonly clock: () => Date;
  /** Where the running process is recorded, for a restarted server to reap after a kill -9. */
  readonly records: ReplicaRecords | undefined;
  /** Called whenever ready, pid or lastExit change. */
  readonly onChange: () => void;
}

export class Replica {
  ready = false;
  restarts = 0;
  lastExit: ReplicaExit | undefined;
  /** Why the last readiness probe failed, while it fails. */
  lastProbeFailure: string | undefined;
  /** Set when the replica's very first start failed (command not found): retrying will not help. */
  spawnFailure: string | undefined;

  #child: ChildProcess | undefined;
  #pgid: number | undefined;
  /** The record of the running process, if any. */
  #record: string | undefined;
  #exited: Promise<void> = Promise.resolve();
  #generation = 0;
  #stopping: Promise<void> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #backoffMs: number;
  #successes = 0;
  #failures = 0;

  constructor(readonly options: ReplicaOptions) {
    this.#backoffMs = options.backoff.initialMs;
  }

  get index(): number {
    return this.options.index;
  }

  get url(): string {
    return this.options.url;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    this.#spawn();
  }

  status(): ReplicaStatus {
    const pid = this.pid;
    return {
      replica: this.index,
      ...(pid !== undefined && { pid }),
      url: this.url,
      ready: this.ready,
      restarts: this.restarts,
      ...(this.lastExit !== undefined && { lastExit: this.lastExit }),
    };
  }

  /** SIGTERM to the group, SIGKILL after the grace period; resolves when the group is gone. */
  stop(): Promise<void> {
    this.#stopping ??= this.#terminate();
    return this.#stopping;
  }

  #spawn(): void {
    const { command, cwd, index, port, log } = this.options;
    const generation = ++this.#generation;
    const env = { ...this.options.env, PORT: String(port), RAMP_REPLICA: String(index) };
    // detached: the child leads a new process group (and session), so the group can be killed.
    const options: SpawnOptions = { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] };
    let child: ChildProcess;
    try {
      child =
        typeof command === "string"
          ? spawn(command, { ...options, shell: true })
          : spawn(command[0] ?? "", command.slice(1), options);
    } catch (error) {
      this.#gone(generation, null, null, error);
      return;
    }
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#gone(generation, code, signal);
        resolve();
      });
      child.once("error", (error) => {
        // Only a failure to start ends the child; other errors (a failed kill) do not.
        if (child.pid !== undefined) return;
        this.#gone(generation, null, null, error);
        resolve();
      });
    });
    if (child.stdout !== null) log.follow(child.stdout, "stdout");
    if (child.stderr !== null) log.follow(child.stderr, "stderr");
    if (child.pid === undefined) return; // 'error' follows
    this.#pgid = child.pid;
    trackGroup(child.pid);
    log.write("platform", `started pid ${child.pid} with PORT=${port}`);
    this.#recordProcess(child.pid);
    this.#scheduleProbe(generation, this.options.readiness.intervalMs);
    this.options.onChange();
  }

  /** The process of `generation` ended (or never started): record it and restart unless stopping. */
  #gone(generation: number, code: number | null, signal: NodeJS.Signals | null, spawnError?: unknown): void {
    if (generation !== this.#generation) return;
    this.#generation++; // later events of this child are stale
    this.#child = undefined;
    this.ready = false;
    this.#successes = 0;
    this.#failures = 0;
    clearTimeout(this.#probeTimer);
    const { log } = this.options;
    if (spawnError !== undefined) {
      const message = spawnError instanceof Error ? spawnError.message : String(spawnError);
      log.write("platform", `could not start: ${message}`);
      if (this.restarts === 0 && this.lastExit === undefined) this.spawnFailure = message;
    } else {
      this.lastExit = { code, signal, at: this.options.clock() };
      log.write("platform", signal !== null ? `killed by ${signal}` : `exited with code ${code}`);
    }
    if (this.#stopping === undefined) {
      // Whatever the command left behind in its group would hold the port the restart needs.
      if (this.#pgid !== undefined) {
        signalGroup(this.#pgid, "SIGKILL");
        untrackGroup(this.#pgid);
      }
      this.#forgetProcess();
      this.#scheduleRestart();
    }
    this.options.onChange();
  }

  /** Failing to record does not stop the replica (only a restarted server's reaping would miss it): logged. */
  #recordProcess(pid: number): void {
    const { records, service, version, index, port, command, log, clock } = this.options;
    if (records === undefined) return;
    try {
      this.#record = records.add({ service, version, replica: index, pid, port, command }, clock);
    } catch (error) {
      log.write("platform", `could not record pid ${pid} in ${records.dir}: ${String(error)}`);
    }
  }

  #forgetProcess(): void {
    const file = this.#record;
    if (file === undefined) return;
    this.#record = undefined;
    try {
      this.options.records?.remove(file);
    } catch (error) {
      this.options.log.write("platform", `could not delete ${file}: ${String(error)}`);
    }
  }

  #scheduleRestart(): void {
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.options.backoff.maxMs);
    this.options.log.write("platform", `restarting in ${delay} ms`);
    this.#restartTimer = setTimeout(() => {
      if (this.#stopping !== undefined) return;
      this.restarts++;
      this.#spawn();
    }, delay);
  }

  #scheduleProbe(generation: number, delay: number): void {
    this.#probeTimer = setTimeout(() => void this.#probe(generation), delay);
  }

  async #probe(generation: number): Promise<void> {
    const { readiness, log } = this.options;
    const result = await probe(this.url, readiness.path, PROBE_TIMEOUT_MS);
    if (generation !== this.#generation || this.#stopping !== undefined) return;
    if (result.ok) {
      this.#failures = 0;
      this.#successes++;
      this.lastProbeFailure = undefined;
      if (!this.ready && this.#successes >= readiness.successThreshold) {
        this.ready = true;
        this.#backoffMs = this.options.backoff.initialMs;
        log.write("platform", "ready");
        this.options.onChange();
      }
    } else {
      this.#successes = 0;
      this.#failures++;
      this.lastProbeFailure = `GET ${readiness.path}: ${result.reason}`;
      if (this.ready && this.#failures >= FAILURE_THRESHOLD) {
        this.ready = false;
        log.write("platform", `not ready: ${this.lastProbeFailure}`);
        this.options.onChange();
      }
    }
    const next = this.ready ? Math.max(readiness.intervalMs, STEADY_PROBE_MS) : readiness.intervalMs;
    this.#scheduleProbe(generation, next);
  }

  async #terminate(): Promise<void> {
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#probeTimer);
    this.ready = false;
    const { log, terminationGraceMs } = this.options;
    const pgid = this.#pgid;
    if (pgid !== undefined && (this.#child !== undefined || groupAlive(pgid))) {
      log.write("platform", `stopping: SIGTERM, SIGKILL after ${terminationGraceMs} ms`);
      signalGroup(pgid, "SIGTERM");
      if (!(await this.#groupGone(pgid, terminationGraceMs))) {
        log.write("platform", `still running after ${terminationGraceMs} ms: SIGKILL`);
        signalGroup(pgid, "SIGKILL");
        if (!(await this.#groupGone(pgid, KILL_WAIT_MS))) {
          log.write("platform", `process group ${pgid} still listed ${KILL_WAIT_MS} ms after SIGKILL`);
        }
      }
    }
    if (pgid !== undefined) untrackGroup(pgid);
    // Only once the group is gone (or given up on): a kill -9 before then leaves the record to reap.
    this.#forgetProcess();
    this.options.onChange();
    await log.close();
  }

  /** Waits up to `withinMs` for the leader to exit and the rest of its group to be gone. */
  async #groupGone(pgid: number, withinMs: number): Promise<boolean> {
    const deadline = Date.now() + withinMs;
    const timeUp = new AbortController();
    await Promise.race([this.#exited, sleep(withinMs, undefined, { signal: timeUp.signal }).catch(() => {})]);
    timeUp.abort();
    for (;;) {
      if (this.#child === undefined && !groupAlive(pgid)) return true;
      if (Date.now() >= deadline) return false;
      await sleep(GROUP_POLL_MS);
    }
  }
}
