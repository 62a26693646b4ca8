/**
 * The rollout controller of one project: exactly one replica runs it at a time (a store lease),
 * with one RolloutRuntime per rollout. The API side (apply, commands) works on any replica: it
 * writes documents, and commands wait in the rollout's queue for the active controller's decision.
 */
import { randomUUID } from "node:crypto";
import type { Issue } from "@ramp/engine";
import { type AnalysisRun, type Clock, systemClock } from "../../analysis/index.js";
import type { MetricProviderFactory } from "../../plugins/metrics/factory.js";
import type { NotificationDispatcher } from "../../plugins/notifiers/dispatcher.js";
import type { Platform } from "../../plugins/platforms/platform.js";
import type { TrafficRouter } from "../../plugins/traffic/router.js";
import type { Json, Store } from "../../store/store.js";
import type { RolloutCommand } from "../commands.js";
import type { RolloutSpec } from "../rollout.js";
import { revisionOfRun } from "../run-ids.js";
import { initialStatus } from "../status.js";
import { missingTemplates, parseApplyDocuments } from "./apply-documents.js";
import {
  analysisRunOf,
  asJson,
  type CommandAnswer,
  ROLLOUT,
  type RolloutBody,
  RUN,
  rolloutBody,
  TEMPLATE,
} from "./documents.js";
import { RolloutRuntime } from "./runtime.js";
import type { RolloutTraffic } from "./traffic.js";

export interface ControllerDeps {
  readonly store: Store;
  readonly projectId: number;
  /** The platform for each workload type the specs ask for. */
  readonly platform: (spec: RolloutSpec) => Platform;
  readonly router: (spec: RolloutSpec) => TrafficRouter;
  readonly metrics: (router: TrafficRouter) => MetricProviderFactory;
  readonly clock?: Clock;
  /** Identifies this replica in the lease (default: a random id). */
  readonly holder?: string;
  readonly leaseTtlMs?: number;
  readonly log?: (message: string) => void;
  readonly onNotify?: (rollout: string, event: string, message: string) => void;
  /** Delivers rollout notifications to the configured notifiers (see plugins/notifiers). */
  readonly notifications?: Pick<NotificationDispatcher, "publish">;
}

export class ApplyError extends Error {
  constructor(readonly issues: readonly Issue[]) {
    super(`${issues.length} problem(s): ${issues[0]?.path ?? ""}: ${issues[0]?.message ?? ""}`);
  }
}

export class RolloutController {
  readonly holder: string;
  readonly #runtimes = new Map<string, RolloutRuntime>();
  #leader = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  #electing: Promise<void> = Promise.resolve();
  readonly #ttl: number;
  readonly #lease: string;
  readonly #statusListeners = new Set<(change: RolloutStatusChange) => void>();

  constructor(private readonly deps: ControllerDeps) {
    this.holder = deps.holder ?? randomUUID();
    this.#ttl = deps.leaseTtlMs ?? 15_000;
    this.#lease = `rollouts:${deps.projectId}`;
  }

  /** The project whose rollouts this controller runs. */
  get projectId(): number {
    return this.deps.projectId;
  }

  /** Whether this replica runs the rollouts now. */
  get leader(): boolean {
    return this.#leader;
  }

  start(): void {
    const round = () => {
      this.#electing = this.#electing
        .then(() => this.#elect())
        .catch((e: unknown) => this.#log(`lease: ${String(e)}`));
    };
    round();
    this.#timer = setInterval(round, Math.max(200, Math.floor(this.#ttl / 3)));
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#electing;
    await this.#demote();
    await this.deps.store.releaseLease(this.#lease, this.holder).catch(() => undefined);
  }

  async #elect(): Promise<void> {
    if (this.#stopped) return;
    const mine = await this.deps.store.acquireLease(this.#lease, this.holder, this.#ttl);
    if (mine) {
      if (!this.#leader) {
        this.#leader = true;
        this.#log(`this replica (${this.holder}) now runs the rollouts`);
      }
      // Every round, not only when elected: a rollout created through another replica's API has no
      // runtime here until this replica looks.
      for (const d of await this.deps.store.listDocuments(this.deps.projectId, ROLLOUT))
        this.#runtime(d.name);
    } else if (this.#leader) {
      this.#log("lost the rollout lease: another replica runs the rollouts");
      await this.#demote();
    }
  }

  async #demote(): Promise<void> {
    this.#leader = false;
    const all = [...this.#runtimes.values()];
    this.#runtimes.clear();
    await Promise.all(all.map((r) => r.close()));
  }

  #runtime(name: string): RolloutRuntime | undefined {
    if (!this.#leader) return undefined;
    let r = this.#runtimes.get(name);
    if (r === undefined) {
      const d = this.deps;
      r = new RolloutRuntime({
        store: d.store,
        projectId: d.projectId,
        name,
        platform: d.platform,
        router: d.router,
        metrics: d.metrics,
        ...(d.clock !== undefined && { clock: d.clock }),
        ...(d.log !== undefined && { log: d.log }),
        ...(d.onNotify !== undefined && { onNotify: d.onNotify }),
        ...(d.notifications !== undefined && { notifications: d.notifications }),
        onStatus: (n) => this.#publishStatus(n),
      });
      this.#runtimes.set(name, r);
      r.start();
    }
    return r;
  }

  /**
   * Stores Rollout and AnalysisTemplate documents (already parsed), validated as a whole first:
   * nothing is written when any document is invalid or names a template that does not exist.
   */
  async apply(
    documents: readonly unknown[],
    actor: string,
  ): Promise<{
    rollouts: { name: string; action: "create" | "update" | "unchanged" }[];
    templates: { name: string; action: string }[];
  }> {
    const parsed = parseApplyDocuments(documents);
    const { rollouts, templates } = parsed;
    const stored = (await this.deps.store.listDocuments(this.deps.projectId, TEMPLATE)).map((d) => d.name);
    const issues = [...parsed.issues, ...missingTemplates(parsed, stored)];
    if (issues.length > 0) throw new ApplyError(issues);
    const { store, projectId } = this.deps;
    const result = await store.write(projectId, async (tx) => {
      const t: { name: string; action: string }[] = [];
      for (const tpl of templates) {
        const before = await tx.getDocument(TEMPLATE, tpl.name);
        const same = before !== undefined && JSON.stringify(before.body) === JSON.stringify(tpl.doc);
        if (!same) {
          await tx.putDocument(TEMPLATE, tpl.name, tpl.doc);
          await tx.appendAudit({
            actor,
            action: "template.put",
            kind: "document",
            key: `analysis-template/${tpl.name}`,
            before: before?.body ?? null,
            after: tpl.doc,
          });
        }
        t.push({ name: tpl.name, action: before === undefined ? "create" : same ? "unchanged" : "update" });
      }
      const r: { name: string; action: "create" | "update" | "unchanged" }[] = [];
      for (const ro of rollouts) {
        const before = await tx.getDocument(ROLLOUT, ro.name);
        const body = before === undefined ? undefined : rolloutBody(before.body);
        if (body !== undefined && JSON.stringify(body.spec) === JSON.stringify(ro.spec)) {
          r.push({ name: ro.name, action: "unchanged" });
          continue;
        }
        const next: RolloutBody =
          body === undefined
            ? { spec: ro.spec, status: initialStatus(), commands: [], answers: [] }
            : { ...body, spec: ro.spec };
        await tx.putDocument(ROLLOUT, ro.name, asJson(next), before?.version ?? 0);
        await tx.appendAudit({
          actor,
          action: "rollout.apply",
          kind: "rollout",
          key: ro.name,
          before: body?.spec ?? null,
          after: ro.spec,
        });
        r.push({ name: ro.name, action: before === undefined ? "create" : "update" });
      }
      return { rollouts: r, templates: t };
    });
    for (const r of result.rollouts)
      if (r.action !== "unchanged") {
        this.#publishStatus(r.name);
        void this.#runtime(r.name)?.trigger();
      }
    return result;
  }

  /**
   * Listens to status changes this replica persists (decisions, analysis run phases, applies): the
   * dashboard's live view. A replica that does not run the rollouts only sees its own applies.
   */
  onStatus(listener: (change: RolloutStatusChange) => void): () => void {
    const entry = (c: RolloutStatusChange) => listener(c);
    this.#statusListeners.add(entry);
    return () => {
      this.#statusListeners.delete(entry);
    };
  }

  #publishStatus(name: string): void {
    if (this.#statusListeners.size === 0) return;
    this.get(name).then(
      (body) => {
        if (body === undefined) return;
        for (const l of [...this.#statusListeners]) {
          try {
            l({ projectId: this.deps.projectId, name, body });
          } catch (e) {
            this.#log(`status listener failed: ${String(e)}`);
          }
        }
      },
      (e: unknown) => this.#log(`reading ${name} for its status listeners: ${String(e)}`),
    );
  }

  /**
   * Queues a user command for the rollout and waits (up to `timeoutMs`) for the active controller
   * to decide it: resolves with the answer (refused or not), or undefined if no decision came in time.
   */
  async command(
    name: string,
    command: RolloutCommand,
    actor: string,
    timeoutMs = 10_000,
  ): Promise<CommandAnswer | undefined> {
    const { store, projectId } = this.deps;
    const id = randomUUID();
    const at = new Date((this.deps.clock ?? systemClock).now()).toISOString();
    await store.write(projectId, async (tx) => {
      const doc = await tx.getDocument(ROLLOUT, name);
      if (doc === undefined) throw new RolloutNotFoundError(name);
      const body = rolloutBody(doc.body);
      await tx.putDocument(
        ROLLOUT,
        name,
        asJson({ ...body, commands: [...body.commands, { id, command: { ...command, by: actor }, at }] }),
        doc.version,
      );
      await tx.appendAudit({
        actor,
        action: `rollout.${command.kind}`,
        kind: "rollout",
        key: name,
        before: null,
        after: command as unknown as Json,
      });
    });
    void this.#runtime(name)?.trigger();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const doc = await store.getDocument(projectId, ROLLOUT, name);
      const answer = doc === undefined ? undefined : rolloutBody(doc.body).answers.find((a) => a.id === id);
      if (answer !== undefined) return answer;
      await new Promise((r) => setTimeout(r, 25));
    }
    return undefined;
  }

  async get(name: string): Promise<RolloutBody | undefined> {
    const doc = await this.deps.store.getDocument(this.deps.projectId, ROLLOUT, name);
    return doc === undefined ? undefined : rolloutBody(doc.body);
  }

  async list(): Promise<{ name: string; body: RolloutBody }[]> {
    return (await this.deps.store.listDocuments(this.deps.projectId, ROLLOUT)).map((d) => ({
      name: d.name,
      body: rolloutBody(d.body),
    }));
  }

  /** Every running rollout's data-plane metrics (Prometheus text), for the server's /metrics. */
  prometheus(): string[] {
    return [...this.#runtimes.values()].map((r) => r.prometheus()).filter((t) => t !== "");
  }

  /**
   * The rollout's live traffic per version since `sinceMs`, as its router measures it. Undefined
   * when this replica does not run the rollout (only the one that does holds its router).
   */
  async traffic(name: string, sinceMs: number): Promise<RolloutTraffic | undefined> {
    if ((await this.get(name)) === undefined) throw new RolloutNotFoundError(name);
    return this.#runtimes.get(name)?.traffic(sinceMs);
  }

  /** The rollouts this replica runs now (their routers are here): what the dashboard samples traffic of. */
  running(): string[] {
    return [...this.#runtimes.keys()];
  }

  /** Every analysis run the rollout made (only those of `revision` when given), finished ones too, oldest first. */
  async analysisRuns(name: string, revision?: number): Promise<(AnalysisRun & { revision: number })[]> {
    if ((await this.get(name)) === undefined) throw new RolloutNotFoundError(name);
    const runs: (AnalysisRun & { revision: number })[] = [];
    for (const d of await this.deps.store.listDocuments(this.deps.projectId, RUN)) {
      const r = revisionOfRun(name, d.name);
      if (r !== undefined && (revision === undefined || r === revision))
        runs.push({ ...analysisRunOf(d.body), revision: r });
    }
    const started = (run: AnalysisRun) => run.status.startedAt ?? "";
    return runs.sort((a, b) => a.revision - b.revision || started(a).localeCompare(started(b)));
  }

  /** Decides now (tests and the demo use it to avoid waiting for the next tick). */
  async reconcile(name: string): Promise<void> {
    await this.#runtime(name)?.trigger();
  }

  #log(message: string): void {
    (this.deps.log ?? ((m: string) => console.error(m)))(`rollouts: ${message}`);
  }
}

/** A rollout's document after a persisted change. */
export interface RolloutStatusChange {
  readonly projectId: number;
  readonly name: string;
  readonly body: RolloutBody;
}

export class RolloutNotFoundError extends Error {
  constructor(readonly rollout: string) {
    super(`no rollout '${rollout}'`);
  }
}
