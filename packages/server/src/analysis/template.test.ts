import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createAnalysisRun } from "./analysis-run.js";
import { loadAnalysisTemplate } from "./template.js";
import type { AnalysisTemplate } from "./types.js";

// The seed's AnalysisTemplate (section 2.3), byte for byte.
const SEED = readFileSync(new URL("./testdata/seed-success-rate.yaml", import.meta.url), "utf8");

function load(doc: unknown): AnalysisTemplate {
  const r = loadAnalysisTemplate(doc);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
  return r.template;
}

function base(metric: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "t" },
    spec: {
      metrics: [{ name: "m", provider: { builtin: { metric: "successRate" } }, ...metric }],
      ...spec,
    },
  };
}

describe("the seed's AnalysisTemplate", () => {
  it("loads unchanged, its Prometheus settings checked", () => {
    const t = load(parse(SEED));
    expect(t.kind).toBe("AnalysisTemplate");
    expect(t.metadata.name).toBe("success-rate");
    expect(t.spec.args).toEqual([{ name: "service-name" }]);
    expect(t.spec.metrics.map((m) => [m.name, m.interval, m.successCondition, m.failureLimit])).toEqual([
      ["success-rate", "1m", "result[0] >= 0.95", 3],
      ["p99-latency", "1m", "result[0] <= 0.5", 3],
    ]);
    expect(t.spec.metrics[0]?.provider.prometheus?.address).toBe("http://prometheus.monitoring:9090");
  });

  it("becomes a run once the rollout passes service-name; the queries are substituted", () => {
    const r = createAnalysisRun({
      name: "payment-1",
      templates: [load(parse(SEED))],
      args: [{ name: "service-name", value: "payment" }],
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const query = r.run.spec.metrics[0]?.provider.prometheus?.query ?? "";
    expect(query).toContain('service="payment"');
    expect(query).not.toContain("{{");
    expect(
      r.analysis.metrics.map((m) => [m.name, m.intervalMs, m.count, m.failureLimit, m.consecutiveErrorLimit]),
    ).toEqual([
      ["success-rate", 60_000, undefined, 3, 4],
      ["p99-latency", 60_000, undefined, 3, 4],
    ]);
    expect(r.run.status.phase).toBe("Pending");
  });

  it("without service-name the run is refused: the argument has no default", () => {
    const r = createAnalysisRun({ name: "payment-1", templates: [load(parse(SEED))] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toEqual([
        expect.objectContaining({
          path: "spec.args[0]",
          message: expect.stringMatching(
            /^AnalysisTemplate 'success-rate': args.service-name was not resolved/,
          ),
        }),
      ]);
    }
  });
});

describe("validation reports every problem with its path", () => {
  const cases: { rule: string; doc: unknown; path: string; message: RegExp }[] = [
    {
      rule: "kind must be an analysis template",
      doc: { ...base(), kind: "Rollout" },
      path: "kind",
      message: /AnalysisTemplate/,
    },
    {
      rule: "apiVersion is Argo's",
      doc: { ...base(), apiVersion: "v1" },
      path: "apiVersion",
      message: /argoproj.io\/v1alpha1/,
    },
    {
      rule: "metadata.name is required",
      doc: { ...base(), metadata: {} },
      path: "metadata.name",
      message: /required/,
    },
    {
      rule: "at least one metric",
      doc: base({}, { metrics: [] }),
      path: "spec.metrics",
      message: /no metrics specified/,
    },
    {
      rule: "a condition that does not compile",
      doc: base({ successCondition: "result[0] >=" }),
      path: "spec.metrics[0].successCondition",
      message: /does not compile/,
    },
    {
      rule: "a failureCondition that does not compile",
      doc: base({ failureCondition: "result ==== 1" }),
      path: "spec.metrics[0].failureCondition",
      message: /does not compile/,
    },
    {
      rule: "misspelt field, with a suggestion",
      doc: base({ sucessCondition: "result > 1" }),
      path: "spec.metrics[0].sucessCondition",
      message: /did you mean 'successCondition'/,
    },
    {
      rule: "interval is a Go duration",
      doc: base({ interval: "1 minute" }),
      path: "spec.metrics[0].interval",
      message: /invalid interval/,
    },
    {
      rule: "interval must be positive",
      doc: base({ interval: "0s" }),
      path: "spec.metrics[0].interval",
      message: /> 0/,
    },
    {
      rule: "initialDelay is a duration",
      doc: base({ initialDelay: 5 }),
      path: "spec.metrics[0].initialDelay",
      message: /duration/,
    },
    {
      rule: "failureLimit >= -1",
      doc: base({ failureLimit: -2 }),
      path: "spec.metrics[0].failureLimit",
      message: /must be >= 0, or -1/,
    },
    {
      rule: "failureLimit -1 needs consecutiveSuccessLimit",
      doc: base({ failureLimit: -1 }),
      path: "spec.metrics[0].failureLimit",
      message: /cannot both be disabled/,
    },
    {
      rule: "inconclusiveLimit >= 0",
      doc: base({ inconclusiveLimit: -1 }),
      path: "spec.metrics[0].inconclusiveLimit",
      message: /must be >= 0/,
    },
    {
      rule: "consecutiveErrorLimit >= 0",
      doc: base({ consecutiveErrorLimit: -1 }),
      path: "spec.metrics[0].consecutiveErrorLimit",
      message: /must be >= 0/,
    },
    {
      rule: "limits are whole numbers",
      doc: base({ failureLimit: "three" }),
      path: "spec.metrics[0].failureLimit",
      message: /whole number/,
    },
    {
      rule: "count > 1 needs an interval",
      doc: base({ count: 3 }),
      path: "spec.metrics[0].interval",
      message: /interval must be specified when count > 1/,
    },
    {
      rule: "count >= failureLimit + consecutiveSuccessLimit",
      doc: base({ count: 3, interval: "1m", failureLimit: 2, consecutiveSuccessLimit: 2 }),
      path: "spec.metrics[0].count",
      message: /count \(3\) must be >= failureLimit \+ consecutiveSuccessLimit \(2 \+ 2\)/,
    },
    {
      rule: "count >= inconclusiveLimit",
      doc: base({ count: 2, interval: "1m", inconclusiveLimit: 3 }),
      path: "spec.metrics[0].count",
      message: /inconclusiveLimit/,
    },
    {
      rule: "a provider is required",
      doc: base({ provider: undefined }),
      path: "spec.metrics[0].provider",
      message: /no provider specified/,
    },
    {
      rule: "unknown provider, with a suggestion",
      doc: base({ provider: { promethus: { query: "up" } } }),
      path: "spec.metrics[0].provider.promethus",
      message: /unknown provider 'promethus' \(did you mean 'prometheus'\?\); known: builtin, prometheus/,
    },
    {
      rule: "exactly one provider",
      doc: base({ provider: { builtin: { metric: "successRate" }, prometheus: { query: "up" } } }),
      path: "spec.metrics[0].provider",
      message: /multiple providers/,
    },
    {
      rule: "prometheus needs a query",
      doc: base({ provider: { prometheus: { address: "http://p:9090" } } }),
      path: "spec.metrics[0].provider.prometheus.query",
      message: /required/,
    },
    {
      rule: "builtin metric kinds are a closed set",
      doc: base({ provider: { builtin: { metric: "sucessRate" } } }),
      path: "spec.metrics[0].provider.builtin.metric",
      message: /did you mean 'successRate'/,
    },
    {
      rule: "builtin window is a duration",
      doc: base({ provider: { builtin: { metric: "successRate", window: "soon" } } }),
      path: "spec.metrics[0].provider.builtin.window",
      message: /positive duration/,
    },
    {
      rule: "builtin version is canary or stable",
      doc: base({ provider: { builtin: { metric: "successRate", version: "blue" } } }),
      path: "spec.metrics[0].provider.builtin.version",
      message: /canary/,
    },
    {
      rule: "builtin minRequests is a whole number",
      doc: base({ provider: { builtin: { metric: "successRate", minRequests: -1 } } }),
      path: "spec.metrics[0].provider.builtin.minRequests",
      message: /whole number/,
    },
    {
      rule: "a placeholder names a declared argument",
      doc: base({ provider: { prometheus: { query: "up{svc='{{args.svc}}'}" } } }),
      path: "spec.metrics[0].provider.prometheus.query",
      message: /\{\{args.svc\}\} names an argument spec.args does not declare/,
    },
    {
      rule: "only {{args.*}} placeholders",
      doc: base({ provider: { prometheus: { query: "{{workflow.name}}" } } }),
      path: "spec.metrics[0].provider.prometheus.query",
      message: /unknown placeholder/,
    },
    {
      rule: "metric names are unique",
      doc: base({}, { metrics: [base().spec.metrics[0], base().spec.metrics[0]] }),
      path: "spec.metrics[1].name",
      message: /duplicate name 'm'/,
    },
    {
      rule: "valueFrom (Kubernetes secrets) is refused",
      doc: base({}, { args: [{ name: "k", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] }),
      path: "spec.args[0].valueFrom",
      message: /not supported/,
    },
    {
      rule: "arg values are strings",
      doc: base({}, { args: [{ name: "k", value: 5 }] }),
      path: "spec.args[0].value",
      message: /quote it/,
    },
    {
      rule: "dryRun metricName is a regular expression",
      doc: base({}, { dryRun: [{ metricName: "*" }] }),
      path: "spec.dryRun[0].metricName",
      message: /invalid regular expression/,
    },
    {
      rule: "measurementRetention needs a limit",
      doc: base({}, { measurementRetention: [{ metricName: "m" }] }),
      path: "spec.measurementRetention[0].limit",
      message: /measurements to keep/,
    },
    {
      rule: "nested templates are refused",
      doc: base({}, { templates: [{ templateName: "x" }] }),
      path: "spec.templates",
      message: /not supported/,
    },
  ];

  it.each(cases)("$rule ($path)", ({ doc, path, message }) => {
    const r = loadAnalysisTemplate(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toContainEqual(
      expect.objectContaining({ path, message: expect.stringMatching(message) }),
    );
  });

  it("reports all problems of a document in one pass", () => {
    const r = loadAnalysisTemplate({
      kind: "AnalysisTemplate",
      metadata: { name: "t" },
      spec: {
        metrics: [
          { name: "a", interval: "often", provider: { builtin: { metric: "successRate" } } },
          { name: "b", successCondition: "result >", provider: { web: { url: "http://x" } } },
        ],
      },
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual([
      "spec.metrics[0].interval",
      "spec.metrics[1].successCondition",
    ]);
  });

  it("accepts a ClusterAnalysisTemplate, JSON, and Argo's other providers (web, job, …)", () => {
    const t = load(
      JSON.parse(
        JSON.stringify({
          ...base({ provider: { web: { url: "http://x/health", jsonPath: "{$.ok}" } } }),
          kind: "ClusterAnalysisTemplate",
        }),
      ),
    );
    expect(t.kind).toBe("ClusterAnalysisTemplate");
    expect(t.spec.metrics[0]?.provider.web).toEqual({ url: "http://x/health", jsonPath: "{$.ok}" });
  });
});

describe("{{args.*}} substitution", () => {
  const template = load(
    base(
      {
        interval: "{{args.interval}}",
        successCondition: "result >= {{ args.threshold }}",
        provider: { builtin: { metric: "successRate", service: "{{args.service}}" } },
      },
      {
        args: [{ name: "service" }, { name: "threshold", value: "0.99" }, { name: "interval", value: "30s" }],
      },
    ),
  );

  it("uses the template's defaults and the rollout's values; conditions compile after substitution", () => {
    const r = createAnalysisRun({
      name: "r",
      templates: [template],
      args: [
        { name: "service", value: "checkout" },
        { name: "interval", value: "2m" },
        { name: "unused", value: "x" },
      ],
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.run.spec.metrics[0]).toMatchObject({
      interval: "2m",
      successCondition: "result >= 0.99",
      provider: { builtin: { service: "checkout" } },
    });
    expect(r.run.spec.args).toEqual([
      { name: "service", value: "checkout" },
      { name: "threshold", value: "0.99" },
      { name: "interval", value: "2m" },
    ]);
    expect(r.analysis.metrics[0]?.intervalMs).toBe(120_000);
  });

  it("a substituted value that is invalid is reported at the template's path", () => {
    const r = createAnalysisRun({
      name: "r",
      templates: [template],
      args: [
        { name: "service", value: "checkout" },
        { name: "threshold", value: "0.9)" },
      ],
    });
    expect(r.ok ? [] : r.issues).toContainEqual(
      expect.objectContaining({
        path: "spec.metrics[0].successCondition",
        message: expect.stringMatching(/^AnalysisTemplate 't': does not compile/),
      }),
    );
  });

  it("templates combine as in Argo: a metric name used twice is an error", () => {
    const r = createAnalysisRun({ name: "r", templates: [load(base()), load(base())] });
    expect(r.ok ? [] : r.issues).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/two metrics have the same name 'm'/) }),
    );
  });

  it("templates combine as in Argo: one argument given two different defaults is an error", () => {
    const a = load(base({}, { args: [{ name: "x", value: "1" }] }));
    const b = load({
      ...base({ name: "n" }, { args: [{ name: "x", value: "2" }] }),
      metadata: { name: "b" },
    });
    const r = createAnalysisRun({ name: "r", templates: [a, b] });
    expect(r.ok ? [] : r.issues).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/two different values/) }),
    );
  });

  it("a dryRun rule from the rollout must match a metric", () => {
    const r = createAnalysisRun({
      name: "r",
      templates: [load(base())],
      dryRun: [{ metricName: "nothing" }],
    });
    expect(r.ok ? [] : r.issues).toEqual([
      expect.objectContaining({ path: "spec.dryRun[0]", message: "rule didn't match any metric name(s)" }),
    ]);
  });
});
