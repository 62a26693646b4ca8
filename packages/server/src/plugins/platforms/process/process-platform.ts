/**
 * The `process` platform, Ramp's embedded default: each version runs as N local processes of a
 * command, each with its own PORT, probed over HTTP, restarted when it crashes, killed with its
 * whole process group on teardown, on close() and when the server exits.
 *
 * A server killed with SIGKILL cannot stop its replicas (Linux's PR_SET_PDEATHSIG would need native
 * code), so with `replicasDir` each running replica is recorded there (replica-records.ts) and a
 * platform created on the same directory first stops what the records name — only processes whose
 * kernel start time still matches, never a recycled pid — before it deploys anything. Orphans are
 * killed, not adopted: the rollout controller redeploys what its rollouts need, on fresh ports.
 */
import { statSync } from "node:fs";
import { DelayedTeardowns } from "../delayed-teardowns.js";
import { describeVersion, PlatformError } from "../errors.js";
import type {
  Deployment,
  DeploymentStatus,
  DeployRequest,
  LogLine,
  LogOptions,
  Platform,
  TeardownOptions,
  TeardownOutcome,
} from "../platform.js";
import { checkDelay, checkDeployRequest, checkNames, checkReplicas, deploymentKey } from "../request.js";
import {
  type ProcessContext,
  ProcessDeployment,
  type ProcessSpec,
  specFingerprint,
} from "./process-deployment.js";
import { type ReapedRecord, ReplicaRecords, reapOrphans } from "./replica-records.js";

export interface ProcessPlatformOptions {
  /** Where replicas listen and are probed: targets are `http://<host>:<port>`; default 127.0.0.1. */
  readonly host?: string;
  /** Also append each replica's output to `<logsDir>/<service>/<version>/replica-<n>.log`. */
  readonly logsDir?: string;
  /**
   * Record each running replica here (one JSON file per process), and on creation stop the replicas
   * recorded by a previous server that was killed without stopping them. One directory per server
   * process (the server uses `<data>/process-replicas`): never share it between running servers.
   */
  readonly replicasDir?: string;
  /** Where the platform reports what it reaped; default nowhere. */
  readonly log?: (message: string) => void;
  /** Lines kept in memory per replica; default 1000. */
  readonly logLines?: number;
  /** Between SIGTERM and SIGKILL on teardown; default 5000 ms. */
  readonly terminationGraceMs?: number;
  /** Delay before restarting a crashed replica, doubling per crash up to maxMs and reset once it is
   * ready again; default 100 ms to 10 s. */
  readonly restartBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Most replicas per version; default 100. */
  readonly maxReplicas?: number;
  /** The clock of log lines and exit times; default the system clock. */
  readonly clock?: () => Date;
}

export class ProcessPlatform implements Platform {
  readonly type = "process";
  readonly #deployments = new Map<string, ProcessDeployment>();
  readonly #teardowns: DelayedTeardowns;
  readonly #context: ProcessContext;
  readonly #maxReplicas: number;
  #closed = false;
  /**
   * What was left by a previous server on `replicasDir` and what became of it; deploys wait for it,
   * so a version never runs twice, old and new side by side.
   */
  readonly reaped: Promise<readonly ReapedRecord[]>;

  constructor(options: ProcessPlatformOptions = {}) {
    const clock = options.clock ?? (() => new Date());
    let sequence = 0;
    const terminationGraceMs = options.terminationGraceMs ?? 5000;
    const { replicasDir, log } = options;
    this.reaped =
      replicasDir === undefined
        ? Promise.resolve([])
        : reapOrphans(replicasDir, { graceMs: terminationGraceMs, ...(log !== undefined && { log }) }).catch(
            (error: unknown) => {
              log?.(
                `process platform: could not reap the replicas recorded in ${replicasDir}: ${String(error)}`,
              );
              return [];
            },
          );
    this.#context = {
      host: options.host ?? "127.0.0.1",
      reservedPorts: new Set(),
      logsDir: options.logsDir,
      records: replicasDir === undefined ? undefined : new ReplicaRecords(replicasDir),
      logLines: options.logLines ?? 1000,
      terminationGraceMs,
      backoff: {
        initialMs: options.restartBackoff?.initialMs ?? 100,
        maxMs: options.restartBackoff?.maxMs ?? 10_000,
      },
      clock,
      sequence: () => ++sequence,
    };
    this.#maxReplicas = options.maxReplicas ?? 100;
    this.#teardowns = new DelayedTeardowns(clock);
  }

  async deploy(request: DeployRequest): Promise<Deployment> {
    this.#assertOpen();
    const spec = this.#spec(request);
    await this.reaped;
    const began = Date.now();
    this.#assertOpen();
    const { service, version } = request;
    const replicas = checkReplicas(service, version, request.replicas, this.#maxReplicas);
    const key = deploymentKey(service, version);
    this.#teardowns.cancel(key);
    let existing = this.#deployments.get(key);
    while (existing !== undefined && !existing.running) {
      await existing.stopped; // a teardown in progress finishes first; then this deploys afresh
      if (this.#deployments.get(key) === existing) this.#deployments.delete(key);
      existing = this.#deployments.get(key);
    }
    this.#assertOpen();
    const deadline = began + spec.readiness.timeoutMs;
    if (existing !== undefined) return this.#redeploy(existing, spec, replicas, deadline);

    const deployment = new ProcessDeployment(service, version, spec, this.#context);
    this.#deployments.set(key, deployment);
    try {
      await deployment.scaleTo(replicas);
      if (await deployment.waitReady(deadline)) return deployment.deployment();
      const why = deployment.describeUnready();
      throw new PlatformError(
        "READINESS_TIMEOUT",
        `${describeVersion(service, version)}: not ready after ${spec.readiness.timeoutMs} ms, stopped it: ${why}`,
      );
    } catch (error) {
      await this.#stop(key, deployment);
      throw error;
    }
  }

  async scale(service: string, version: string, replicas: number): Promise<Deployment> {
    const began = Date.now();
    this.#assertOpen();
    checkNames(service, version);
    checkReplicas(service, version, replicas, this.#maxReplicas);
    const deployment = this.#deployments.get(deploymentKey(service, version));
    if (deployment === undefined || !deployment.running) {
      throw new PlatformError(
        "NOT_DEPLOYED",
        `${describeVersion(service, version)} is not deployed: deploy it first`,
      );
    }
    return this.#scaleAndWait(deployment, replicas, began + deployment.spec.readiness.timeoutMs);
  }

  async status(service: string, version: string): Promise<DeploymentStatus> {
    checkNames(service, version);
    const key = deploymentKey(service, version);
    const deployment = this.#deployments.get(key);
    if (deployment === undefined) return { service, version, replicas: [] };
    return deployment.status(this.#teardowns.deadline(key));
  }

  teardown(service: string, version: string, options: TeardownOptions = {}): Promise<TeardownOutcome> {
    try {
      checkNames(service, version);
      const delayMs = checkDelay(service, version, options.delayMs);
      const key = deploymentKey(service, version);
      return this.#teardowns.schedule(key, delayMs, async () => {
        const deployment = this.#deployments.get(key);
        if (deployment !== undefined) await this.#stop(key, deployment);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  cancelTeardown(service: string, version: string): boolean {
    checkNames(service, version);
    return this.#teardowns.cancel(deploymentKey(service, version));
  }

  async logs(service: string, version: string, options: LogOptions = {}): Promise<LogLine[]> {
    checkNames(service, version);
    const tail = options.tail ?? 100;
    if (!Number.isInteger(tail) || tail < 0) {
      throw new PlatformError(
        "INVALID_REQUEST",
        `logs: tail must be an integer ≥ 0, got ${JSON.stringify(tail)}`,
      );
    }
    return this.#deployments.get(deploymentKey(service, version))?.logs(tail) ?? [];
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.reaped;
    const all = Promise.all(
      [...this.#deployments].map(([key, deployment]) => this.#stop(key, deployment)),
    ).then(() => {});
    this.#teardowns.settleAllWith(all);
    await all;
  }

  async #redeploy(
    existing: ProcessDeployment,
    spec: ProcessSpec,
    replicas: number,
    deadline: number,
  ): Promise<Deployment> {
    if (existing.fingerprint !== specFingerprint(spec)) {
      throw new PlatformError(
        "SPEC_CONFLICT",
        `${describeVersion(existing.service, existing.version)} is already deployed with another command, env, cwd or readiness probe: tear it down first, or deploy under a new version`,
      );
    }
    return this.#scaleAndWait(existing, replicas, deadline);
  }

  /** Rejects on timeout but leaves the replicas trying: the deployment has an owner already. */
  async #scaleAndWait(
    deployment: ProcessDeployment,
    replicas: number,
    deadline: number,
  ): Promise<Deployment> {
    await deployment.scaleTo(replicas);
    if (await deployment.waitReady(deadline)) return deployment.deployment();
    throw new PlatformError(
      "READINESS_TIMEOUT",
      `${describeVersion(deployment.service, deployment.version)}: not ready after ${deployment.spec.readiness.timeoutMs} ms (still trying): ${deployment.describeUnready()}`,
    );
  }

  async #stop(key: string, deployment: ProcessDeployment): Promise<void> {
    await deployment.stop();
    if (this.#deployments.get(key) === deployment) this.#deployments.delete(key);
  }

  /** Checks what only the process platform needs and resolves the environment. */
  #spec(request: DeployRequest): ProcessSpec {
    const readiness = checkDeployRequest(request);
    const where = describeVersion(request.service, request.version);
    const invalid = (message: string) => new PlatformError("INVALID_REQUEST", `${where}: ${message}`);
    const { command, env = {}, cwd, urls } = request;
    if (urls !== undefined) {
      throw invalid(
        "the process platform chooses its replicas' URLs: remove 'urls' (they are for the static platform)",
      );
    }
    const isArgv =
      Array.isArray(command) && command.length > 0 && command.every((part) => typeof part === "string");
    if (!(isArgv && command[0] !== "") && !(typeof command === "string" && command.trim() !== "")) {
      throw invalid(
        `'command' must be a non-empty argv array or shell string, e.g. ["node", "server.mjs"], got ${JSON.stringify(command)}`,
      );
    }
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== "string")
        throw invalid(`env.${name} must be a string, got ${JSON.stringify(value)}`);
    }
    if (cwd !== undefined && !isDirectory(cwd))
      throw invalid(`cwd ${JSON.stringify(cwd)} is not a directory`);
    return { command, env, cwd, readiness };
  }

  #assertOpen(): void {
    if (this.#closed) throw new PlatformError("CLOSED", "the process platform is closed");
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
