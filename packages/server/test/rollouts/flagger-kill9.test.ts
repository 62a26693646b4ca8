/**
 * Crash safety of a Flagger-style analysis, for real: the server runs in a child process and is
 * killed with SIGKILL at a seeded random moment of the rollout, then started again. Every trial must
 * end as the uninterrupted run ends — same intervals, same weights, same checks and gate answers,
 * nothing counted twice or lost. The webhooks are real HTTP receivers, the versions the test's own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RolloutStatus } from "../../src/rollouts/status.js";
import { ensureServerBuilt, killPlan, rollOutThroughKill } from "./child-server.js";
import { staticWorkload } from "./rollout-docs.js";
import { historyOf } from "./rollouts-api.js";
import { type Backend, startBackend } from "./traffic.js";

const TRIALS = 5;
const LEASE_TTL_MS = 600;
const NAME = "fcrash";
const { seed, fractions: killFractions } = killPlan(TRIALS);

/** A request count that is never too small: the check passes without traffic. */
const TEMPLATE = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "requests" },
  spec: {
    metrics: [
      {
        name: "requests",
        provider: { builtin: { metric: "requestCount", version: "canary", window: "10s", minRequests: 0 } },
      },
    ],
  },
};

let work: string;
let backends: Backend[];
let hooks: Server;
let hooksUrl: string;

function rollout(label: string, port: number, version: string) {
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: NAME },
    spec: {
      replicas: 1,
      version,
      strategy: {
        canary: { scaleDownDelaySeconds: 0, trafficRouting: { proxy: { listen: `127.0.0.1:${port}` } } },
      },
      analysis: {
        interval: "1s",
        threshold: 2,
        stepWeights: [20, 40, 60],
        metrics: [{ name: "requests", templateRef: { name: "requests" }, thresholdRange: { min: 0 } }],
        webhooks: [
          { name: "check", type: "rollout", url: `${hooksUrl}/${label}/check` },
          { name: "approve", type: "confirm-promotion", url: `${hooksUrl}/${label}/approve` },
        ],
      },
      workload: staticWorkload(backends),
    },
  };
}

interface Outcome {
  readonly final: RolloutStatus;
  readonly elapsedMs: number;
}

async function run(label: string, killAfterMs?: number): Promise<Outcome> {
  const at = (port: number, version: string) => rollout(label, port, version);
  const o = {
    dir: join(work, label),
    leaseTtlMs: LEASE_TTL_MS,
    name: NAME,
    rollout: at,
    templates: [TEMPLATE],
  };
  return rollOutThroughKill({ ...o, killAfterMs, promotedWithinMs: 25_000 }, async ({ final, began }) => ({
    final,
    elapsedMs: Date.now() - began,
  }));
}

/** What must not depend on a crash: the revision's history without times, and the analysis status. */
function summary(s: RolloutStatus) {
  return {
    phase: s.phase,
    stableVersion: s.stableVersion,
    history: historyOf(s, 2).map((h) => `${h.event} weight=${h.weight}: ${h.message}`),
    flagger: { ...s.flagger, intervalStartedAt: "t", nextAt: null },
  };
}

let reference: Outcome;

beforeAll(async () => {
  ensureServerBuilt();
  work = mkdtempSync(join(tmpdir(), "ramp-flagger-crash-"));
  backends = await Promise.all(["v1", "v2"].map((v) => startBackend(v)));
  hooks = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200).end("ok"));
  });
  await new Promise<void>((r) => hooks.listen(0, "127.0.0.1", r));
  hooksUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  reference = await run("reference");
  console.info(
    `flagger crash trials: seed ${seed} (RAMP_CRASH_SEED replays); uninterrupted ${reference.elapsedMs} ms`,
  );
}, 60_000);

afterAll(async () => {
  hooks?.closeAllConnections();
  await new Promise((r) => hooks?.close(r));
  await Promise.all((backends ?? []).map((b) => b.close()));
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe(`kill -9 during a Flagger-style analysis (${TRIALS} trials)`, () => {
  it("the uninterrupted run: 20, 40, 60, then the promotion, no failed check", () => {
    const s = reference.final;
    expect(historyOf(s, 2, ["WeightChanged"]).map((h) => h.weight)).toEqual([20, 40, 60]);
    expect(historyOf(s, 2, ["CheckFailed", "Aborted"])).toEqual([]);
    expect(s.flagger).toMatchObject({ phase: "Succeeded", failedChecks: 0, interval: 5 });
  });

  it.each(killFractions.map((f, i) => [i + 1, f] as const))(
    "trial %i (kill at %f of the run): the same intervals, weights and checks",
    async (trial, fraction) => {
      const outcome = await run(`trial-${trial}`, Math.round(fraction * reference.elapsedMs));
      expect(summary(outcome.final)).toEqual(summary(reference.final));
    },
    40_000,
  );
});
