/**
 * The demo's story (DESIGN.md §7): a stable v1 behind the built-in proxy with users on it; a healthy
 * v2 rolled out step by step and promoted by its analyses; then a v3 that fails 5% of its requests,
 * aborted by the first analysis, all traffic back on v2. It drives the server only through its API.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RolloutAnalysisRun, RolloutSummary, TrafficReport } from "../remote/api-types.js";
import { type ApiClient, HttpError } from "../remote/client.js";
import { formatMeasurement, type RolloutSnapshot, stepsOf } from "../rollouts/view.js";
import { readSnapshot } from "../rollouts/watch.js";
import type { StoryDisplay } from "./display.js";
import { rolloutName, stickyHeader } from "./documents.js";
import { TrafficGenerator } from "./traffic.js";

/** The versions of examples/demo/rollout.yaml and what each is for. */
export const VERSIONS = { first: "v1", good: "v2", bad: "v3" } as const;

export interface StoryOptions {
  readonly client: ApiClient;
  /** The demo's Rollout and AnalysisTemplates (documents.ts). */
  readonly documents: readonly unknown[];
  readonly display: StoryDisplay;
  /** Aborts the story (Ctrl-C, the time limit): it stops its traffic and rejects. */
  readonly signal: AbortSignal;
  readonly fast: boolean;
  /** Demo users' requests per second (default 60, 100 with `fast`). */
  readonly ratePerSecond?: number;
  readonly users?: number;
}

export interface StoryResult {
  /** The good version became stable. */
  readonly promoted: boolean;
  /** The bad version was aborted by analysis, and the good one serves all traffic again. */
  readonly aborted: boolean;
  /** What happened, in a few lines. */
  readonly summary: readonly string[];
}

export class StoryFailure extends Error {}

const POLL_MS = 500;
/** Starting the first version's replicas and the proxy takes a second or two; a minute means it cannot. */
const FIRST_DEPLOY_MS = 60_000;

export async function runStory(o: StoryOptions): Promise<StoryResult> {
  return new Story(o).run();
}

class Story {
  readonly #name: string;
  #generator: TrafficGenerator | undefined;

  constructor(private readonly o: StoryOptions) {
    const name = rolloutName(o.documents);
    if (name === undefined) throw new StoryFailure("the demo's documents hold no Rollout");
    this.#name = name;
  }

  async run(): Promise<StoryResult> {
    try {
      return await this.#story();
    } finally {
      await this.#generator?.stop();
    }
  }

  async #story(): Promise<StoryResult> {
    const { display, client, fast } = this.o;
    const { first, good, bad } = VERSIONS;
    display.note(`Applying the demo's Rollout '${this.#name}' and its AnalysisTemplates (examples/demo)`);
    await client.json("POST", "/api/v1/rollouts", { json: this.o.documents });
    // Settled: past the first deploy's Progressing (a canary left by a last run counts as settled).
    let s = await this.#until(
      `${first} to be deployed`,
      (x) =>
        x.rollout.stableVersion !== null &&
        (x.rollout.phase !== "Progressing" || x.rollout.canaryVersion !== null),
      FIRST_DEPLOY_MS,
    );
    if (!atFirst(s)) {
      display.note(`Starting over: ${first} back as the stable version (the rollout remembers the last run)`);
      s = await this.#reset();
    }
    s = await this.#until(
      `${first} to serve all traffic through the proxy`,
      (x) => atFirst(x) && x.traffic?.proxy != null,
      FIRST_DEPLOY_MS,
    );
    const proxy = s.traffic?.proxy ?? "";
    const rate = this.o.ratePerSecond ?? (fast ? 100 : 60);
    const users = this.o.users ?? 300;
    const header = stickyHeader(this.o.documents) ?? "x-user-id";
    this.#generator = new TrafficGenerator({ url: proxy, ratePerSecond: rate, users, header });
    this.#generator.start();
    display.note(`${users} demo users send ${rate} req/s to ${proxy} (each stays on one version: ${header})`);
    await this.#watch(fast ? 2_000 : 4_000);

    const steps = (stepsOf(s.rollout.spec) ?? []).map((d) => d.replace(/ \(.*\)$/, "")).join(" → ");
    display.note(`${good}, a healthy version: ${steps} → promoted`);
    await this.#act("set-version", { version: good });
    s = await this.#until(`${good} to be promoted`, (x) => isStable(x, good) || isAborted(x, good));
    if (isAborted(s, good)) return this.#result(false, false, s, undefined);
    const passed = (await this.#runs(s.rollout.revision)).filter(
      (r) => r.status.phase === "Successful",
    ).length;
    display.note(`${good} is stable: it serves all traffic`);
    await this.#watch(fast ? 2_000 : 4_000);

    display.note(`${bad}: 5% of its requests fail — its analysis should stop it`);
    await this.#act("set-version", { version: bad });
    s = await this.#until(`${bad} to be aborted`, (x) => isAborted(x, bad) || isStable(x, bad));
    if (isStable(s, bad)) return this.#result(true, false, s, passed);
    display.note(`${bad} aborted by analysis: all traffic back on ${good}`);
    // Long enough for the bad version's traffic to drain from the per-version rates, then the proof.
    s = await this.#watch(fast ? 5_000 : 8_000);
    const recent = await this.o.client.json<TrafficReport>(
      "GET",
      `/api/v1/rollouts/${encodeURIComponent(this.#name)}/traffic`,
      { query: { windowSeconds: 2 } },
    );
    return this.#result(true, true, s, passed, recent);
  }

  /** Brings the first version back as stable, whatever the last run left. */
  async #reset(): Promise<RolloutSnapshot> {
    const { first } = VERSIONS;
    const end = Date.now() + FIRST_DEPLOY_MS;
    for (;;) {
      const s = await this.#read();
      if (atFirst(s)) return s;
      if (Date.now() > end)
        throw new StoryFailure(
          `could not bring ${first} back as stable: ${s.rollout.phase}: ${s.rollout.message}`,
        );
      const r = s.rollout;
      // A canary of it: promote it at once. Anything else: ask for it (back at once when it is the
      // stable version). Stable and alone but not Healthy yet: its replicas are starting.
      if (r.canaryVersion === first) await this.#act("promote", { full: true }, true);
      else if (r.canaryVersion !== null || r.stableVersion !== first)
        await this.#act("set-version", { version: first }, true);
      await this.#pause(1_000);
    }
  }

  async #result(
    promoted: boolean,
    aborted: boolean,
    s: RolloutSnapshot,
    passed: number | undefined,
    recent?: TrafficReport,
  ): Promise<StoryResult> {
    const { good, bad } = VERSIONS;
    const summary: string[] = [];
    summary.push(
      promoted
        ? `${good} promoted step by step${passed === undefined ? "" : ` (${passed} analysis runs passed)`}`
        : `${good} was NOT promoted: ${s.rollout.message}`,
    );
    if (!promoted) return { promoted, aborted: false, summary };
    if (!aborted) {
      summary.push(`${bad} was NOT aborted: ${s.rollout.message}`);
      return { promoted, aborted, summary };
    }
    const why = failedMeasurement(await this.#runs(s.rollout.revision));
    summary.push(
      `${bad} aborted by analysis: ${s.rollout.status.abortMessage ?? s.rollout.message}${why === undefined ? "" : ` — ${why}`}`,
    );
    const back = recent === undefined ? undefined : trafficBack(recent, good, bad);
    summary.push(back ?? `traffic back on ${good}: not measured`);
    return { promoted, aborted: back?.startsWith("all traffic back") === true, summary };
  }

  /** Polls (and shows) the rollout until `done` holds, for at most `limitMs`; the story's signal ends it too. */
  async #until(
    what: string,
    done: (s: RolloutSnapshot) => boolean,
    limitMs?: number,
  ): Promise<RolloutSnapshot> {
    const end = limitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + limitMs;
    for (;;) {
      const s = await this.#read();
      if (done(s)) return s;
      if (Date.now() > end)
        throw new StoryFailure(
          `waited ${limitMs === undefined ? "" : `${limitMs / 1000} s `}for ${what}; the rollout says: ${s.rollout.phase}: ${s.rollout.message} (the server's log tells more)`,
        );
      await this.#pause(POLL_MS);
    }
  }

  /** Shows the rollout for `ms`; the last snapshot. */
  async #watch(ms: number): Promise<RolloutSnapshot> {
    const end = Date.now() + ms;
    let s = await this.#read();
    while (Date.now() < end) {
      await this.#pause(Math.min(POLL_MS, end - Date.now()));
      s = await this.#read();
    }
    return s;
  }

  async #read(): Promise<RolloutSnapshot> {
    const s = await readSnapshot(this.o.client, this.#name);
    this.o.display.snapshot(s, this.#generator?.counts);
    return s;
  }

  async #runs(revision: number): Promise<RolloutAnalysisRun[]> {
    const { runs } = await this.o.client.json<{ runs: RolloutAnalysisRun[] }>(
      "GET",
      `/api/v1/rollouts/${encodeURIComponent(this.#name)}/analysisruns`,
      { query: { revision } },
    );
    return runs;
  }

  /** A command; with `tolerant`, a refusal (409: it does not apply now) is no error. */
  async #act(verb: string, body: object, tolerant = false): Promise<RolloutSummary | undefined> {
    try {
      return await this.o.client.json<RolloutSummary>(
        "POST",
        `/api/v1/rollouts/${encodeURIComponent(this.#name)}/${verb}`,
        { json: body },
      );
    } catch (e) {
      if (tolerant && e instanceof HttpError && e.status === 409) return undefined;
      throw e;
    }
  }

  async #pause(ms: number): Promise<void> {
    await sleep(Math.max(0, ms), undefined, { signal: this.o.signal });
  }
}

function atFirst(s: RolloutSnapshot): boolean {
  const r = s.rollout;
  return r.phase === "Healthy" && r.stableVersion === VERSIONS.first && r.canaryVersion === null;
}

function isStable(s: RolloutSnapshot, version: string): boolean {
  return s.rollout.stableVersion === version && s.rollout.canaryVersion === null;
}

function isAborted(s: RolloutSnapshot, version: string): boolean {
  return s.rollout.canaryVersion === version && s.rollout.aborted;
}

/** `success-rate = 0.951 (needs result >= 0.99)`: the measurement that failed the run, if one did. */
export function failedMeasurement(runs: readonly RolloutAnalysisRun[]): string | undefined {
  for (const run of runs) {
    if (run.status.phase !== "Failed" && run.status.phase !== "Error") continue;
    for (const m of run.status.metricResults) {
      if (m.phase !== "Failed" && m.phase !== "Error") continue;
      const last = m.measurements.filter((x) => x.phase === m.phase).at(-1);
      const condition = run.spec.metrics.find((x) => x.name === m.name)?.successCondition;
      const value = last?.value === undefined ? "" : ` = ${formatMeasurement(last.value)}`;
      return `${m.name}${value}${condition === undefined ? "" : ` (needs ${condition})`}`;
    }
  }
  return undefined;
}

/**
 * "all traffic back on v2: …" when the good version took requests over the report's window and the
 * bad one none; otherwise what the bad one still received.
 */
export function trafficBack(t: TrafficReport, good: string, bad: string): string {
  const g = t.versions.find((v) => v.version === good);
  const b = t.versions.find((v) => v.version === bad);
  const over = `over the last ${t.windowSeconds} s`;
  if (g === undefined || g.requests === 0) return `${good} took no requests ${over}`;
  if (b !== undefined && b.requests > 0) return `${bad} still took ${b.requests} requests ${over}`;
  return `all traffic back on ${good}: ${g.requestsPerSecond.toFixed(1)} req/s ${over}, ${bad} none`;
}
