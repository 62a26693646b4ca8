import { describe, expect, it } from "vitest";
import { compileCondition, evaluateConditions } from "../../analysis/index.js";
import type { FlaggerMetric } from "../flagger-types.js";
import { createCheckRun, rangeCondition } from "./flagger-checks.js";

const check = (over: Partial<FlaggerMetric>): FlaggerMetric => ({
  name: "request-success-rate",
  builtin: "request-success-rate",
  templateRef: null,
  min: 99,
  max: null,
  interval: "1m",
  templateVariables: {},
  ...over,
});

const TEMPLATE = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "error-rate" },
  spec: {
    args: [{ name: "target" }, { name: "interval" }, { name: "route" }, { name: "canary-version" }],
    metrics: [
      {
        name: "error-rate",
        interval: "5m",
        count: 3,
        successCondition: "result[0] < 0.5",
        provider: {
          prometheus: {
            address: "http://127.0.0.1:9090",
            query:
              'sum(rate(errors{app="{{args.target}}",route="{{args.route}}",v="{{args.canary-version}}"}[{{args.interval}}]))',
          },
        },
      },
    ],
  },
};

const args = [
  { name: "target", value: "podinfo" },
  { name: "namespace", value: "default" },
  { name: "canary-version", value: "v2" },
  { name: "stable-version", value: "v1" },
];

describe("createCheckRun", () => {
  it("measures each check once; any error or missing data fails it at once", async () => {
    const r = await createCheckRun(
      "web-r2-check3",
      [
        check({}),
        check({
          name: "request-duration",
          builtin: "request-duration",
          min: null,
          max: 500,
          interval: "30s",
        }),
      ],
      args,
      async () => undefined,
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.run.spec.metrics).toEqual([
      {
        name: "request-success-rate",
        consecutiveErrorLimit: 0,
        failureLimit: 0,
        inconclusiveLimit: 0,
        maxWait: "0s",
        successCondition: "result >= 99.0",
        provider: { builtin: { metric: "request-success-rate", version: "canary", window: "1m" } },
      },
      expect.objectContaining({
        name: "request-duration",
        successCondition: "result <= 500.0",
        provider: { builtin: { metric: "request-duration", version: "canary", window: "30s" } },
      }),
    ]);
    expect(r.run.status.phase).toBe("Pending");
  });

  it("takes a template's first metric, its query filled with the rollout's args, judged by the range", async () => {
    const r = await createCheckRun(
      "web-r2-check3",
      [
        check({
          name: "errors",
          builtin: null,
          templateRef: { name: "error-rate", namespace: null },
          min: null,
          max: 1,
          interval: "2m",
          templateVariables: { route: "/api" },
        }),
      ],
      args,
      async (name) => (name === "error-rate" ? TEMPLATE : undefined),
    );
    if (!r.ok) throw new Error(r.message);
    const [metric] = r.run.spec.metrics;
    expect(metric).toMatchObject({ name: "errors", successCondition: "result[0] <= 1.0", maxWait: "0s" });
    expect(metric?.count).toBeUndefined();
    expect(metric?.interval).toBeUndefined();
    expect(metric?.provider.prometheus?.query).toBe(
      'sum(rate(errors{app="podinfo",route="/api",v="v2"}[2m]))',
    );
  });

  it("a missing template is an error naming it", async () => {
    const r = await createCheckRun(
      "x",
      [check({ builtin: null, templateRef: { name: "nope", namespace: null } })],
      args,
      async () => undefined,
    );
    expect(r).toEqual({
      ok: false,
      message: "metric request-success-rate: analysis template 'nope' not found",
    });
  });
});

describe("rangeCondition", () => {
  it.each([
    [{ min: 99, max: null }, 99.5, "Successful"],
    [{ min: 99, max: null }, 98, "Failed"],
    [{ min: null, max: 500 }, 501, "Failed"],
    [{ min: 0.5, max: 1.5 }, 1, "Successful"],
    [{ min: 0.5, max: 1.5 }, 2, "Failed"],
  ])("%j judges %d %s", (range, value, phase) => {
    const compiled = compileCondition(rangeCondition(range, "result"));
    if (!compiled.ok) throw new Error(compiled.message);
    expect(evaluateConditions({ successCondition: compiled.condition }, value, 0).phase).toBe(phase);
  });
});
