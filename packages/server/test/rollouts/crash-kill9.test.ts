/**
 * Crash safety, for real: the server runs in a child process on a SQLite file and is killed with
 * SIGKILL at a uniformly random moment of a rollout (seeded: the seed is printed, and
 * RAMP_CRASH_SEED=<seed> replays the same kill times), then started again. Every trial must end
 * exactly as an uninterrupted run ends, with each step of the revision entered once, in order.
 * The versions are this test's own HTTP servers on the static platform, so they outlive the kill.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysisRun } from "../../src/analysis/index.js";
import type { RolloutEvent, RolloutStatus } from "../../src/rollouts/status.js";
import { ensureServerBuilt, killPlan, rollOutThroughKill } from "./child-server.js";
import { staticCanary } from "./rollout-docs.js";
import { stepsEntered, waitUntil } from "./rollouts-api.js";
import { type Backend, sendBatch, startBackend } from "./traffic.js";

const TRIALS = 30;
const LEASE_TTL_MS = 600;
const NAME = "crash";
/** Where in [0, 1) of the reference run's duration each trial kills the server. */
const { seed, fractions: killFractions } = killPlan(TRIALS);

const STEPS = [
  { setWeight: 25 },
  { pause: { duration: "1s" } },
  { setWeight: 50 },
  { analysis: { templates: [{ templateName: "always-passes" }] } },
  { setWeight: 75 },
];

/** Two measurements 500 ms apart that pass without traffic (a request count, at least 0). */
const TEMPLATE = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "always-passes" },
  spec: {
    metrics: [
      {
        name: "requests",
        interval: "500ms",
        count: 2,
        successCondition: "result >= 0",
        provider: { builtin: { metric: "requestCount", version: "canary", window: "10s", minRequests: 0 } },
      },
    ],
  },
};

let work: string;
let backends: Record<string, Backend>;

const rollout = (port: number, version: string) =>
  staticCanary(NAME, port, version, STEPS, Object.values(backends));

interface Outcome {
  readonly final: RolloutStatus;
  readonly runs: AnalysisRun[];
  /** From applying v2 to seeing it promoted. */
  readonly elapsedMs: number;
  /** The last transition the killed server made before the kill. */
  readonly killedAfter?: string;
  /** When the server was killed, and when the restarted one took the lease (Date.now()). */
  readonly killedAt?: number;
  readonly resumedAt?: number;
}

/** v1, then v2 rolled out; with `killAfterMs`, the server is SIGKILLed that long after v2 was applied and started again. */
async function run(label: string, killAfterMs?: number): Promise<Outcome> {
  const dir = join(work, label);
  const o = { dir, leaseTtlMs: LEASE_TTL_MS, name: NAME, rollout, templates: [TEMPLATE], killAfterMs };
  return rollOutThroughKill({ ...o, promotedWithinMs: 20_000 }, async (r) => {
    const { server, api, port, final, killedAt } = r;
    const elapsedMs = Date.now() - r.began;
    // The data plane agrees: whatever effects the kill lost were applied again.
    await waitUntil(
      async () =>
        (await sendBatch(`http://127.0.0.1:${port}`, "check", 1, () => ({})))[0]?.version === "v2"
          ? true
          : undefined,
      "the proxy to send everything to v2",
      5_000,
    );
    const resumedAt = killedAt === undefined ? undefined : server.loggedAt(/now runs the rollouts/);
    const runs = await api.analysisRuns(NAME, final.revision);
    const before =
      killedAt === undefined ? [] : final.history.filter((h) => Date.parse(h.at) <= (killedAt ?? 0));
    const last = before[before.length - 1];
    return {
      final,
      runs,
      elapsedMs,
      ...(last !== undefined && {
        killedAfter: `${last.event}${last.stepIndex === null ? "" : `@${last.stepIndex}`}`,
      }),
      ...(killedAt !== undefined && { killedAt }),
      ...(resumedAt !== undefined && { resumedAt }),
    };
  });
}

/** What must be the same after any crash: the final status and the history, timestamps aside. */
function summary(outcome: Outcome) {
  const s = outcome.final;
  return {
    phase: s.phase,
    stableVersion: s.stableVersion,
    canaryVersion: s.canaryVersion,
    canaryWeight: s.canaryWeight,
    revision: s.revision,
    stepIndex: s.stepIndex,
    aborted: s.aborted,
    pauseConditions: s.pauseConditions,
    history: s.history.map(
      (h) => `${h.seq} r${h.revision} ${h.event} step=${h.stepIndex} weight=${h.weight}`,
    ),
    runs: outcome.runs.map((r) => ({
      name: r.name,
      phase: r.status.phase,
      measurements: r.status.metricResults.map((m) => [m.name, m.phase, m.count, m.successful]),
    })),
  };
}

/** Slack for a decision to follow its deadline or the restarted server's election (a restarted wait adds 1 s). */
const SLACK_MS = 500;

/**
 * A restart neither restarts nor forgets a wait: the pause ends at its persisted deadline (or as soon
 * as the restarted server decides, when the deadline passed while it was down), never earlier; and the
 * analysis keeps the measurements taken before the kill.
 */
function expectWaitsKept(outcome: Outcome): void {
  const at = (event: RolloutEvent, step: number) =>
    Date.parse(
      outcome.final.history.find((h) => h.revision === 2 && h.event === event && h.stepIndex === step)?.at ??
        "",
    );
  const deadline = at("StepStarted", 1) + 1_000;
  const ended = at("StepCompleted", 1);
  expect(ended).toBeGreaterThanOrEqual(deadline);
  expect(ended - Math.max(deadline, outcome.resumedAt ?? 0)).toBeLessThan(SLACK_MS);
  const analysisStarted = at("AnalysisStarted", 3);
  const firstMeasurement = Date.parse(
    outcome.runs[0]?.status.metricResults[0]?.measurements[0]?.startedAt ?? "",
  );
  if (outcome.killedAt !== undefined && outcome.killedAt > analysisStarted + 200)
    expect(firstMeasurement, "the first measurement was taken again after the restart").toBeLessThan(
      outcome.killedAt,
    );
}

let reference: Outcome;
const report: string[] = [];

beforeAll(async () => {
  ensureServerBuilt();
  work = mkdtempSync(join(tmpdir(), "ramp-crash-"));
  backends = { v1: await startBackend("v1"), v2: await startBackend("v2") };
  reference = await run("reference");
  console.info(
    `crash trials: seed ${seed} (RAMP_CRASH_SEED=${seed} replays the kill times); uninterrupted rollout ${reference.elapsedMs} ms`,
  );
}, 60_000);

afterAll(async () => {
  if (report.length > 0)
    console.info(`crash trials (killed after → restarted and done):\n${report.join("\n")}`);
  await Promise.all(Object.values(backends ?? {}).map((b) => b.close()));
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe(`kill -9 of the server at a random moment of a rollout (${TRIALS} trials)`, () => {
  it("the uninterrupted reference run enters every step once and promotes", () => {
    expect(stepsEntered(reference.final, 2)).toEqual(STEPS.map((_, i) => i));
    expectWaitsKept(reference);
    expect(summary(reference).runs).toEqual([
      { name: `${NAME}-r2-step3`, phase: "Successful", measurements: [["requests", "Successful", 2, 2]] },
    ]);
  });

  it.each(killFractions.map((fraction, i) => [i + 1, fraction] as const))(
    "trial %i (kill at %f of the run): same end, every step entered exactly once",
    async (trial, fraction) => {
      const killAfterMs = Math.round(fraction * reference.elapsedMs);
      const outcome = await run(`trial-${trial}`, killAfterMs);
      report.push(
        `  trial ${String(trial).padStart(2)}: kill at ${String(killAfterMs).padStart(4)} ms, after ${outcome.killedAfter ?? "(nothing yet)"} → done at ${outcome.elapsedMs} ms`,
      );
      expect(stepsEntered(outcome.final, 2)).toEqual(STEPS.map((_, i) => i));
      expect(summary(outcome)).toEqual(summary(reference));
      expectWaitsKept(outcome);
    },
    30_000,
  );
});
