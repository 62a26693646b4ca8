/**
 * One rollout's I/O loop: read the persisted status, observe the platform and the analysis runs,
 * call the pure decide(), persist the decision (one transaction, before acting), then reconcile the
 * world with the effects — which are desired state, so doing them twice or after a crash is harmless.
 */
import {
  type AnalysisRun,
  AnalysisRunner,
  type Clock,
  compileAnalysis,
  isCompleted as isRunCompleted,
  systemClock,
} from "../../analysis/index.js";
import type { MetricProviderFactory } from "../../plugins/metrics/factory.js";
import type { NotificationDispatcher } from "../../plugins/notifiers/dispatcher.js";
import type { Platform } from "../../plugins/platforms/platform.js";
import type { TrafficRouter, VersionTargets } from "../../plugins/traffic/router.js";
import type { Store } from "../../store/store.js";
import { compileRollout } from "../compile.js";
import { type DecideResult, decide, type Effect, type Observations } from "../decide.js";
import type { RolloutSpec } from "../rollout.js";
import type { AnalysisPhase, RolloutStatus } from "../status.js";
import { createRun } from "./create-run.js";
import { analysisRunOf, asJson, type CommandAnswer, ROLLOUT, RUN, rolloutBody } from "./documents.js";
import { FlaggerShell } from "./flagger-shell.js";
import { type RolloutTraffic, readTraffic } from "./traffic.js";

export interface RuntimeDeps {
  readonly store: Store;
  readonly projectId: number;
  readonly name: string;
  /** The platform the spec's workload runs on; resolved once per runtime. */
  readonly platform: (spec: RolloutSpec) => Platform;
  /** The rollout's router; created once per runtime from the spec's trafficRouting. */
  readonly router: (spec: RolloutSpec) => TrafficRouter;
  readonly metrics: (router: TrafficRouter) => MetricProviderFactory;
  readonly clock?: Clock;
  readonly log?: (message: string) => void;
  readonly onNotify?: (rollout: string, event: string, message: string) => void;
  /** Delivers the notifications of each persisted decision (server-wide and spec.notifications). */
  readonly notifications?: Pick<NotificationDispatcher, "publish">;
  /** Called after every persisted change of the rollout's document or of its analysis runs' phase. */
  readonly onStatus?: (rollout: string) => void;
}

const ANSWERS_KEPT = 20;
/** Re-observe readiness and deadlines at least this often. */
const TICK_MS = 1_000;
/** Decisions in a row that may follow one another at once (each changed the status). */
const MAX_IMMEDIATE_DECISIONS = 100;

export class RolloutRuntime {
  #chain: Promise<unknown> = Promise.resolve();
  #router: TrafficRouter | undefined;
  #platform: Platform | undefined;
  #metrics: MetricProviderFactory | undefined;
  readonly #runners = new Map<string, AnalysisRunner>();
  readonly #busy = new Set<string>();
  readonly #teardowns = new Map<string, string>();
  #wake: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Decisions in a row that changed the status. */
  #streak = 0;
  readonly #clock: Clock;

  readonly #flagger: FlaggerShell;

  constructor(private readonly deps: RuntimeDeps) {
    this.#clock = deps.clock ?? systemClock;
    this.#flagger = new FlaggerShell({
      loadTarget: (version) => this.#loadTarget(version),
      trigger: () => void this.trigger(),
      log: (m) => this.#log(m),
    });
  }

  start(): void {
    this.#tick = setInterval(() => void this.trigger(), TICK_MS);
    this.#tick.unref?.();
    void this.trigger();
  }

  /** Decides again (serialised with every other decision of this rollout). */
  trigger(): Promise<DecideResult | undefined> {
    const next = this.#chain.then(() => (this.#closed ? undefined : this.#reconcile()));
    this.#chain = next.catch((e: unknown) =>
      this.#log(`reconcile failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    );
    return next;
  }

  /** The router's metrics in Prometheus text, when it has any. */
  prometheus(): string {
    return this.#router?.prometheus?.() ?? "";
  }

  /** Traffic since `sinceMs`; undefined until the router routes, or when it measures nothing. */
  traffic(sinceMs: number): Promise<RolloutTraffic | undefined> {
    return this.#router === undefined ? Promise.resolve(undefined) : readTraffic(this.#router, sinceMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#tick !== undefined) clearInterval(this.#tick);
    if (this.#wake !== undefined) clearTimeout(this.#wake);
    await this.#chain.catch(() => undefined);
    // Stop measuring without recording the runs as terminated: the next leader resumes them.
    for (const r of this.#runners.values()) r.detach();
    this.#runners.clear();
    this.#flagger.close();
    await this.#router?.close();
    this.#router = undefined;
  }

  async #reconcile(): Promise<DecideResult | undefined> {
    const { store, projectId, name } = this.deps;
    const doc = await store.getDocument(projectId, ROLLOUT, name);
    if (doc === undefined) return undefined;
    const body = rolloutBody(doc.body);
    const compiled = compileRollout(body.spec);
    if (!compiled.ok) {
      this.#log(`the stored spec no longer validates: ${compiled.issues[0]?.message ?? "?"}`);
      return undefined;
    }
    const spec = compiled.rollout;
    this.#platform ??= this.deps.platform(spec);
    this.#router ??= this.deps.router(spec);
    this.#metrics ??= this.deps.metrics(this.#router);

    const observations = await this.#observe(spec, body.status);
    const now = new Date(this.#clock.now());
    // Commands queued through the API are decided one per decision, in order.
    const queued = body.commands[0];
    const result = decide(spec, body.status, observations, now, queued?.command);
    const answers: CommandAnswer[] =
      queued === undefined
        ? [...body.answers]
        : [
            ...body.answers,
            {
              id: queued.id,
              at: now.toISOString(),
              ...(result.refused !== undefined && { refused: result.refused }),
            },
          ].slice(-ANSWERS_KEPT);
    const changed = queued !== undefined || JSON.stringify(result.status) !== JSON.stringify(body.status);
    if (changed) {
      // The decision is durable before anything acts on it.
      await store.write(projectId, (tx) =>
        tx.putDocument(
          ROLLOUT,
          name,
          asJson({
            spec: body.spec,
            status: result.status,
            commands: body.commands.slice(queued === undefined ? 0 : 1),
            answers,
          }),
          doc.version,
        ),
      );
      this.deps.onStatus?.(name);
      // Announced only once durable; publish() queues and returns, so no destination slows a decision.
      this.deps.notifications?.publish(spec, body.status, result.status);
    }
    await this.#apply(spec, result.effects);
    // Decide again at once while decisions change something (the contract's loop): what was just
    // applied (a route, a finished step) is what the next decision observes, not a second later. A
    // decision with nothing new to act on changes nothing, so this stops; the bound is a safeguard.
    if (changed && this.#streak < MAX_IMMEDIATE_DECISIONS) {
      this.#streak++;
      void this.trigger();
    } else {
      if (changed)
        this.#log(`${MAX_IMMEDIATE_DECISIONS} decisions in a row changed the status; deciding on the tick`);
      this.#streak = 0;
    }
    return result;
  }

  async #observe(spec: RolloutSpec, status: RolloutStatus): Promise<Observations> {
    const analysis: Record<string, AnalysisPhase> = {};
    for (const run of status.analysisRuns) {
      const doc = await this.deps.store.getDocument(this.deps.projectId, RUN, run.id);
      if (doc !== undefined) analysis[run.id] = analysisRunOf(doc.body).status.phase as AnalysisPhase;
    }
    const canaryReady =
      status.canaryVersion === null || status.canaryReplicas === 0
        ? true
        : await this.#ready(spec, status.canaryVersion, status.canaryReplicas);
    const stableReady =
      status.stableVersion === null ? false : await this.#ready(spec, status.stableVersion, spec.replicas);
    // What the data plane routes now: a step's weight counts only once it carries traffic.
    const routed = this.#router?.current();
    const routedWeight =
      routed === undefined || routed.canary === null || routed.canary.version !== status.canaryVersion
        ? 0
        : routed.weight;
    return { canaryReady, stableReady, analysis, routedWeight, webhooks: this.#flagger.outcomes() };
  }

  async #ready(spec: RolloutSpec, version: string, replicas: number): Promise<boolean> {
    if (this.#busy.has(version)) return false;
    const platform = this.#plat();
    const s = await platform.status(spec.name, version).catch(() => undefined);
    if (s === undefined || s.replicas.length === 0 || !s.replicas.every((r) => r.ready)) return false;
    // A static platform runs what its URLs are, whatever the replica count says.
    return platform.type === "static" || s.replicas.length === replicas;
  }

  async #targets(spec: RolloutSpec, version: string): Promise<VersionTargets> {
    const s = await this.#plat()
      .status(spec.name, version)
      .catch(() => undefined);
    return { version, targets: (s?.replicas ?? []).filter((r) => r.ready).map((r) => r.url) };
  }

  async #apply(spec: RolloutSpec, effects: readonly Effect[]): Promise<void> {
    const wanted = new Set<string>();
    for (const e of effects) {
      switch (e.kind) {
        case "deploy":
          this.#deploy(spec, e.version, e.replicas, e.role);
          break;
        case "route": {
          const router = this.#router;
          if (router === undefined) break;
          const stable = await this.#targets(spec, e.stableVersion);
          // Only ready replicas take traffic: with none in stable there is nothing to route yet (a
          // later decision routes), and a canary without one is left out rather than sent nowhere.
          if (stable.targets.length === 0) break;
          const canaryTargets = e.canaryVersion === null ? null : await this.#targets(spec, e.canaryVersion);
          const canary = canaryTargets === null || canaryTargets.targets.length === 0 ? null : canaryTargets;
          await router.apply({
            stable,
            canary,
            weight: canary === null ? 0 : e.weight,
            headerRoutes: canary === null ? [] : e.headerRoutes,
            mirrorRoutes: canary === null ? [] : e.mirrorRoutes,
          });
          break;
        }
        case "startAnalysis":
          wanted.add(e.runId);
          await this.#ensureRun(e);
          break;
        case "terminateAnalysis":
          this.#runners.get(e.runId)?.terminate();
          break;
        case "teardown":
          this.#teardown(spec, e.version, e.at);
          break;
        case "notify":
          this.deps.onNotify?.(spec.name, e.event, e.message);
          this.#log(`${e.event}: ${e.message}`);
          break;
        case "wakeAt":
          this.#wakeAt(e.at);
          break;
        case "callWebhook":
        case "loadTest":
          break;
      }
    }
    await this.#flagger.apply(effects);
    for (const [id, runner] of this.#runners) if (!wanted.has(id)) runner.terminate();
  }

  #deploy(spec: RolloutSpec, version: string, replicas: number, role: "stable" | "canary"): void {
    if (this.#busy.has(version)) return;
    const platform = this.#plat();
    if (replicas > 0) {
      platform.cancelTeardown(spec.name, version);
      this.#teardowns.delete(version);
    }
    const work = async () => {
      const s = await platform.status(spec.name, version).catch(() => undefined);
      const running = s?.replicas.length ?? 0;
      if (running === replicas) return false;
      if (running === 0) {
        if (replicas === 0) return false;
        await platform.deploy(deployRequest(spec, version, replicas, role));
      } else await platform.scale(spec.name, version, replicas);
      return true;
    };
    this.#busy.add(version);
    void work()
      .then((did) => {
        this.#busy.delete(version);
        if (did) void this.trigger();
      })
      .catch((e: unknown) => {
        this.#busy.delete(version);
        this.#log(`deploying ${version} failed: ${e instanceof Error ? e.message : String(e)}`);
      });
  }

  #teardown(spec: RolloutSpec, version: string, at: string): void {
    if (this.#teardowns.get(version) === at) return;
    this.#teardowns.set(version, at);
    const delayMs = Math.max(0, Date.parse(at) - this.#clock.now());
    void this.#plat()
      .teardown(spec.name, version, { delayMs })
      .catch((e: unknown) =>
        this.#log(`teardown of ${version} failed: ${e instanceof Error ? e.message : String(e)}`),
      );
  }

  #wakeAt(at: string): void {
    const delay = Math.max(0, Date.parse(at) - this.#clock.now());
    if (this.#wake !== undefined) clearTimeout(this.#wake);
    this.#wake = setTimeout(() => void this.trigger(), Math.min(delay + 5, 2 ** 31 - 1));
    this.#wake.unref?.();
  }

  async #ensureRun(e: Extract<Effect, { kind: "startAnalysis" }>): Promise<void> {
    if (this.#runners.has(e.runId)) return;
    const { store, projectId } = this.deps;
    const doc = await store.getDocument(projectId, RUN, e.runId);
    let run: AnalysisRun;
    if (doc !== undefined) {
      run = analysisRunOf(doc.body);
      if (isRunCompleted(run.status.phase)) return;
      if (!compileAnalysis(run.spec).ok) return;
    } else {
      const created = await createRun(store, projectId, e);
      if (created === undefined) {
        void this.trigger();
        return;
      }
      run = created;
    }
    const providers = this.#metrics;
    if (providers === undefined) return;
    let lastPhase = run.status.phase;
    const runner = new AnalysisRunner({
      run,
      providers,
      clock: this.#clock,
      onUpdate: async (next) => {
        await store.write(projectId, (tx) => tx.putDocument(RUN, e.runId, asJson(next)));
        if (next.status.phase !== lastPhase) {
          lastPhase = next.status.phase;
          this.deps.onStatus?.(this.deps.name);
          void this.trigger();
        }
      },
    });
    this.#runners.set(e.runId, runner);
    void runner
      .start()
      .catch((err: unknown) =>
        this.#log(`analysis ${e.runId} stopped: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        if (this.#runners.get(e.runId) === runner) this.#runners.delete(e.runId);
        void this.trigger();
      });
  }

  /** A load test's default target: the router's entry point (the header routes it), else a canary replica. */
  async #loadTarget(version: string): Promise<string | undefined> {
    const url = this.#router?.url;
    if (url !== undefined) return url;
    const s = await this.#platform?.status(this.deps.name, version).catch(() => undefined);
    return s?.replicas.find((r) => r.ready)?.url;
  }

  #plat(): Platform {
    if (this.#platform === undefined) throw new Error("the platform is resolved by the first reconcile");
    return this.#platform;
  }

  #log(message: string): void {
    (this.deps.log ?? ((m: string) => console.error(m)))(`rollout ${this.deps.name}: ${message}`);
  }
}

function deployRequest(spec: RolloutSpec, version: string, replicas: number, role: "stable" | "canary") {
  const w = spec.workload;
  const perVersion = w?.versions[version];
  const urls =
    perVersion !== undefined && perVersion.urls.length > 0 ? perVersion.urls : (w?.urls?.[role] ?? []);
  if (w?.platform === "static")
    return { service: spec.name, version, replicas, readiness: w.readiness, urls };
  return {
    service: spec.name,
    version,
    replicas,
    ...(w?.command !== null && w?.command !== undefined && { command: w.command }),
    env: { ...(w?.env ?? {}), ...(perVersion?.env ?? {}), VERSION: version },
    ...(w?.cwd !== null && w?.cwd !== undefined && { cwd: w.cwd }),
    readiness: w?.readiness ?? {},
    ...(urls.length > 0 && { urls }),
  };
}
