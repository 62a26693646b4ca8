/** One version of one service on the process platform: its replicas, their ports and readiness. */
import { join } from "node:path";
import { describeVersion, PlatformError } from "../errors.js";
import type { Deployment, DeploymentStatus, LogLine, ReadinessProbe } from "../platform.js";
import { reservePort } from "./ports.js";
import { Replica, type RestartBackoff } from "./replica.js";
import { ReplicaLog, type SequencedLine } from "./replica-log.js";
import type { ReplicaRecords } from "./replica-records.js";

/** What a deployment runs; two deploys of a version must agree on it. */
export interface ProcessSpec {
  readonly command: readonly string[] | string;
  /** The request's env, laid over the server's own. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  readonly readiness: ReadinessProbe;
}

/** What the platform shares with its deployments. */
export interface ProcessContext {
  readonly host: string;
  readonly reservedPorts: Set<number>;
  readonly logsDir: string | undefined;
  readonly records: ReplicaRecords | undefined;
  readonly logLines: number;
  readonly terminationGraceMs: number;
  readonly backoff: RestartBackoff;
  readonly clock: () => Date;
  readonly sequence: () => number;
}

/** The fields of a spec that identify it (readiness.timeoutMs only bounds one call's wait). */
export function specFingerprint(spec: ProcessSpec): string {
  const { timeoutMs: _, ...probe } = spec.readiness;
  const env = Object.entries(spec.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([spec.command, env, spec.cwd ?? null, probe]);
}

export class ProcessDeployment {
  readonly fingerprint: string;
  /** The environment of every replica, but for its own PORT and RAMP_REPLICA. */
  readonly #env: Readonly<Record<string, string>>;
  #replicas: Replica[] = [];
  #state: "running" | "stopping" | "stopped" = "running";
  #stopped: Promise<void> | undefined;
  /** Serialises changes to the replica list (port reservation is asynchronous). */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #waiters = new Set<() => void>();

  constructor(
    readonly service: string,
    readonly version: string,
    readonly spec: ProcessSpec,
    private readonly context: ProcessContext,
  ) {
    this.fingerprint = specFingerprint(spec);
    const inherited = Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    // The platform's own variables win (PORT and RAMP_REPLICA are added per replica).
    this.#env = {
      ...Object.fromEntries(inherited),
      ...spec.env,
      RAMP_SERVICE: service,
      RAMP_VERSION: version,
    };
  }

  get running(): boolean {
    return this.#state === "running";
  }

  /** Settles when a stop has finished (immediately when not stopping). */
  get stopped(): Promise<void> {
    return this.#stopped ?? Promise.resolve();
  }

  /** Starts or stops replicas to reach `count`; resolves once removed replicas are gone. */
  scaleTo(count: number): Promise<void> {
    return this.#serially(async () => {
      this.#assertRunning();
      while (this.#replicas.length < count) {
        const port = await reservePort(this.context.host, this.context.reservedPorts);
        this.#assertRunning(port);
        const replica = this.#createReplica(this.#replicas.length, port);
        this.#replicas.push(replica);
        replica.start();
      }
      const removed = this.#replicas.splice(count);
      this.#changed();
      await Promise.all(removed.map((replica) => this.#remove(replica)));
    });
  }

  /**
   * Resolves true when every replica is ready, false when `deadline` (epoch ms) passes first.
   * Rejects with TORN_DOWN if the deployment stops meanwhile, SPAWN_FAILED if a command cannot start.
   */
  waitReady(deadline: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = (): void => {
        const failed = this.#replicas.find((replica) => replica.spawnFailure !== undefined);
        let outcome: boolean | PlatformError | undefined;
        if (!this.running) outcome = this.#tornDown();
        else if (failed !== undefined) {
          outcome = new PlatformError(
            "SPAWN_FAILED",
            `${describeVersion(this.service, this.version)}: could not start ${JSON.stringify(this.spec.command)}: ${failed.spawnFailure}`,
          );
        } else if (this.#replicas.every((replica) => replica.ready)) outcome = true;
        else if (Date.now() >= deadline) outcome = false;
        clearTimeout(timer);
        if (outcome === undefined) {
          // Re-armed on every check: a timer may fire a millisecond before Date.now() reaches the deadline.
          timer = setTimeout(check, Math.max(1, deadline - Date.now()));
          return;
        }
        this.#waiters.delete(check);
        if (outcome instanceof PlatformError) reject(outcome);
        else resolve(outcome);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Stops every replica; resolves when all are gone and their log files closed. */
  stop(): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#state = "stopping";
    this.#changed(); // waiters reject now, not after the grace period
    this.#stopped = this.#serially(async () => {
      const all = this.#replicas;
      await Promise.all(all.map((replica) => this.#remove(replica)));
      this.#state = "stopped";
    });
    return this.#stopped;
  }

  deployment(): Deployment {
    return {
      service: this.service,
      version: this.version,
      targets: this.#replicas.map((replica) => replica.url),
      ready: this.#replicas.every((replica) => replica.ready),
    };
  }

  status(teardownAt: Date | undefined): DeploymentStatus {
    return {
      service: this.service,
      version: this.version,
      replicas: this.#state === "stopped" ? [] : this.#replicas.map((replica) => replica.status()),
      ...(teardownAt !== undefined && { teardownAt }),
    };
  }

  logs(tail: number): LogLine[] {
    const all: SequencedLine[] = this.#replicas.flatMap((replica) => replica.options.log.lines());
    all.sort((a, b) => a.seq - b.seq);
    return all.slice(Math.max(0, all.length - tail)).map((entry) => entry.line);
  }

  /** Why the deployment is not ready: one clause per replica that is not, with its last log lines. */
  describeUnready(): string {
    const unready = this.#replicas.filter((replica) => !replica.ready);
    const lines = unready.map((replica) => {
      const facts = [
        replica.lastProbeFailure ?? (replica.pid === undefined ? "not running" : "no probe answered yet"),
      ];
      if (replica.restarts > 0) facts.push(`restarted ${replica.restarts} times`);
      const exit = replica.lastExit;
      if (exit !== undefined) facts.push(`last exit ${exit.signal ?? `code ${exit.code}`}`);
      const recent = replica.options.log
        .lines()
        .filter((entry) => entry.line.stream !== "platform")
        .slice(-3)
        .map((entry) => entry.line.text);
      if (recent.length > 0) facts.push(`last output: ${recent.join(" | ")}`);
      return `replica ${replica.index} (${replica.url}): ${facts.join("; ")}`;
    });
    return `${unready.length} of ${this.#replicas.length} replicas not ready: ${lines.join("; ")}`;
  }

  #createReplica(index: number, port: number): Replica {
    const { context } = this;
    const file =
      context.logsDir === undefined
        ? undefined
        : join(
            context.logsDir,
            encodeURIComponent(this.service),
            encodeURIComponent(this.version),
            `replica-${index}.log`,
          );
    const log = new ReplicaLog({
      replica: index,
      capacity: context.logLines,
      clock: context.clock,
      sequence: context.sequence,
      ...(file !== undefined && { file }),
    });
    return new Replica({
      service: this.service,
      version: this.version,
      index,
      port,
      url: `http://${context.host.includes(":") ? `[${context.host}]` : context.host}:${port}`,
      command: this.spec.command,
      env: this.#env,
      cwd: this.spec.cwd,
      readiness: this.spec.readiness,
      backoff: context.backoff,
      terminationGraceMs: context.terminationGraceMs,
      log,
      clock: context.clock,
      records: context.records,
      onChange: () => this.#changed(),
    });
  }

  async #remove(replica: Replica): Promise<void> {
    await replica.stop();
    this.context.reservedPorts.delete(replica.options.port);
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => {});
    return run;
  }

  #changed(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #assertRunning(reservedPort?: number): void {
    if (this.running) return;
    if (reservedPort !== undefined) this.context.reservedPorts.delete(reservedPort);
    throw this.#tornDown();
  }

  #tornDown(): PlatformError {
    return new PlatformError(
      "TORN_DOWN",
      `${describeVersion(this.service, this.version)} was torn down while waiting for it`,
    );
  }
}
