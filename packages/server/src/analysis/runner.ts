/**
 * The I/O shell around the pure assessment: asks providers for measurements when they fall due,
 * feeds the answers to `recordMeasurement` and `reconcile`, and hands every new state to
 * `onUpdate` (the controller persists it). It keeps nothing else, so a runner built from a
 * persisted run carries on where the last one stopped, without repeating finished measurements.
 */

import type { MetricProviderFactory } from "../plugins/metrics/factory.js";
import type { MeasurementResult } from "../plugins/metrics/provider.js";
import { type CompiledMetric, compileAnalysis, terminateAnalysisRun } from "./analysis-run.js";
import { type MetricTask, nextStep, reconcile } from "./assess.js";
import { recordMeasurement } from "./record.js";
import { ANALYSIS_DEFAULTS, type AnalysisRun, isCompleted } from "./types.js";

/** Time, injected so a ten-minute analysis is tested in milliseconds. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` is aborted (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
      signal.addEventListener("abort", done, { once: true });
    }),
};

export interface AnalysisRunnerOptions {
  /** A new run (createAnalysisRun) or one persisted by an earlier runner. */
  readonly run: AnalysisRun;
  readonly providers: MetricProviderFactory;
  readonly clock?: Clock;
  /**
   * Called with each new state: after every measurement and every phase change, in order. Awaited,
   * so the state is persisted before the runner goes on; a rejection stops the runner.
   */
  readonly onUpdate?: (run: AnalysisRun) => void | Promise<void>;
}

/**
 * Runs one AnalysisRun to completion.
 *
 * @example
 * const runner = new AnalysisRunner({ run, providers, onUpdate: (r) => store.saveRun(r) });
 * const final = await runner.start(); // final.status.phase: Successful | Failed | Inconclusive | Error
 */
export class AnalysisRunner {
  #run: AnalysisRun;
  #published: string;
  #emitting: Promise<void> = Promise.resolve();
  #started = false;
  readonly #providers: MetricProviderFactory;
  readonly #clock: Clock;
  readonly #onUpdate: ((run: AnalysisRun) => void | Promise<void>) | undefined;
  /** Aborted by terminate() or detach(): wakes the loop and abandons provider calls in progress. */
  readonly #stop = new AbortController();
  #detached = false;

  constructor(options: AnalysisRunnerOptions) {
    this.#run = options.run;
    this.#published = JSON.stringify(options.run);
    this.#providers = options.providers;
    this.#clock = options.clock ?? systemClock;
    this.#onUpdate = options.onUpdate;
  }

  /** The latest state. */
  get run(): AnalysisRun {
    return this.#run;
  }

  /** Measures until the run completes; resolves with the final state. Call once per runner. */
  async start(): Promise<AnalysisRun> {
    if (this.#started) throw new Error(`analysis run '${this.#run.name}' is already running`);
    this.#started = true;
    const compiled = compileAnalysis(this.#run.spec);
    if (!compiled.ok) {
      const why = compiled.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
      await this.#set(this.#failed(`Analysis spec invalid: ${why}`));
      return this.#run;
    }
    const analysis = compiled.analysis;
    for (;;) {
      if (this.#detached) return this.#run;
      const now = this.#clock.now();
      await this.#set(reconcile(this.#run, analysis, now));
      if (isCompleted(this.#run.status.phase)) return this.#run;
      const step = nextStep(this.#run, analysis, now);
      if (step.measure.length > 0) {
        await Promise.all(step.measure.map((task) => this.#measure(task)));
        continue;
      }
      const wakeAt = step.wakeAt ?? now + ANALYSIS_DEFAULTS.errorRetryIntervalMs;
      await this.#clock.sleep(Math.max(0, wakeAt - now), this.#stop.signal);
    }
  }

  /**
   * Ends the run (the rollout step ended, the rollout aborted): no new measurements; one waiting
   * for data ends Inconclusive; each metric completes as Argo decides for a terminated run.
   * `start()` then resolves with the final state.
   */
  terminate(): void {
    if (isCompleted(this.#run.status.phase)) return;
    this.#run = terminateAnalysisRun(this.#run);
    this.#stop.abort();
  }

  /**
   * Stops measuring without recording anything: the run stays as last persisted, for another runner
   * (after a restart, or on the replica that takes over) to resume. `start()` resolves.
   */
  detach(): void {
    this.#detached = true;
    this.#stop.abort();
  }

  async #measure(task: MetricTask): Promise<void> {
    const startedAt = this.#clock.now();
    const result = await this.#ask(task.metric, startedAt);
    // A run terminated while a provider was answering discards the answer, as Argo would never
    // have asked. What was measured before stays.
    if (result === undefined || this.#stop.signal.aborted) return;
    await this.#set(recordMeasurement(this.#run, task.metric, result, startedAt, this.#clock.now()));
  }

  /** The provider's answer, never a throw; undefined when the run was terminated meanwhile. */
  async #ask(metric: CompiledMetric, now: number): Promise<MeasurementResult | undefined> {
    let provider: ReturnType<MetricProviderFactory["create"]>;
    try {
      provider = this.#providers.create(metric.spec);
    } catch (e) {
      return { error: messageOf(e) };
    }
    const signal = this.#stop.signal;
    try {
      const answer = await untilAborted(
        provider.measure(metric.spec, { now, signal, runName: this.#run.name }),
        signal,
      );
      return answer === undefined ? undefined : checked(answer, provider.type);
    } catch (e) {
      return { error: `${provider.type}: ${messageOf(e)}` };
    }
  }

  async #set(next: AnalysisRun): Promise<void> {
    if (this.#detached) return;
    this.#run = next;
    const json = JSON.stringify(next);
    if (json === this.#published) return;
    this.#published = json;
    const onUpdate = this.#onUpdate;
    if (onUpdate === undefined) return;
    // Parallel measurements finish in any order; their updates are delivered one at a time.
    const delivery = this.#emitting.then(() => onUpdate(next));
    this.#emitting = delivery.catch(() => undefined);
    await delivery;
  }

  #failed(message: string): AnalysisRun {
    const now = new Date(this.#clock.now()).toISOString();
    return {
      ...this.#run,
      status: {
        ...this.#run.status,
        phase: "Error",
        message,
        completedAt: now,
        startedAt: this.#run.status.startedAt ?? now,
      },
    };
  }
}

/** A provider answer that is not exactly one of value / error / insufficientData becomes an error. */
function checked(answer: MeasurementResult, type: string): MeasurementResult {
  const keys = ["value", "error", "insufficientData"].filter((k) => k in answer);
  if (keys.length === 1) {
    if ("value" in answer && answer.value !== undefined) return answer;
    if ("error" in answer && typeof answer.error === "string") return answer;
    if ("insufficientData" in answer && typeof answer.insufficientData?.reason === "string") return answer;
  }
  return {
    error: `${type}: the provider returned ${JSON.stringify(answer)}, not one of value, error, insufficientData`,
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
