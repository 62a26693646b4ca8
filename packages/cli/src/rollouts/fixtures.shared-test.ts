/** A rollout snapshot as the API answers it, for the view and narration tests: the demo at step 3 of 8. */
import type { AnalysisRun, HistoryEntry, RolloutStatus } from "@ramp/server/rollouts";
import type { RolloutAnalysisRun, TrafficReport } from "../remote/api-types.js";
import type { RolloutSnapshot } from "./view.js";

export const SPEC = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: { name: "demo" },
  spec: {
    replicas: 2,
    version: "v1",
    strategy: {
      canary: {
        steps: [
          { setWeight: 10 },
          { pause: { duration: "10s" } },
          {
            analysis: {
              templates: [{ templateName: "demo-success-rate" }, { templateName: "demo-latency" }],
            },
          },
          { setWeight: 30 },
          { pause: {} },
        ],
        trafficRouting: { proxy: { listen: "127.0.0.1:4321" } },
      },
    },
    workload: { platform: "process", command: ["node", "server.mjs"] },
  },
};

export const T0 = Date.parse("2026-01-01T10:00:00.000Z");
export const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

export function history(entries: [number, HistoryEntry["event"], string][], revision = 2): HistoryEntry[] {
  return entries.map(([seq, event, message]) => ({
    seq,
    at: iso(seq),
    revision,
    event,
    stepIndex: null,
    weight: 0,
    message,
  }));
}

export function status(over: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    phase: "Progressing",
    message: "analysis run demo-r2-step2 Running",
    revision: 2,
    observedVersion: "v1",
    stepsHash: null,
    stableVersion: "v1",
    canaryVersion: "v2",
    previousStableVersion: null,
    stepIndex: 2,
    canaryWeight: 10,
    canaryReplicas: 1,
    headerRoutes: [],
    mirrorRoutes: [],
    pauseConditions: [],
    promoteFull: false,
    aborted: false,
    abortedAt: null,
    abortMessage: null,
    analysisRuns: [],
    teardowns: [],
    activeVersion: null,
    previewVersion: null,
    blueGreenStage: null,
    history: history([
      [1, "RevisionStarted", "rolling out v2 (stable v1)"],
      [2, "StepStarted", "step 1/5: setWeight 10%"],
      [3, "StepCompleted", "step 1/5: canary at 10%"],
      [4, "StepCompleted", "step 2/5: paused for 10s"],
      [5, "AnalysisStarted", "step 3 analysis run demo-r2-step2 (demo-success-rate, demo-latency)"],
    ]),
    ...over,
  };
}

/** A run with one measurement per value; `running` adds a measurement waiting for data. */
export function run(
  name: string,
  phase: AnalysisRun["status"]["phase"],
  metrics: Record<string, (readonly [string, "Successful" | "Failed"])[]>,
  running = false,
): RolloutAnalysisRun {
  return {
    name,
    revision: 2,
    spec: {
      metrics: Object.keys(metrics).map((m) => ({
        name: m,
        successCondition: m === "success-rate" ? "result >= 0.99" : "result <= 300",
        provider: { builtin: { metric: "successRate" } },
      })),
      args: [],
      dryRun: [],
      measurementRetention: [],
      terminate: false,
    },
    status: {
      phase,
      startedAt: iso(5),
      metricResults: Object.entries(metrics).map(([m, values]) => ({
        name: m,
        phase: values.some(([, p]) => p === "Failed") ? "Failed" : running ? "Running" : phase,
        measurements: [
          ...values.map(([value, p], i) => ({
            phase: p,
            value,
            startedAt: iso(6 + i),
            finishedAt: iso(6 + i),
          })),
          ...(running
            ? [
                {
                  phase: "Running" as const,
                  message: `insufficient data: 12 canary requests in the last 15s; at least 30 needed; waiting until ${iso(300)}`,
                  startedAt: iso(20),
                  resumeAt: iso(24),
                },
              ]
            : []),
        ],
        count: values.length,
        successful: values.filter(([, p]) => p === "Successful").length,
        failed: values.filter(([, p]) => p === "Failed").length,
        inconclusive: 0,
        error: 0,
        consecutiveError: 0,
        consecutiveSuccess: 0,
      })),
      runSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
    },
  };
}

export const TRAFFIC: TrafficReport = {
  name: "demo",
  measured: true,
  proxy: "http://127.0.0.1:4321",
  windowSeconds: 10,
  versions: [
    {
      role: "stable",
      version: "v1",
      requests: 540,
      errors5xx: 0,
      periodSeconds: 10,
      requestsPerSecond: 54,
      errorRate: 0,
      p50Ms: 15,
      p99Ms: 31.4,
    },
    {
      role: "canary",
      version: "v2",
      requests: 61,
      errors5xx: 0,
      periodSeconds: 10,
      requestsPerSecond: 6.1,
      errorRate: 0,
      p50Ms: 12,
      p99Ms: 28.9,
    },
  ],
};

export function snapshot(
  over: Partial<RolloutStatus> = {},
  more: Partial<RolloutSnapshot> = {},
): RolloutSnapshot {
  const st = status(over);
  return {
    rollout: {
      name: "demo",
      phase: st.phase,
      message: st.message,
      revision: st.revision,
      stepIndex: st.stepIndex,
      canaryWeight: st.canaryWeight,
      stableVersion: st.stableVersion,
      canaryVersion: st.canaryVersion,
      aborted: st.aborted,
      spec: SPEC,
      status: st,
      analysisRuns: [],
    },
    runs: [
      run(
        "demo-r2-step2",
        "Running",
        { "success-rate": [["1", "Successful"]], "latency-p99": [["31.4", "Successful"]] },
        true,
      ),
    ],
    traffic: TRAFFIC,
    at: T0 + 8_000,
    ...more,
  };
}
