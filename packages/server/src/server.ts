/** Starts Ramp's server: opens the store, bootstraps the default project and its first admin token, listens. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { hashSecret, newTokenId, newTokenSecret } from "./auth/tokens.js";
import { FlagService } from "./flags/flag-service.js";
import { SnapshotCache } from "./flags/snapshots.js";
import { buildApp } from "./http/app.js";
import { ServerMetrics } from "./http/metrics.js";
import { createMetricProviderFactory } from "./plugins/metrics/factory.js";
import type { DeliveryOptions } from "./plugins/notifiers/delivery.js";
import { NotificationDispatcher, type NotifierEntry } from "./plugins/notifiers/dispatcher.js";
import { notifiersFromEnv } from "./plugins/notifiers/env.js";
import { createPlatform } from "./plugins/platforms/factory.js";
import type { Platform } from "./plugins/platforms/platform.js";
import { createTrafficRouter } from "./plugins/traffic/factory.js";
import type { TrafficRouter } from "./plugins/traffic/router.js";
import type { RolloutSpec } from "./rollouts/rollout.js";
import { RolloutController } from "./rollouts/shell/controller.js";
import { openStore } from "./store/index.js";
import type { ProjectRow, Store } from "./store/store.js";

export const DEFAULT_PORT = 4320;
export const DEFAULT_PROJECT = "default";
export const DEFAULT_ENVIRONMENTS = [
  { key: "development", name: "Development" },
  { key: "production", name: "Production" },
] as const;

export interface ServerOptions {
  /** Default 4320; 0 lets the OS choose. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /**
   * Directory for the SQLite file, the process platform's logs and its record of running replicas
   * (default ./.ramp). One per server process: a server reaps the replicas recorded here at start.
   */
  readonly data?: string;
  /** postgres://… or a SQLite file path (default <data>/ramp.db). */
  readonly database?: string;
  /** The first admin token's secret (RAMP_ADMIN_TOKEN); generated when absent. */
  readonly adminToken?: string;
  readonly bodyLimit?: number;
  readonly logger?: boolean;
  /** The dashboard's built files served at / (default: RAMP_UI_DIR, else packages/ui/dist). */
  readonly uiDir?: string;
  /** Run the rollout controller (default true). */
  readonly rollouts?: boolean;
  /** Where the rollout controller reports (default: stderr). */
  readonly log?: (message: string) => void;
  /** Rollout notifications (step completed, paused, aborted, promoted). */
  readonly onRolloutEvent?: (rollout: string, event: string, message: string) => void;
  /** How long the rollout controller's lease lasts (default 15 s); a takeover waits at most this. */
  readonly leaseTtlMs?: number;
  /** The Prometheus server for analysis metrics that name no `address` (default: RAMP_PROMETHEUS_URL). */
  readonly prometheusAddress?: string;
  /**
   * Notifiers for every rollout's notifications, besides each rollout's own spec.notifications.
   * Default: from RAMP_NOTIFY_WEBHOOK_URL and RAMP_NOTIFY_SLACK_URL when set; `[]` for none.
   */
  readonly notifiers?: readonly NotifierEntry[];
  /** Retry delays, per-attempt timeout and queue size of notification delivery (see plugins/notifiers). */
  readonly notificationDelivery?: Omit<DeliveryOptions, "log">;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Set on the first start only, when the server generated the admin token: show it once. */
  readonly initialAdminToken?: string;
  readonly project: ProjectRow;
  readonly store: Store;
  readonly app: FastifyInstance;
  readonly rollouts: RolloutController | undefined;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const data = options.data ?? ".ramp";
  const database = options.database ?? join(data, "ramp.db");
  const prometheusAddress = options.prometheusAddress ?? (process.env.RAMP_PROMETHEUS_URL || undefined);
  // Before the store opens: a bad notifier configuration stops the start with its path.
  const notifications = new NotificationDispatcher({
    ...options.notificationDelivery,
    notifiers: options.notifiers ?? notifiersFromEnv(process.env),
    ...(options.log !== undefined && { log: options.log }),
  });
  const store = await openStore(database);
  try {
    const { project, initialAdminToken } = await bootstrap(store, options.adminToken);
    const snapshots = new SnapshotCache(store);
    const metrics = new ServerMetrics(store, () => project.id);
    const platforms = new Map<string, Platform>();
    const processPlatform = () =>
      createPlatform({
        type: "process",
        logsDir: join(data, "logs"),
        replicasDir: join(data, "process-replicas"),
        ...(options.log !== undefined && { log: options.log }),
      });
    // Replicas recorded by a server killed on this data dir are stopped at start, not when a rollout next needs them.
    if (existsSync(join(data, "process-replicas"))) platforms.set("process", processPlatform());
    const rollouts =
      options.rollouts === false
        ? undefined
        : new RolloutController({
            store,
            projectId: project.id,
            platform: (spec: RolloutSpec) => {
              const type = spec.workload?.platform ?? "static";
              let p = platforms.get(type);
              if (p === undefined) {
                p = type === "process" ? processPlatform() : createPlatform({ type });
                platforms.set(type, p);
              }
              return p;
            },
            router: (spec: RolloutSpec): TrafficRouter =>
              createTrafficRouter(spec.strategy.router, { service: spec.name }),
            metrics: (router) =>
              createMetricProviderFactory({
                ...(router.metrics !== undefined && { versionMetrics: router.metrics }),
                ...(prometheusAddress !== undefined && { prometheusAddress }),
              }),
            ...(options.log !== undefined && { log: options.log }),
            ...(options.onRolloutEvent !== undefined && { onNotify: options.onRolloutEvent }),
            ...(options.leaseTtlMs !== undefined && { leaseTtlMs: options.leaseTtlMs }),
            notifications,
          });
    const app = await buildApp(
      {
        store,
        snapshots,
        flags: new FlagService(store),
        metrics,
        ...(rollouts !== undefined && { rollouts }),
      },
      {
        ...(options.bodyLimit !== undefined && { bodyLimit: options.bodyLimit }),
        ...(options.logger !== undefined && { logger: options.logger }),
        ...(options.uiDir !== undefined && { uiDir: options.uiDir }),
      },
    );
    const host = options.host ?? "127.0.0.1";
    await app.listen({ port: options.port ?? DEFAULT_PORT, host });
    rollouts?.start();
    const address = app.server.address();
    const port =
      typeof address === "object" && address !== null ? address.port : (options.port ?? DEFAULT_PORT);
    const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
    return {
      url: `http://${urlHost}:${port}`,
      port,
      ...(initialAdminToken !== undefined && { initialAdminToken }),
      project,
      store,
      app,
      rollouts,
      async close() {
        await rollouts?.stop();
        await notifications.close();
        await Promise.all([...platforms.values()].map((p) => p.close()));
        await app.close();
        snapshots.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** The default project with its environments and, when it has no token yet, its first admin token. */
async function bootstrap(
  store: Store,
  adminToken: string | undefined,
): Promise<{ project: ProjectRow; initialAdminToken?: string }> {
  let project = await store.getProjectByKey(DEFAULT_PROJECT);
  if (project === undefined) {
    try {
      project = await store.createProject(DEFAULT_PROJECT, "Default project", DEFAULT_ENVIRONMENTS);
    } catch (e) {
      // Another replica created it first.
      project = await store.getProjectByKey(DEFAULT_PROJECT);
      if (project === undefined) throw e;
    }
  }
  const p = project;
  if (adminToken !== undefined) {
    if (adminToken.length < 16) throw new Error("RAMP_ADMIN_TOKEN must be at least 16 characters");
    if ((await store.findTokenByHash(hashSecret(adminToken))) === undefined)
      await insertAdmin(store, p, adminToken, "RAMP_ADMIN_TOKEN");
    return { project: p };
  }
  if ((await store.listTokens(p.id)).some((t) => t.scope === "admin" && t.revokedAt === null))
    return { project: p };
  const secret = newTokenSecret("admin");
  await insertAdmin(store, p, secret, "initial admin");
  return { project: p, initialAdminToken: secret };
}

async function insertAdmin(store: Store, project: ProjectRow, secret: string, name: string): Promise<void> {
  await store.write(project.id, async (tx) => {
    const t = await tx.insertToken({
      id: newTokenId(),
      scope: "admin",
      environment: null,
      name,
      secretHash: hashSecret(secret),
    });
    await tx.appendAudit({
      actor: "system",
      action: "token.create",
      kind: "token",
      key: t.id,
      before: null,
      after: { scope: "admin", name },
    });
  });
}
