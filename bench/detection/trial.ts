/**
 * One trial: a fresh Ramp server, the two rollouts at v1 (stable only) behind their proxies, 200 req/s
 * of open-loop load on each, then v2 applied to both at once. It ends when the bad canary is aborted
 * and the healthy one has passed its analysis (or either has ended otherwise), plus a few seconds of
 * load to confirm no request reaches an aborted canary.
 */
import { freePort } from "@ramp/server/testing";
import type { Teardown } from "../lib/teardown.js";
import { type OpenLoopLoad, startOpenLoop } from "./load.js";
import { type CaseResult, measureCase } from "./measure.js";
import { type Ramp, type RolloutView, startRamp } from "./ramp.js";
import {
  CANARY_VERSION,
  CASES,
  type CanaryCase,
  rolloutDocument,
  STABLE_VERSION,
  TOTAL_RATE,
} from "./scenario.js";
import type { ExampleTemplates } from "./template.js";

const STABLE_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

export interface TrialOptions {
  /** Seconds of stable-only load before the canary starts. */
  readonly warmupSeconds: number;
  /** Seconds of load after both cases ended, to confirm the aborted canary gets nothing. */
  readonly confirmSeconds: number;
  /** Seconds both cases may take, from the canary's apply. */
  readonly timeoutSeconds: number;
}

export interface TrialResult {
  readonly trial: number;
  readonly cases: readonly CaseResult[];
  /** The latest any request left after its scheduled time (the generator's own lag), in ms. */
  readonly maxLagMs: number;
  /** Requests not sent because too many were in flight (must be 0). */
  readonly skipped: number;
}

/** Runs trial `trial`; everything it starts is registered with `teardown`, which the caller runs. */
export async function runTrial(
  trial: number,
  options: TrialOptions,
  templates: ExampleTemplates,
  teardown: Teardown,
): Promise<TrialResult> {
  const ramp = await startRamp();
  teardown.defer("Ramp server", () => ramp.stop());
  const lanes: { c: CanaryCase; port: number }[] = [];
  for (const c of CASES) lanes.push({ c, port: await freePort() });
  const apply = (version: string) =>
    ramp.apply([
      ...templates.documents,
      ...lanes.map(({ c, port }) => rolloutDocument(c, version, port, trial)),
    ]);

  await apply(STABLE_VERSION);
  const stableRevision = new Map<string, number>();
  for (const { c, port } of lanes) {
    stableRevision.set(c.rollout, await waitForStable(ramp, c.rollout, port));
  }

  const maxSeconds = options.warmupSeconds + options.timeoutSeconds + options.confirmSeconds + 10;
  const loads: OpenLoopLoad[] = lanes.map(({ port }) =>
    startOpenLoop(`http://127.0.0.1:${port}/`, { rate: TOTAL_RATE, maxSeconds }),
  );
  const stopLoads = () => Promise.all(loads.map((load) => load.stop()));
  teardown.defer("load", async () => void (await stopLoads()));
  await sleep(options.warmupSeconds * 1000);

  await apply(CANARY_VERSION);
  const final = await waitForOutcomes(
    ramp,
    lanes.map(({ c }) => c.rollout),
    stableRevision,
    options,
  );
  await sleep(options.confirmSeconds * 1000);
  const endAt = Date.now();
  const summaries = await stopLoads();

  const events = ramp.events();
  const cases: CaseResult[] = [];
  for (const [i, { c }] of lanes.entries()) {
    const view = final.get(c.rollout);
    const runs = view === undefined ? [] : await ramp.analysisRuns(c.rollout, view.revision);
    const run = runs.find((r) => r.name.endsWith("-step1"));
    cases.push(
      measureCase({
        kind: c.kind,
        samples: summaries[i]?.samples ?? [],
        canaryVersion: CANARY_VERSION,
        abortedAt: events.find((e) => e.rollout === c.rollout && e.event === "Aborted")?.at,
        endAt,
        analysisStartedAt: run?.startedAt,
        measurements: run?.measurements ?? [],
        analysisPhase: run?.phase,
      }),
    );
  }
  return {
    trial,
    cases,
    maxLagMs: Math.max(...summaries.map((s) => s.maxLagMs)),
    skipped: summaries.reduce((total, s) => total + s.skipped, 0),
  };
}

/**
 * Polls each rollout until it is aborted (Degraded) or paused: past the analysis step, at the pause after
 * it, or paused as Inconclusive. Returns what each looked like then.
 */
async function waitForOutcomes(
  ramp: Ramp,
  names: readonly string[],
  stableRevision: ReadonlyMap<string, number>,
  options: TrialOptions,
): Promise<Map<string, RolloutView>> {
  const final = new Map<string, RolloutView>();
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  while (final.size < names.length) {
    for (const name of names) {
      if (final.has(name)) continue;
      const view = await ramp.rollout(name);
      const started = view.revision > (stableRevision.get(name) ?? 0);
      if (started && (view.aborted || view.phase === "Paused")) final.set(name, view);
    }
    if (Date.now() > deadline) {
      const waiting = names.filter((name) => !final.has(name));
      throw new Error(
        `${waiting.join(", ")}: neither aborted nor past the analysis in ${options.timeoutSeconds} s`,
      );
    }
    await sleep(POLL_MS);
  }
  return final;
}

/** Waits until the rollout runs v1 and its proxy answers from it; returns the rollout's revision. */
async function waitForStable(ramp: Ramp, name: string, port: number): Promise<number> {
  const deadline = Date.now() + STABLE_TIMEOUT_MS;
  for (;;) {
    const view = await ramp.rollout(name);
    if (view.phase === "Healthy" && view.stableVersion === STABLE_VERSION) {
      const answer = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) })
        .then((r) => r.json() as Promise<unknown>)
        .catch(() => undefined);
      if (
        typeof answer === "object" &&
        answer !== null &&
        "version" in answer &&
        answer.version === STABLE_VERSION
      )
        return view.revision;
    }
    const exited = ramp.process.exitStatus();
    if (exited !== undefined)
      throw new Error(`the Ramp server exited (${exited}):\n${ramp.process.recentOutput()}`);
    if (Date.now() > deadline)
      throw new Error(
        `${name}: ${STABLE_VERSION} not serving within ${STABLE_TIMEOUT_MS} ms (${view.phase}: ${view.message})`,
      );
    await sleep(POLL_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
