import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import type { VersionMetricsSource, VersionWindow } from "../plugins/metrics/builtin/index.js";
import { createMetricProviderFactory } from "../plugins/metrics/factory.js";
import { NoopMetricProvider, type ScriptedResult } from "../plugins/metrics/noop/index.js";
import type { MeasurementResult } from "../plugins/metrics/provider.js";
import { createAnalysisRun } from "./analysis-run.js";
import { FakeClock, iso, MINUTE, metric, newRun, SECOND, specOf, T0 } from "./fixtures.shared-test.js";
import { AnalysisRunner } from "./runner.js";
import { loadAnalysisTemplate } from "./template.js";
import type { AnalysisRun, Metric } from "./types.js";

/** A runner over one noop provider standing in for prometheus, recording every persisted state. */
function setup(
  metrics: Metric[],
  script: Record<string, readonly ScriptedResult[]>,
  run?: AnalysisRun,
  clock = new FakeClock(),
) {
  const provider = new NoopMetricProvider(script, "prometheus");
  const updates: AnalysisRun[] = [];
  const runner = new AnalysisRunner({
    run: run ?? newRun(specOf(metrics)),
    providers: createMetricProviderFactory({ providers: { prometheus: provider } }),
    clock,
    onUpdate: (r) => {
      updates.push(JSON.parse(JSON.stringify(r)));
    },
  });
  return { provider, updates, runner, clock };
}

const pass: MeasurementResult = { value: [0.99] };
const fail: MeasurementResult = { value: [0.5] };
const ok = "result[0] >= 0.95";

describe("AnalysisRunner with a fake clock", () => {
  it("interval + count: measures at 0, 1m, 2m, then completes Successful", async () => {
    const { provider, runner } = setup([metric("m", { interval: "1m", count: 3, successCondition: ok })], {
      m: [pass],
    });
    const final = await runner.start();
    expect(provider.callTimes("m")).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE]);
    expect(final.status).toMatchObject({
      phase: "Successful",
      startedAt: iso(T0),
      completedAt: iso(T0 + 2 * MINUTE),
    });
  });

  it("initialDelay: the first measurement waits for it", async () => {
    const { provider, runner } = setup([metric("m", { initialDelay: "2m", successCondition: ok })], {
      m: [pass],
    });
    await runner.start();
    expect(provider.callTimes("m")).toEqual([T0 + 2 * MINUTE]);
  });

  it("an Error measurement is retried after 10 s, then the interval resumes", async () => {
    const { provider, runner } = setup([metric("m", { interval: "1m", count: 2, successCondition: ok })], {
      m: [{ error: "prometheus: 503" }, pass],
    });
    const final = await runner.start();
    expect(provider.callTimes("m")).toEqual([T0, T0 + 10 * SECOND, T0 + 70 * SECOND]);
    expect(final.status.metricResults[0]).toMatchObject({
      error: 1,
      count: 2,
      consecutiveError: 0,
      phase: "Successful",
    });
  });

  it("five errors in a row, 10 s apart, end the run in Error", async () => {
    const { provider, runner } = setup([metric("m", { interval: "1m", successCondition: ok })], {
      m: [{ error: "timeout" }],
    });
    const final = await runner.start();
    expect(provider.callTimes("m")).toEqual([0, 10, 20, 30, 40].map((s) => T0 + s * SECOND));
    expect(final.status.phase).toBe("Error");
  });

  it("a failing metric stops the others at once", async () => {
    const { provider, runner } = setup(
      [
        metric("slow", { interval: "1m", successCondition: ok }),
        metric("bad", { interval: "1m", failureLimit: 1, successCondition: ok }),
      ],
      { slow: [pass], bad: [fail] },
    );
    const final = await runner.start();
    expect(provider.callTimes("bad")).toEqual([T0, T0 + MINUTE]);
    expect(provider.callTimes("slow")).toEqual([T0, T0 + MINUTE]);
    expect(final.status.phase).toBe("Failed");
    expect(final.status.metricResults.find((r) => r.name === "slow")?.phase).toBe("Successful");
  });

  it("calls onUpdate after every measurement, in order, with JSON-safe states", async () => {
    const { provider, runner, updates } = setup(
      [metric("m", { interval: "1m", count: 3, successCondition: ok })],
      { m: [pass] },
    );
    await runner.start();
    const measured = updates.map((u) => u.status.metricResults[0]?.measurements.length ?? 0);
    // every call to the provider shows up in a persisted state before the next call
    for (let n = 1; n <= provider.calls.length; n++) expect(measured).toContain(n);
    expect(measured).toEqual([...measured].sort((a, b) => a - b));
    expect(updates.at(-1)?.status.phase).toBe("Successful");
  });

  it("terminate(): an open-ended metric stops measuring and the run completes Successful", async () => {
    const { provider, runner, clock } = setup([metric("m", { interval: "1m", successCondition: ok })], {
      m: [pass],
    });
    clock.at(T0 + 150 * SECOND, () => runner.terminate());
    const final = await runner.start();
    expect(provider.callTimes("m")).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE]);
    expect(final.spec.terminate).toBe(true);
    expect(final.status).toMatchObject({
      phase: "Successful",
      message: "Run Terminated",
      completedAt: iso(T0 + 150 * SECOND),
    });
  });

  it("terminate() during a provider call abandons it: nothing is recorded for it", async () => {
    const provider = new NoopMetricProvider(
      {
        m: [
          (_m, ctx) =>
            new Promise<MeasurementResult>((resolve) =>
              ctx.signal.addEventListener("abort", () => resolve({ error: "aborted" })),
            ),
        ],
      },
      "prometheus",
    );
    const runner = new AnalysisRunner({
      run: newRun(specOf([metric("m", { interval: "1m" })])),
      providers: createMetricProviderFactory({ providers: { prometheus: provider } }),
      clock: new FakeClock(),
    });
    const done = runner.start();
    await vi.waitFor(() => expect(provider.calls).toHaveLength(1));
    runner.terminate();
    const final = await done;
    expect(final.status.metricResults).toEqual([]);
    expect(final.status).toMatchObject({ phase: "Successful", message: "Run Terminated" });
  });

  it("resumes after a restart from the persisted state without repeating measurements", async () => {
    const spec = [metric("m", { interval: "1m", count: 5, successCondition: ok })];
    const first = setup(spec, { m: [pass] });
    first.clock.at(T0 + 150 * SECOND, () => {
      throw new Error("kill -9");
    });
    await expect(first.runner.start()).rejects.toThrow("kill -9");
    expect(first.provider.callTimes("m")).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE]);
    const persisted = first.updates.at(-1);
    if (persisted === undefined) throw new Error("nothing persisted");

    const second = setup(spec, { m: [pass] }, persisted, new FakeClock(T0 + 150 * SECOND));
    const final = await second.runner.start();
    expect(second.provider.callTimes("m")).toEqual([T0 + 3 * MINUTE, T0 + 4 * MINUTE]);
    expect(final.status.metricResults[0]).toMatchObject({ count: 5, successful: 5, phase: "Successful" });
    expect(final.status.startedAt).toBe(iso(T0));
  });

  it("a restart long after the run was due measures once, then keeps the interval", async () => {
    const spec = [metric("m", { interval: "1m", count: 3, successCondition: ok })];
    const first = setup(spec, { m: [pass] });
    first.clock.at(T0 + 30 * SECOND, () => {
      throw new Error("crash");
    });
    await expect(first.runner.start()).rejects.toThrow("crash");
    const second = setup(spec, { m: [pass] }, first.updates.at(-1), new FakeClock(T0 + 10 * MINUTE));
    await second.runner.start();
    expect(second.provider.callTimes("m")).toEqual([T0 + 10 * MINUTE, T0 + 11 * MINUTE]);
  });

  it("a completed run picked up again measures nothing", async () => {
    const first = setup([metric("m", { successCondition: ok })], { m: [pass] });
    const done = await first.runner.start();
    const again = setup([metric("m", { successCondition: ok })], { m: [pass] }, done);
    expect(await again.runner.start()).toEqual(done);
    expect(again.provider.calls).toEqual([]);
    expect(again.updates).toEqual([]);
  });

  it("a provider that throws or answers nonsense gives Error measurements, never a crash", async () => {
    const { runner } = setup(
      [metric("a", { consecutiveErrorLimit: 0 }), metric("b", { consecutiveErrorLimit: 0 })],
      {
        a: [
          () => {
            throw new Error("socket hang up");
          },
        ],
        b: [() => ({}) as MeasurementResult],
      },
    );
    const final = await runner.start();
    expect(final.status.metricResults.map((r) => [r.name, r.measurements[0]?.message])).toEqual([
      ["a", "prometheus: socket hang up"],
      ["b", "prometheus: the provider returned {}, not one of value, error, insufficientData"],
    ]);
    expect(final.status.phase).toBe("Error");
  });

  it("a persisted run whose spec no longer compiles ends in Error", async () => {
    const broken = newRun(specOf([metric("m", { successCondition: "result >" })]));
    const { runner, provider } = setup([], {}, broken);
    const final = await runner.start();
    expect(final.status.phase).toBe("Error");
    expect(final.status.message).toMatch(
      /^Analysis spec invalid: spec.metrics\[0\].successCondition: does not compile/,
    );
    expect(provider.calls).toEqual([]);
  });

  it("start() runs once", async () => {
    const { runner } = setup([metric("m")], { m: [pass] });
    await runner.start();
    await expect(runner.start()).rejects.toThrow(/already running/);
  });
});

describe("no data is never a pass (builtin provider, minRequests, maxWait)", () => {
  function traffic(requestsAt: (now: number) => number): VersionMetricsSource & { queries: number[] } {
    const queries: number[] = [];
    return {
      queries,
      window: ({ sinceMs }): VersionWindow => {
        queries.push(sinceMs);
        const requests = requestsAt(sinceMs + MINUTE);
        return { requests, errors5xx: 0, successRate: 1, latency: { p50: 5, p90: 9, p95: 12, p99: 20 } };
      },
    };
  }
  const successRate: Metric = {
    name: "success-rate",
    interval: "1m",
    count: 2,
    maxWait: "3m",
    successCondition: "result >= 0.99",
    provider: { builtin: { metric: "successRate", version: "canary", window: "1m", minRequests: 50 } },
  };

  it("too few canary requests: waits and re-measures each interval, then Inconclusive at maxWait", async () => {
    const source = traffic(() => 12);
    const runner = new AnalysisRunner({
      run: newRun(specOf([successRate])),
      providers: createMetricProviderFactory({ versionMetrics: source }),
      clock: new FakeClock(),
    });
    const final = await runner.start();
    expect(source.queries).toEqual([0, 1, 2, 3].map((i) => T0 + i * MINUTE - MINUTE));
    expect(final.status.phase).toBe("Inconclusive");
    expect(final.status.metricResults[0]?.measurements).toEqual([
      {
        phase: "Inconclusive",
        message: "insufficient data: 12 canary requests in the last 1m; at least 50 needed (waited 3m)",
        startedAt: iso(T0),
        finishedAt: iso(T0 + 3 * MINUTE),
      },
    ]);
  });

  it("traffic arriving before maxWait completes the measurement and the run goes on", async () => {
    const source = traffic((now) => (now >= T0 + 2 * MINUTE ? 80 : 3));
    const runner = new AnalysisRunner({
      run: newRun(specOf([successRate])),
      providers: createMetricProviderFactory({ versionMetrics: source }),
      clock: new FakeClock(),
    });
    const final = await runner.start();
    expect(final.status.phase).toBe("Successful");
    expect(
      final.status.metricResults[0]?.measurements.map((m) => [m.phase, m.startedAt, m.finishedAt]),
    ).toEqual([
      ["Successful", iso(T0), iso(T0 + 2 * MINUTE)],
      ["Successful", iso(T0 + 3 * MINUTE), iso(T0 + 3 * MINUTE)],
    ]);
  });

  it("a restart while waiting keeps the original deadline", async () => {
    const source = traffic(() => 0);
    const clock = new FakeClock();
    const updates: AnalysisRun[] = [];
    const first = new AnalysisRunner({
      run: newRun(specOf([successRate])),
      providers: createMetricProviderFactory({ versionMetrics: source }),
      clock,
      onUpdate: (r) => {
        updates.push(r);
      },
    });
    clock.at(T0 + 90 * SECOND, () => {
      throw new Error("crash");
    });
    await expect(first.start()).rejects.toThrow("crash");
    const again = new AnalysisRunner({
      run: updates.at(-1) ?? newRun(specOf([])),
      providers: createMetricProviderFactory({ versionMetrics: source }),
      clock: new FakeClock(T0 + 90 * SECOND),
    });
    const final = await again.start();
    expect(final.status.metricResults[0]?.measurements[0]).toMatchObject({
      phase: "Inconclusive",
      startedAt: iso(T0),
      finishedAt: iso(T0 + 3 * MINUTE),
    });
  });
});

describe("the seed's AnalysisTemplate, run", () => {
  const template = (() => {
    const r = loadAnalysisTemplate(
      parse(readFileSync(new URL("./testdata/seed-success-rate.yaml", import.meta.url), "utf8")),
    );
    if (!r.ok) throw new Error("seed does not load");
    return r.template;
  })();
  const created = createAnalysisRun({
    name: "payment-step-2",
    templates: [template],
    args: [{ name: "service-name", value: "payment" }],
  });
  if (!created.ok) throw new Error("seed run not created");

  it("prometheus unreachable → Error measurements, then the run is Error (Argo: provider errors are measurement errors)", async () => {
    // The seed's address, prometheus.monitoring, may take a DNS timeout to fail: a closed local port fails at once.
    const metrics = created.run.spec.metrics.map((m) =>
      m.provider.prometheus === undefined
        ? m
        : { ...m, provider: { prometheus: { ...m.provider.prometheus, address: "http://127.0.0.1:1" } } },
    );
    const runner = new AnalysisRunner({
      run: { ...created.run, spec: { ...created.run.spec, metrics } },
      providers: createMetricProviderFactory(),
      clock: new FakeClock(),
    });
    const final = await runner.start();
    expect(final.status.phase).toBe("Error");
    expect(final.status.metricResults[0]?.measurements[0]?.message).toBe(
      "prometheus: connection refused (http://127.0.0.1:1)",
    );
    expect(final.status.completedAt).toBe(iso(T0 + 40 * SECOND));
  });

  it("with a stand-in for prometheus: failureLimit 3 aborts at the 4th failure (Argo counts totals, not 3 in a row)", async () => {
    const { runner, provider } = setup(
      [],
      { "success-rate": [pass, fail, pass, fail, fail, fail], "p99-latency": [{ value: [0.2] }] },
      created.run,
    );
    const final = await runner.start();
    expect(provider.callTimes("success-rate")).toHaveLength(6);
    expect(final.status.phase).toBe("Failed");
    expect(final.status.message).toBe(
      'Metric "success-rate" assessed Failed due to failed (4) > failureLimit (3)',
    );
    expect(final.status.completedAt).toBe(iso(T0 + 5 * MINUTE));
  });

  it("with a stand-in for prometheus and healthy values it runs until terminated (no count), then Successful", async () => {
    const { runner, clock } = setup(
      [],
      { "success-rate": [pass], "p99-latency": [{ value: [0.2] }] },
      created.run,
    );
    clock.at(T0 + 10 * MINUTE + SECOND, () => runner.terminate());
    const final = await runner.start();
    expect(final.status.metricResults.map((r) => [r.name, r.count, r.phase])).toEqual([
      ["success-rate", 11, "Successful"],
      ["p99-latency", 11, "Successful"],
    ]);
    expect(final.status.phase).toBe("Successful");
  });
});
