/**
 * The dashboard's live feed, `GET /api/v1/events` (admin or read tokens): one SSE stream per open
 * dashboard carrying `flag`, `segment`, `rollout`, `audit` and `evaluations` events, so the UI
 * re-reads only what changed. Flag and segment changes come from the store's notifications (every
 * replica's writes, through PostgreSQL's LISTEN); audit entries are tailed by seq on each
 * notification and every few seconds (tokens and rollouts are audited without a change
 * notification); rollout status changes come from this replica's controller when it runs the
 * rollouts, and otherwise from re-reading the rollouts at the same pace as the audit log.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from "fastify";
import type { ChangeNotice } from "../../flags/snapshots.js";
import type { RolloutStatusChange } from "../../rollouts/shell/controller.js";
import type { RolloutBody } from "../../rollouts/shell/documents.js";
import { authOf, type ServerDeps } from "../context.js";
import { Heartbeat, SseConnection } from "../streams.js";
import { rolloutSummary } from "./rollouts.js";

export const EVENTS_PATH = "/api/v1/events";
/** How often the audit log is read for entries written without a change notification. */
const AUDIT_POLL_MS = 2_000;
/** The `evaluations` event: at most this often per flag. */
const EVALUATIONS_MS = 10_000;
const AUDIT_BATCH = 500;

/** One frame; the stream has no ids (a reconnecting dashboard re-reads what it shows). */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

interface ProjectStreams {
  readonly conns: Set<SseConnection>;
  /** The last audit seq sent; undefined until read at the first connection. */
  auditSeq: number | undefined;
  /** Rollout summaries last seen by polling (JSON), while another replica runs the rollouts. */
  rollouts: Map<string, string> | undefined;
}

export interface EventHubOptions {
  readonly heartbeatMs: number;
  readonly auditPollMs?: number;
  readonly evaluationsMs?: number;
}

export class DashboardEventHub {
  readonly #projects = new Map<number, ProjectStreams>();
  readonly #heartbeat: Heartbeat;
  readonly #unsubscribe: (() => void)[] = [];
  #timers: NodeJS.Timeout[] = [];
  #count = 0;
  /** Store reads happen one at a time, so events go out in the order their causes arrived. */
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ServerDeps,
    private readonly log: FastifyBaseLogger,
    private readonly options: EventHubOptions,
  ) {
    this.#heartbeat = new Heartbeat(options.heartbeatMs, () => this.#connections());
    this.#unsubscribe.push(deps.snapshots.onChange((n) => this.#onNotice(n)));
    if (deps.rollouts !== undefined)
      this.#unsubscribe.push(deps.rollouts.onStatus((c) => this.#onRollout(c)));
  }

  route(app: FastifyInstance): void {
    app.get(
      EVENTS_PATH,
      {
        config: { scopes: ["admin", "read"] },
        exposeHeadRoute: false,
        schema: {
          summary:
            "Dashboard events (text/event-stream): flag, segment, rollout, audit, evaluations; `: ping` heartbeats",
          response: {
            200: {
              description:
                "text/event-stream. `event: flag` {key, version}; `event: segment` {key, version|null}; " +
                "`event: rollout` {name, summary}; `event: audit` {seq, kind, key, action, actor, at}; " +
                "`event: evaluations` {flag, environment}; `event: resync` {} (re-read everything)",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
          },
        },
      },
      async (request, reply) => {
        await this.#open(reply, authOf(request).project.id);
      },
    );
  }

  close(): void {
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe.length = 0;
    this.#stopTimers();
    this.#heartbeat.stop();
    for (const c of [...this.#connections()]) c.close();
  }

  async #open(reply: FastifyReply, projectId: number): Promise<void> {
    let p = this.#projects.get(projectId);
    if (p === undefined) {
      p = { conns: new Set(), auditSeq: undefined, rollouts: undefined };
      this.#projects.set(projectId, p);
    }
    const project = p;
    if (project.auditSeq === undefined) {
      const last = await this.deps.store.listAudit(projectId, { order: "desc", limit: 1 });
      project.auditSeq ??= last[0]?.seq ?? 0;
    }
    const conn = SseConnection.open(reply, () => {
      if (!project.conns.delete(conn)) return;
      if (project.conns.size === 0) this.#projects.delete(projectId);
      this.#count--;
      this.deps.metrics.streamConnections.dec({ kind: "dashboard" });
      this.#update();
    });
    // Frames dropped while the client was slow: it re-reads everything rather than trusting a gap.
    conn.onResync = () => conn.send(frame("resync", {}));
    project.conns.add(conn);
    this.#count++;
    this.deps.metrics.streamConnections.inc({ kind: "dashboard" });
    this.#update();
  }

  /** Timers run only while someone listens. */
  #update(): void {
    this.#heartbeat.update(this.#count);
    if (this.#count > 0 && this.#timers.length === 0) {
      const audit = setInterval(() => this.#tailAll(), this.options.auditPollMs ?? AUDIT_POLL_MS);
      const evaluations = setInterval(
        () => this.#evaluations(),
        this.options.evaluationsMs ?? EVALUATIONS_MS,
      );
      audit.unref();
      evaluations.unref();
      this.#timers = [audit, evaluations];
    } else if (this.#count === 0) this.#stopTimers();
  }

  #stopTimers(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  *#connections(): Iterable<SseConnection> {
    for (const p of this.#projects.values()) yield* p.conns;
  }

  #send(projectId: number, event: string, data: unknown): void {
    const p = this.#projects.get(projectId);
    if (p === undefined) return;
    const f = frame(event, data);
    for (const c of p.conns) c.send(f);
  }

  #enqueue(work: () => Promise<void>): void {
    this.#chain = this.#chain.then(work).catch((err: unknown) => {
      this.log.error({ err }, "dashboard events: reading the store failed");
    });
  }

  #onNotice(notice: ChangeNotice): void {
    const { projectId } = notice;
    if (!this.#projects.has(projectId)) return;
    this.#enqueue(async () => {
      if (notice.resync) this.#send(projectId, "resync", {});
      const seen = new Set<string>();
      for (const c of notice.changes) {
        const k = `${c.kind}\u0000${c.key}`;
        if (seen.has(k)) continue;
        seen.add(k);
        if (c.kind === "flag") {
          const row = await this.deps.store.getFlag(projectId, c.key);
          this.#send(projectId, "flag", { key: c.key, version: row?.version ?? null });
        } else if (c.kind === "segment") {
          const row = await this.deps.store.getSegment(projectId, c.key);
          this.#send(projectId, "segment", { key: c.key, version: row?.version ?? null });
        }
      }
      await this.#tail(projectId);
    });
  }

  #onRollout(change: RolloutStatusChange): void {
    const summary = rolloutSummary(change.name, change.body);
    this.#projects.get(change.projectId)?.rollouts?.set(change.name, JSON.stringify(summary));
    this.#send(change.projectId, "rollout", { name: change.name, summary });
    // Commands and applies are audited without a change notification.
    if (this.#projects.has(change.projectId)) this.#enqueue(() => this.#tail(change.projectId));
  }

  #tailAll(): void {
    for (const projectId of this.#projects.keys())
      this.#enqueue(async () => {
        await this.#tail(projectId);
        await this.#pollRollouts(projectId);
      });
  }

  /**
   * Another replica runs the rollouts (its decisions raise no notification here): compare the stored
   * summaries with the last ones seen. The first read only learns them.
   */
  async #pollRollouts(projectId: number): Promise<void> {
    const controller = this.deps.rollouts;
    const p = this.#projects.get(projectId);
    if (controller === undefined || p === undefined || controller.projectId !== projectId) return;
    if (controller.leader) {
      p.rollouts = undefined;
      return;
    }
    const first = p.rollouts === undefined;
    const seen = p.rollouts ?? new Map<string, string>();
    p.rollouts = seen;
    const all: { name: string; body: RolloutBody }[] = await controller.list();
    for (const { name, body } of all) {
      const summary = rolloutSummary(name, body);
      const json = JSON.stringify(summary);
      if (seen.get(name) === json) continue;
      seen.set(name, json);
      if (!first) this.#send(projectId, "rollout", { name, summary });
    }
  }

  async #tail(projectId: number): Promise<void> {
    for (;;) {
      const p = this.#projects.get(projectId);
      if (p?.auditSeq === undefined) return;
      const rows = await this.deps.store.listAudit(projectId, { after: p.auditSeq, limit: AUDIT_BATCH });
      for (const e of rows) {
        this.#send(projectId, "audit", {
          seq: e.seq,
          kind: e.kind,
          key: e.key,
          action: e.action,
          actor: e.actor,
          at: e.at,
        });
        p.auditSeq = e.seq;
      }
      if (rows.length < AUDIT_BATCH) return;
    }
  }

  /** Counters are per replica and not per project: every open dashboard hears of every flag counted. */
  #evaluations(): void {
    const changed = this.deps.metrics.evaluationSeries.takeChanged();
    if (changed.length === 0) return;
    for (const projectId of this.#projects.keys())
      for (const c of changed) this.#send(projectId, "evaluations", c);
  }
}

/** Registers the route and closes every stream with the app. */
export function eventRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  heartbeatMs: number,
  options: Omit<EventHubOptions, "heartbeatMs"> = {},
): DashboardEventHub {
  const hub = new DashboardEventHub(deps, app.log, { heartbeatMs, ...options });
  app.addHook("onClose", async () => hub.close());
  hub.route(app);
  return hub;
}
