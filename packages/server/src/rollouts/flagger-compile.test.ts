import { describe, expect, it } from "vitest";
import { compileRollout } from "./compile.js";
import { load } from "./fixtures.shared-test.js";

function compile(analysis: Record<string, unknown>, canary: Record<string, unknown> = {}) {
  return compileRollout({
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "podinfo" },
    spec: {
      version: "v2",
      workload: {
        platform: "static",
        urls: { stable: "http://127.0.0.1:9001", canary: "http://127.0.0.1:9002" },
      },
      strategy: { canary: { trafficRouting: { proxy: { listen: "127.0.0.1:8080" } }, ...canary } },
      analysis,
    },
  });
}

const errors = (r: ReturnType<typeof compile>) =>
  r.issues.filter((i) => i.severity === "error").map((i) => `${i.path}: ${i.message}`);

describe("Flagger-shaped spec.analysis", () => {
  it("compiles the contract's example with Flagger's defaults", () => {
    const r = compile({
      interval: "1m",
      threshold: 5,
      stepWeights: [1, 5, 10, 25, 50],
      metrics: [
        { name: "request-success-rate", thresholdRange: { min: 99 }, interval: "1m" },
        { name: "request-duration", thresholdRange: { max: 500 }, interval: "30s" },
        {
          name: "my-metric",
          templateRef: { name: "tpl", namespace: "default" },
          thresholdRange: { min: 0.9 },
        },
      ],
      webhooks: [
        { name: "gate", type: "confirm-promotion", url: "http://127.0.0.1:8888/gate" },
        { name: "load", url: "ramp:load-test", metadata: { cmd: "hey -z 30s -q 10 -c 2" } },
      ],
    });
    expect(errors(r)).toEqual([]);
    if (!r.ok) return;
    expect(r.rollout.strategy).toMatchObject({
      kind: "flagger",
      router: { kind: "proxy", listen: "127.0.0.1:8080" },
      analysis: {
        mode: "canary",
        intervalSeconds: 60,
        threshold: 5,
        maxWeight: 50,
        stepWeight: 0,
        stepWeights: [1, 5, 10, 25, 50],
        metrics: [
          {
            name: "request-success-rate",
            builtin: "request-success-rate",
            min: 99,
            max: null,
            interval: "1m",
          },
          { name: "request-duration", builtin: "request-duration", min: null, max: 500, interval: "30s" },
          {
            name: "my-metric",
            builtin: null,
            templateRef: { name: "tpl", namespace: "default" },
            interval: "1m",
          },
        ],
        webhooks: [
          { name: "gate", type: "confirm-promotion", timeoutSeconds: 10, retries: 0 },
          { name: "load", type: "rollout", url: "ramp:load-test" },
        ],
      },
    });
  });

  it("Argo's history limits alone keep a canary a canary", () => {
    const r = compile({ successfulRunHistoryLimit: 3 }, { steps: [{ setWeight: 50 }] });
    expect(r.ok && r.rollout.strategy.kind).toBe("canary");
  });

  it("tells blue/green and A/B apart by iterations and match", () => {
    const bg = compile({ iterations: 5 });
    const ab = compile({ iterations: 5, match: [{ headers: { "x-canary": { exact: "insider" } } }] });
    expect(bg.ok && bg.rollout.strategy.kind === "flagger" && bg.rollout.strategy.analysis.mode).toBe(
      "blueGreen",
    );
    expect(ab.ok && ab.rollout.strategy.kind === "flagger" && ab.rollout.strategy.analysis.match).toEqual([
      { headerName: "x-canary", headerValue: { exact: "insider" } },
    ]);
  });

  it.each([
    [{ stepWeight: 10, stepWeights: [10, 20] }, "spec.analysis.stepWeights: is set together with stepWeight"],
    [{ stepWeights: [10, 10, 20] }, "spec.analysis.stepWeights[1]: 10 does not increase on 10"],
    [{ stepWeights: [0, 10] }, "spec.analysis.stepWeights[0]: 0 is below 1"],
    [{ stepWeights: [10, 120] }, "spec.analysis.stepWeights[1]: 120 is out of range"],
    [{ stepWeight: 10, threshold: 0 }, "spec.analysis.threshold: 0 is out of range"],
    [
      { match: [{ headers: { a: { exact: "b" } } }] },
      "spec.analysis.match: A/B testing (match) needs iterations",
    ],
    [{ iterations: 3, stepWeight: 10 }, "spec.analysis.stepWeight: is set with iterations"],
    [{ interval: "1m" }, "spec.analysis: a Flagger analysis needs stepWeight or stepWeights"],
    [
      { stepWeight: 10, metrics: [{ name: "x", query: "up" }] },
      "spec.analysis.metrics[0].query: Flagger's inline query",
    ],
    [
      { stepWeight: 10, metrics: [{ name: "request-sucess-rate", thresholdRange: { min: 1 } }] },
      "spec.analysis.metrics[0].name: 'request-sucess-rate' is not a built-in",
    ],
    [
      { stepWeight: 10, metrics: [{ name: "request-duration" }] },
      "spec.analysis.metrics[0].thresholdRange: is required",
    ],
    [
      { stepWeight: 10, webhooks: [{ name: "a", url: "not a url" }] },
      "spec.analysis.webhooks[0].url: 'not a url' is not an http(s) URL",
    ],
    [
      {
        stepWeight: 10,
        webhooks: [{ name: "a", url: "ramp:load-test", metadata: { cmd: "hey -z 1m -c 100 -q 10" } }],
      },
      "spec.analysis.webhooks[0].metadata.cmd: -c 100 × -q 10 is 1000 requests/s; at most 500 are allowed",
    ],
    [
      { stepWeight: 10, match: [{ headers: { a: { exact: "1" }, b: { exact: "2" } } }], iterations: 2 },
      "spec.analysis.match[0].headers: Ramp's routers match one header per entry",
    ],
  ])("refuses %j", (analysis, message) => {
    const r = compile(analysis);
    expect(r.ok).toBe(false);
    expect(errors(r).join("\n")).toContain(message);
  });

  it("an unknown webhook type lists the known ones with a did-you-mean", () => {
    const r = compile({
      stepWeight: 10,
      webhooks: [{ name: "a", type: "confirm-promotoin", url: "http://x.test/" }],
    });
    const issue = r.issues.find((i) => i.path === "spec.analysis.webhooks[0].type");
    expect(issue?.message).toContain("confirm-rollout");
    expect(issue?.message).toContain("confirm-promotion");
    expect(issue?.suggestion).toBe("did you mean 'confirm-promotion'?");
  });

  it("steps beside a Flagger analysis are an error at the steps", () => {
    const r = compile({ stepWeight: 10 }, { steps: [{ setWeight: 20 }] });
    expect(errors(r)).toContain(
      "spec.strategy.canary.steps: a Flagger-style spec.analysis computes the steps; remove steps or the Flagger fields",
    );
  });

  it("a Flagger analysis with blueGreen is an error", () => {
    const r = compileRollout({
      apiVersion: "ramp.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: "x" },
      spec: { version: "v1", strategy: { blueGreen: { activeService: "a" } }, analysis: { iterations: 3 } },
    });
    expect(errors(r).join("\n")).toContain("spec.analysis: Flagger's analysis drives a canary");
  });

  it("alerts are accepted with a warning pointing to spec.notifications", () => {
    const r = compile({ stepWeight: 10, alerts: [{ name: "slack", severity: "info" }] });
    expect(r.ok).toBe(true);
    expect(r.issues.find((i) => i.path === "spec.analysis.alerts")).toMatchObject({
      severity: "warning",
      suggestion: "use spec.notifications",
    });
  });
});

describe("examples/rollout-flagger.yaml", () => {
  it("loads as a Flagger-style canary with stepWeights, a load test and a confirm-promotion gate", () => {
    const spec = load("rollout-flagger.yaml");
    expect(spec.strategy.kind).toBe("flagger");
    if (spec.strategy.kind !== "flagger") return;
    expect(spec.strategy.analysis).toMatchObject({
      mode: "canary",
      intervalSeconds: 30,
      threshold: 3,
      maxWeight: 50,
      stepWeights: [1, 5, 10, 25, 50],
    });
    expect(spec.strategy.analysis.webhooks.map((w) => `${w.type} ${w.url}`)).toEqual([
      "rollout ramp:load-test",
      "confirm-promotion http://127.0.0.1:9000/approve",
      "post-rollout http://127.0.0.1:9000/done",
    ]);
  });
});
