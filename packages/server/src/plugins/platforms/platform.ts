/**
 * The Platform plug-in kind: where the versions of a service run. A rollout deploys the canary next
 * to the stable version, points the traffic router at `targets`, and tears the loser down.
 * Implementations: process/ (the embedded default), static/ (URLs you run yourself), noop/ (tests).
 */

/** How a replica is judged ready: consecutive HTTP answers in 200–399 on `path`. */
export interface ReadinessProbe {
  /** Path probed on every target; default `/healthz`. */
  readonly path: string;
  /** Time between probes while a replica is not ready yet; default 100 ms. */
  readonly intervalMs: number;
  /** How long deploy() and scale() wait for every replica to be ready before giving up; default 30 s. */
  readonly timeoutMs: number;
  /** Consecutive successful probes before a replica counts as ready; default 1. */
  readonly successThreshold: number;
}

/** One version of one service to run. */
export interface DeployRequest {
  readonly service: string;
  /** Identifies the version: the same (service, version) is the same deployment. */
  readonly version: string;
  /** Replica count, an integer ≥ 0 (the static platform runs one "replica" per URL instead). */
  readonly replicas: number;
  /** process: an argv array (run directly) or a string (run by /bin/sh -c). */
  readonly command?: readonly string[] | string;
  /** process: extra environment, over the server's own. The platform sets PORT, RAMP_SERVICE,
   * RAMP_VERSION and RAMP_REPLICA (0-based) itself, over these. */
  readonly env?: Readonly<Record<string, string>>;
  /** process: working directory; default the server's. */
  readonly cwd?: string;
  /** Any field left out takes its default. */
  readonly readiness?: Partial<ReadinessProbe>;
  /** static: the base URLs of the version, which you run yourself. */
  readonly urls?: readonly string[];
}

/** A version as deployed: the URLs the traffic router sends its share to. */
export interface Deployment {
  readonly service: string;
  readonly version: string;
  /** Base URLs, one per replica, e.g. `http://127.0.0.1:41234`. */
  readonly targets: readonly string[];
  /** Every replica passes its readiness probe. */
  readonly ready: boolean;
}

export interface ReplicaExit {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: Date;
}

export interface ReplicaStatus {
  /** 0-based, stable for the replica's life (also `RAMP_REPLICA` for the process platform). */
  readonly replica: number;
  /** The OS process id, for platforms that run processes (and only while one is running). */
  readonly pid?: number;
  readonly url: string;
  readonly ready: boolean;
  /** How many times the platform restarted this replica after it exited on its own. */
  readonly restarts: number;
  readonly lastExit?: ReplicaExit;
}

export interface DeploymentStatus {
  readonly service: string;
  readonly version: string;
  /** Empty when the version is not deployed (never deployed, or torn down). */
  readonly replicas: readonly ReplicaStatus[];
  /** When a delayed teardown is pending: when it will happen. */
  readonly teardownAt?: Date;
}

export interface TeardownOptions {
  /** Tear down after this many milliseconds instead of now; default 0. */
  readonly delayMs?: number;
}

/** How a teardown call ended: it happened, or it was cancelled before its deadline. */
export type TeardownOutcome = "torn-down" | "cancelled";

export interface LogOptions {
  /** The most recent lines to return, over all replicas; default 100. */
  readonly tail?: number;
}

export interface LogLine {
  readonly at: Date;
  readonly replica: number;
  /** `platform` lines are the platform's own notes: started, exited, restarting, stopping. */
  readonly stream: "stdout" | "stderr" | "platform";
  readonly text: string;
}

/**
 * Runs versions of services. Every method is keyed by (service, version) and idempotent where that
 * makes sense, so a level-triggered controller can call it again after a restart. Failures are
 * `PlatformError`s (errors.ts) with a code and a message naming the service and version.
 */
export interface Platform {
  /** The factory type this platform was created as (`process`, `static`, `noop`). */
  readonly type: string;

  /**
   * Starts `replicas` replicas of the version and resolves once every one is ready. Rejects with
   * READINESS_TIMEOUT after `readiness.timeoutMs`, having stopped everything this call started; with
   * INVALID_REQUEST for a request the platform cannot run. Deploying a version that is already there
   * with the same command, env and cwd is not an error: it cancels a pending teardown, scales to
   * `replicas` and waits for readiness (a different command is SPEC_CONFLICT: tear it down first).
   *
   * @example const canary = await platform.deploy({ service: "checkout", version: "v2", replicas: 2,
   *   command: ["node", "server.mjs"], env: { ERROR_RATE: "0" } });
   */
  deploy(request: DeployRequest): Promise<Deployment>;

  /**
   * Sets the replica count of a deployed version: new replicas get new targets and the call resolves
   * when they are ready (READINESS_TIMEOUT otherwise; they keep trying); removed replicas (highest
   * first) are stopped and the call resolves when they are gone. NOT_DEPLOYED for an unknown version;
   * UNSUPPORTED where the platform does not own the replicas (static).
   */
  scale(service: string, version: string, replicas: number): Promise<Deployment>;

  /** What runs now, per replica; `replicas: []` for a version that is not deployed. */
  status(service: string, version: string): Promise<DeploymentStatus>;

  /**
   * Stops every replica of the version and forgets it; resolves when the processes are gone. Tearing
   * down a version that is not deployed resolves too (idempotent).
   *
   * With `delayMs`, the teardown happens after the delay instead (an abort keeps the failed canary
   * around a little for inspection). The platform only holds the delay as an in-memory timer, so the
   * controller makes it survive a restart: it persists the deadline (`teardownAt = now + delay`) with
   * the rollout before calling, and on resuming calls `teardown` again with
   * `delayMs: max(0, teardownAt - now)`. Calling again while one is pending reschedules it to the new
   * deadline (one teardown; every caller's promise settles with it). `cancelTeardown`, a new
   * `deploy` of the version, or a rescheduled deadline keep it from happening at the old time; a
   * cancelled teardown resolves `"cancelled"`. `close()` tears everything down at once.
   */
  teardown(service: string, version: string, options?: TeardownOptions): Promise<TeardownOutcome>;

  /** Cancels a pending delayed teardown; true if one was pending. */
  cancelTeardown(service: string, version: string): boolean;

  /** The last lines the version's replicas wrote, oldest first; `[]` for a version not deployed. */
  logs(service: string, version: string, options?: LogOptions): Promise<LogLine[]>;

  /**
   * Tears down everything this platform runs (pending delayed teardowns happen now) and refuses
   * further deploys (CLOSED). Idempotent.
   */
  close(): Promise<void>;
}
