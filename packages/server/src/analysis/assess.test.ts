import { describe, expect, it } from "vitest";
import type { MeasurementResult } from "../plugins/metrics/provider.js";
import type { CompiledAnalysis } from "./analysis-run.js";
import { assessMetric, isWorse, nextStep, reconcile } from "./assess.js";
import {
  compile,
  compileOne,
  counters,
  iso,
  MINUTE,
  metric,
  newRun,
  SECOND,
  specOf,
  T0,
} from "./fixtures.shared-test.js";
import { recordMeasurement } from "./record.js";
import type { AnalysisRun, Metric, MetricResult } from "./types.js";

// Argo analysis/analysis.go assessMetricStatus + assessMetricFailureInconclusiveOrError.
describe("a metric's phase from its counters and limits (Argo assessMetricStatus)", () => {
  const cases: {
    rule: string;
    spec: Partial<Metric>;
    result: Partial<MetricResult>;
    terminating?: boolean;
    phase: string;
  }[] = [
    {
      rule: "failureLimit default 0: one failure fails",
      spec: { interval: "1m" },
      result: { failed: 1, count: 1 },
      phase: "Failed",
    },
    {
      rule: "failed == failureLimit keeps running",
      spec: { interval: "1m", failureLimit: 3 },
      result: { failed: 3, count: 3 },
      phase: "Running",
    },
    {
      rule: "failed == failureLimit + 1 fails",
      spec: { interval: "1m", failureLimit: 3 },
      result: { failed: 4, count: 4 },
      phase: "Failed",
    },
    {
      rule: "failureLimit as a string (IntOrString)",
      spec: { interval: "1m", failureLimit: "3" },
      result: { failed: 4, count: 4 },
      phase: "Failed",
    },
    {
      rule: "failureLimit -1 disables failing (with consecutiveSuccessLimit)",
      spec: { interval: "1m", failureLimit: -1, consecutiveSuccessLimit: 2 },
      result: { failed: 50, count: 50 },
      phase: "Running",
    },
    {
      rule: "inconclusiveLimit default 0: one inconclusive is Inconclusive",
      spec: { interval: "1m" },
      result: { inconclusive: 1, count: 1 },
      phase: "Inconclusive",
    },
    {
      rule: "inconclusive == inconclusiveLimit keeps running",
      spec: { interval: "1m", inconclusiveLimit: 2 },
      result: { inconclusive: 2, count: 2 },
      phase: "Running",
    },
    {
      rule: "inconclusive == inconclusiveLimit + 1 is Inconclusive",
      spec: { interval: "1m", inconclusiveLimit: 2 },
      result: { inconclusive: 3, count: 3 },
      phase: "Inconclusive",
    },
    {
      rule: "consecutiveErrorLimit default 4: 4 errors in a row keep running",
      spec: { interval: "1m" },
      result: { error: 4, consecutiveError: 4 },
      phase: "Running",
    },
    {
      rule: "consecutiveErrorLimit default 4: the 5th error in a row is Error",
      spec: { interval: "1m" },
      result: { error: 5, consecutiveError: 5 },
      phase: "Error",
    },
    {
      rule: "consecutiveErrorLimit 0: the first error is Error",
      spec: { interval: "1m", consecutiveErrorLimit: 0 },
      result: { error: 1, consecutiveError: 1 },
      phase: "Error",
    },
    {
      rule: "errors that are not consecutive do not count",
      spec: { interval: "1m" },
      result: { error: 9, consecutiveError: 1, successful: 8, count: 8 },
      phase: "Running",
    },
    {
      rule: "precedence: Inconclusive over Failed when both limits are exceeded",
      spec: { interval: "1m" },
      result: { failed: 1, inconclusive: 1, count: 2 },
      phase: "Inconclusive",
    },
    {
      rule: "precedence: Error over Inconclusive and Failed",
      spec: { interval: "1m" },
      result: { failed: 1, inconclusive: 1, count: 2, error: 5, consecutiveError: 5 },
      phase: "Error",
    },
    {
      rule: "count reached → Successful",
      spec: { interval: "1m", count: 3, failureLimit: 1 },
      result: { successful: 2, failed: 1, count: 3 },
      phase: "Successful",
    },
    {
      rule: "count not reached → Running",
      spec: { interval: "1m", count: 3 },
      result: { successful: 2, count: 2 },
      phase: "Running",
    },
    {
      rule: "no interval and no count: one measurement completes it",
      spec: {},
      result: { successful: 1, count: 1 },
      phase: "Successful",
    },
    {
      rule: "count 0 with an interval runs until terminated",
      spec: { interval: "1m", count: 0 },
      result: { successful: 500, count: 500 },
      phase: "Running",
    },
    {
      rule: "consecutiveSuccessLimit reached → Successful before count",
      spec: { interval: "1m", count: 10, consecutiveSuccessLimit: 3, failureLimit: 2 },
      result: { successful: 4, failed: 1, count: 5, consecutiveSuccess: 3 },
      phase: "Successful",
    },
    {
      rule: "count reached, consecutiveSuccessLimit not met, failureLimit not exceeded → Inconclusive",
      spec: { interval: "1m", count: 5, consecutiveSuccessLimit: 3, failureLimit: 2 },
      result: { successful: 3, failed: 2, count: 5, consecutiveSuccess: 2 },
      phase: "Inconclusive",
    },
    {
      rule: "count reached, consecutiveSuccessLimit not met, failureLimit -1 → Failed",
      spec: { interval: "1m", count: 5, consecutiveSuccessLimit: 3, failureLimit: -1 },
      result: { successful: 3, failed: 2, count: 5, consecutiveSuccess: 2 },
      phase: "Failed",
    },
    {
      rule: "terminating an open-ended metric → Successful",
      spec: { interval: "1m" },
      result: { successful: 2, count: 2 },
      terminating: true,
      phase: "Successful",
    },
    {
      rule: "terminating still fails a metric over its failureLimit",
      spec: { interval: "1m", failureLimit: 1 },
      result: { failed: 2, count: 2 },
      terminating: true,
      phase: "Failed",
    },
    {
      rule: "no measurement yet → Pending",
      spec: { interval: "1m" },
      result: { measurements: [] },
      phase: "Pending",
    },
    {
      rule: "no measurement yet, terminating → Successful",
      spec: { interval: "1m" },
      result: { measurements: [] },
      terminating: true,
      phase: "Successful",
    },
    {
      rule: "an in-flight measurement → Running",
      spec: { interval: "1m" },
      result: { measurements: [{ phase: "Running", startedAt: iso(T0), resumeAt: iso(T0 + MINUTE) }] },
      phase: "Running",
    },
    {
      rule: "a completed metric stays completed",
      spec: { interval: "1m" },
      result: { phase: "Failed", successful: 9, count: 9 },
      phase: "Failed",
    },
  ];

  it.each(cases)("$rule", ({ spec, result, terminating, phase }) => {
    expect(assessMetric(compileOne(metric("m", spec)), counters(result), terminating ?? false)).toBe(phase);
  });
});

describe("worst phase (Argo IsWorse order: Successful < Running < Pending < Inconclusive < Error < Failed)", () => {
  it.each([
    ["Successful", "Inconclusive", true],
    ["Inconclusive", "Error", true],
    ["Error", "Failed", true],
    ["Failed", "Error", false],
    ["Inconclusive", "Successful", false],
  ] as const)("%s → %s is worse: %s", (a, b, worse) => {
    expect(isWorse(a, b)).toBe(worse);
  });
});

/** Applies provider answers one after another, each a minute apart, and assesses after each. */
function feed(analysis: CompiledAnalysis, answers: readonly MeasurementResult[], name = "m"): AnalysisRun {
  const m = analysis.metrics.find((x) => x.name === name);
  if (m === undefined) throw new Error(name);
  let run = reconcile(newRun(specOf(analysis.metrics.map((x) => x.spec))), analysis, T0);
  answers.forEach((answer, i) => {
    const t = T0 + i * MINUTE;
    run = reconcile(recordMeasurement(run, m, answer, t, t), analysis, t);
  });
  return run;
}

function resultOf(run: AnalysisRun, name = "m"): MetricResult {
  const r = run.status.metricResults.find((x) => x.name === name);
  if (r === undefined) throw new Error(`no result for ${name}`);
  return r;
}

const pass: MeasurementResult = { value: 1 };
const fail: MeasurementResult = { value: 0 };
const error: MeasurementResult = { error: "boom" };

describe("counters over a run (Argo runMeasurements bookkeeping)", () => {
  const analysis = compile(
    specOf([metric("m", { interval: "1m", successCondition: "result == 1", failureLimit: 5 })]),
  );

  it("consecutive errors reset on a success; errors never count toward count", () => {
    const r = resultOf(feed(analysis, [error, error, error, error, pass, error, error]));
    expect(r).toMatchObject({
      error: 6,
      consecutiveError: 2,
      count: 1,
      successful: 1,
      consecutiveSuccess: 0,
      phase: "Running",
    });
  });

  it("consecutive errors reset on a failure too, and a failure breaks a success streak", () => {
    const r = resultOf(feed(analysis, [pass, pass, error, fail, pass]));
    expect(r).toMatchObject({
      consecutiveError: 0,
      consecutiveSuccess: 1,
      failed: 1,
      successful: 3,
      count: 4,
    });
  });

  it("5 errors in a row (consecutiveErrorLimit 4 exceeded) end the metric and the run in Error", () => {
    const run = feed(analysis, [error, error, error, error, error]);
    expect(resultOf(run).phase).toBe("Error");
    expect(run.status.phase).toBe("Error");
    expect(run.status.message).toBe(
      'Metric "m" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: boom"',
    );
  });

  it("failures are totals, not streaks: failureLimit 5 fails at the 6th failure however spread", () => {
    const run = feed(analysis, [fail, pass, fail, pass, fail, fail, pass, fail, pass, fail]);
    expect(resultOf(run)).toMatchObject({ failed: 6, phase: "Failed" });
    expect(run.status.message).toBe('Metric "m" assessed Failed due to failed (6) > failureLimit (5)');
  });

  it("measurementRetention keeps the last N measurements; the counters keep the whole run", () => {
    const kept = compile(
      specOf([metric("m", { interval: "1m" })], { measurementRetention: [{ metricName: "m", limit: 3 }] }),
    );
    const r = resultOf(feed(kept, [pass, pass, pass, pass, pass, pass]));
    expect(r.measurements).toHaveLength(3);
    expect(r.measurements.map((x) => x.startedAt)).toEqual([3, 4, 5].map((i) => iso(T0 + i * MINUTE)));
    expect(r.successful).toBe(6);
  });

  it("without measurementRetention, Argo's default keeps 10", () => {
    const open = compile(specOf([metric("m", { interval: "1m" })]));
    const r = resultOf(
      feed(
        open,
        Array.from({ length: 14 }, () => pass),
      ),
    );
    expect(r.measurements).toHaveLength(10);
    expect(r.count).toBe(14);
  });

  it("measurementRetention rules are regular expressions (`.*` is every metric)", () => {
    const a = compile(
      specOf([metric("a", { interval: "1m" }), metric("b", { interval: "1m" })], {
        measurementRetention: [{ metricName: ".*", limit: 2 }],
      }),
    );
    expect(a.metrics.map((m) => m.retentionLimit)).toEqual([2, 2]);
  });

  it("records the value as Argo's text form", () => {
    const r = resultOf(feed(analysis, [{ value: [0.97, Number.NaN] }]));
    expect(r.measurements[0]).toMatchObject({ value: "[0.97,NaN]", phase: "Failed", finishedAt: iso(T0) });
  });
});

describe("insufficient data waits, then is Inconclusive (never a pass)", () => {
  const analysis = compile(
    specOf([metric("m", { interval: "1m", maxWait: "3m", successCondition: "result > 0.9" })]),
  );
  const [m] = analysis.metrics;
  const starved: MeasurementResult = {
    insufficientData: { reason: "12 canary requests in the last 1m; at least 50 needed" },
  };

  it("before the deadline the measurement stays in flight and no counter moves", () => {
    if (m === undefined) throw new Error();
    const run = recordMeasurement(reconcile(newRun(specOf([m.spec])), analysis, T0), m, starved, T0, T0);
    const r = resultOf(run);
    expect(r.measurements).toEqual([
      {
        phase: "Running",
        message: `insufficient data: 12 canary requests in the last 1m; at least 50 needed; waiting until ${iso(T0 + 3 * MINUTE)}`,
        startedAt: iso(T0),
        resumeAt: iso(T0 + MINUTE),
      },
    ]);
    expect(r).toMatchObject({ count: 0, inconclusive: 0, error: 0 });
    expect(reconcile(run, analysis, T0).status.phase).toBe("Running");
    expect(nextStep(run, analysis, T0)).toMatchObject({ measure: [], wakeAt: T0 + MINUTE });
    const resumed = nextStep(run, analysis, T0 + MINUTE);
    expect(resumed.measure).toHaveLength(1);
    expect(resumed.measure[0]?.resume?.startedAt).toBe(iso(T0));
  });

  it("data arriving in time completes the same measurement with its original start", () => {
    if (m === undefined) throw new Error();
    let run = recordMeasurement(newRun(specOf([m.spec])), m, starved, T0, T0);
    run = recordMeasurement(run, m, { value: 0.99 }, T0 + MINUTE, T0 + MINUTE);
    const r = resultOf(run);
    expect(r.measurements).toHaveLength(1);
    expect(r.measurements[0]).toMatchObject({
      phase: "Successful",
      startedAt: iso(T0),
      finishedAt: iso(T0 + MINUTE),
    });
    expect(r.count).toBe(1);
  });

  it("at the deadline it counts as Inconclusive, and inconclusiveLimit 0 ends the run Inconclusive", () => {
    if (m === undefined) throw new Error();
    let run = reconcile(newRun(specOf([m.spec])), analysis, T0);
    for (const t of [0, 1, 2, 3].map((i) => T0 + i * MINUTE)) {
      run = reconcile(recordMeasurement(run, m, starved, t, t), analysis, t);
    }
    const r = resultOf(run);
    expect(r.measurements[0]).toMatchObject({
      phase: "Inconclusive",
      message: "insufficient data: 12 canary requests in the last 1m; at least 50 needed (waited 3m)",
      finishedAt: iso(T0 + 3 * MINUTE),
    });
    expect(r).toMatchObject({ inconclusive: 1, count: 1, phase: "Inconclusive" });
    expect(run.status.phase).toBe("Inconclusive");
  });

  it("the last retry is at the deadline itself, not past it", () => {
    const late = compile(specOf([metric("m", { interval: "5m", maxWait: "2m" })]));
    const [lm] = late.metrics;
    if (lm === undefined) throw new Error();
    const run = recordMeasurement(newRun(specOf([lm.spec])), lm, starved, T0, T0);
    expect(resultOf(run).measurements[0]?.resumeAt).toBe(iso(T0 + 2 * MINUTE));
  });

  it("maxWait 0s never waits", () => {
    const now = compile(specOf([metric("m", { interval: "1m", maxWait: "0s" })]));
    const [nm] = now.metrics;
    if (nm === undefined) throw new Error();
    const run = recordMeasurement(newRun(specOf([nm.spec])), nm, starved, T0, T0);
    expect(resultOf(run)).toMatchObject({ inconclusive: 1 });
  });
});

describe("the run's phase (Argo assessRunStatus)", () => {
  it("the run takes its worst metric: Failed is worse than Error", () => {
    const analysis = compile(
      specOf([
        metric("a", { successCondition: "result == 1" }),
        metric("b", { successCondition: "result == 1" }),
      ]),
    );
    const [a, b] = analysis.metrics;
    if (a === undefined || b === undefined) throw new Error();
    let run = reconcile(newRun(specOf(analysis.metrics.map((x) => x.spec))), analysis, T0);
    run = recordMeasurement(run, a, fail, T0, T0);
    for (let i = 0; i < 5; i++) run = recordMeasurement(run, b, error, T0, T0);
    run = reconcile(run, analysis, T0);
    expect(run.status.metricResults.map((r) => r.phase)).toEqual(["Failed", "Error"]);
    expect(run.status.phase).toBe("Failed");
    expect(run.status.completedAt).toBe(iso(T0));
    expect(run.status.runSummary).toEqual({ count: 2, successful: 0, failed: 1, inconclusive: 0, error: 1 });
  });

  it("a dry-run metric's failure does not affect the run", () => {
    const analysis = compile(
      specOf(
        [
          metric("real", { successCondition: "result == 1" }),
          metric("shadow", { successCondition: "result == 1" }),
        ],
        {
          dryRun: [{ metricName: "shadow" }],
        },
      ),
    );
    const [real, shadow] = analysis.metrics;
    if (real === undefined || shadow === undefined) throw new Error();
    let run = reconcile(newRun(specOf(analysis.metrics.map((x) => x.spec))), analysis, T0);
    run = reconcile(recordMeasurement(run, shadow, fail, T0, T0), analysis, T0);
    expect(run.status.phase).toBe("Running"); // the dry-run failure terminates nothing
    run = reconcile(recordMeasurement(run, real, pass, T0, T0), analysis, T0);
    expect(run.status.phase).toBe("Successful");
    expect(resultOf(run, "shadow")).toMatchObject({
      phase: "Failed",
      dryRun: true,
      message: "Metric assessed Failed due to failed (1) > failureLimit (0)",
    });
    expect(run.status.dryRunSummary).toEqual({
      count: 1,
      successful: 0,
      failed: 1,
      inconclusive: 0,
      error: 0,
    });
    expect(run.status.runSummary).toEqual({ count: 1, successful: 1, failed: 0, inconclusive: 0, error: 0 });
  });

  it("a run of dry-run metrics only is Successful whatever they measure", () => {
    const analysis = compile(
      specOf([metric("x", { successCondition: "result == 1" })], { dryRun: [{ metricName: ".*" }] }),
    );
    const [x] = analysis.metrics;
    if (x === undefined) throw new Error();
    const run = reconcile(recordMeasurement(newRun(specOf([x.spec])), x, fail, T0, T0), analysis, T0);
    expect(run.status.phase).toBe("Successful");
  });

  it("a failing metric terminates the others: the open-ended one completes Successful, the run Failed", () => {
    const analysis = compile(
      specOf([
        metric("quick", { successCondition: "result == 1" }),
        metric("forever", { interval: "1m", successCondition: "result == 1" }),
      ]),
    );
    const [quick, forever] = analysis.metrics;
    if (quick === undefined || forever === undefined) throw new Error();
    let run = reconcile(newRun(specOf(analysis.metrics.map((x) => x.spec))), analysis, T0);
    run = recordMeasurement(run, forever, pass, T0, T0);
    run = recordMeasurement(run, quick, fail, T0, T0);
    run = reconcile(run, analysis, T0);
    expect(run.status.metricResults.map((r) => [r.name, r.phase])).toEqual([
      ["forever", "Successful"],
      ["quick", "Failed"],
    ]);
    expect(run.status.phase).toBe("Failed");
    expect(nextStep(run, analysis, T0 + MINUTE)).toEqual({ done: true, measure: [] });
  });

  it("a metric waiting for data when the run terminates ends Inconclusive ('Metric Terminated', as Argo's job provider)", () => {
    const analysis = compile(specOf([metric("m", { interval: "1m" })]));
    const [m] = analysis.metrics;
    if (m === undefined) throw new Error();
    let run = recordMeasurement(
      newRun(specOf([m.spec])),
      m,
      { insufficientData: { reason: "idle" } },
      T0,
      T0,
    );
    run = reconcile({ ...run, spec: { ...run.spec, terminate: true } }, analysis, T0 + SECOND);
    expect(resultOf(run).measurements[0]).toMatchObject({
      phase: "Inconclusive",
      message: "Metric Terminated",
    });
    expect(resultOf(run).measurements[0]?.resumeAt).toBeUndefined();
    expect(run.status.phase).toBe("Inconclusive");
  });

  it("terminated before any measurement → Successful, 'Run Terminated'", () => {
    const analysis = compile(specOf([metric("m", { interval: "1m", initialDelay: "5m" })]));
    const run = reconcile(
      {
        ...newRun(specOf(analysis.metrics.map((x) => x.spec))),
        spec: { ...specOf([]), metrics: analysis.metrics.map((x) => x.spec), terminate: true },
      },
      analysis,
      T0,
    );
    expect(run.status).toMatchObject({ phase: "Successful", message: "Run Terminated" });
  });
});

describe("what to measure next (Argo generateMetricTasks / calculateNextReconcileTime)", () => {
  const analysis = compile(
    specOf([
      metric("now", { interval: "1m", count: 3 }),
      metric("later", { interval: "30s", initialDelay: "2m" }),
    ]),
  );
  const [now, later] = analysis.metrics;

  it("measures a metric without initialDelay at once, and wakes for the delayed one", () => {
    const run = reconcile(newRun(specOf(analysis.metrics.map((x) => x.spec))), analysis, T0);
    const step = nextStep(run, analysis, T0);
    expect(step.measure.map((t) => t.metric.name)).toEqual(["now"]);
    expect(step.wakeAt).toBe(T0 + 2 * MINUTE);
  });

  it("then one interval after each measurement finished, and 10 s after an Error", () => {
    if (now === undefined) throw new Error();
    let run = reconcile(newRun(specOf(analysis.metrics.map((x) => x.spec))), analysis, T0);
    run = recordMeasurement(run, now, pass, T0, T0 + 5 * SECOND);
    expect(nextStep(run, analysis, T0 + 5 * SECOND).wakeAt).toBe(T0 + 65 * SECOND);
    expect(nextStep(run, analysis, T0 + 65 * SECOND).measure.map((t) => t.metric.name)).toEqual(["now"]);
    run = recordMeasurement(run, now, error, T0 + 65 * SECOND, T0 + 65 * SECOND);
    expect(nextStep(run, analysis, T0 + 65 * SECOND).wakeAt).toBe(T0 + 75 * SECOND);
  });

  it("stops measuring a metric that reached its count", () => {
    if (now === undefined || later === undefined) throw new Error();
    let run = reconcile(newRun(specOf(analysis.metrics.map((x) => x.spec))), analysis, T0);
    for (let i = 0; i < 3; i++) run = recordMeasurement(run, now, pass, T0 + i * MINUTE, T0 + i * MINUTE);
    run = reconcile(run, analysis, T0 + 2 * MINUTE);
    expect(resultOf(run, "now").phase).toBe("Successful");
    const step = nextStep(run, analysis, T0 + 2 * MINUTE);
    expect(step.measure.map((t) => t.metric.name)).toEqual(["later"]);
  });

  it("a metric without interval whose only measurement errored is retried after 10 s", () => {
    const once = compile(specOf([metric("once")]));
    const [o] = once.metrics;
    if (o === undefined) throw new Error();
    const run = reconcile(recordMeasurement(newRun(specOf([o.spec])), o, error, T0, T0), once, T0);
    expect(run.status.phase).toBe("Running");
    expect(nextStep(run, once, T0)).toMatchObject({ measure: [], wakeAt: T0 + 10 * SECOND });
  });
});
