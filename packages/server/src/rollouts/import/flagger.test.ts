import { describe, expect, it } from "vitest";
import { importFlagger } from "./flagger.js";
import { importFailed } from "./report.js";
import { expectLoads, fixture, paths, unlessAvailable } from "./testkit.shared-test.js";

type Doc = { kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> };
const find = (docs: unknown[], kind: string, name: string) => {
  const d = (docs as Doc[]).find((x) => x.kind === kind && x.metadata.name === name);
  if (d === undefined) throw new Error(`no ${kind} ${name}`);
  return d;
};
const inputCanary = (docs: unknown[]) => {
  const c = (docs as Doc[]).find((d) => d.kind === "Canary");
  if (c === undefined) throw new Error("no Canary");
  return c;
};
const analysisOf = (d: Doc) => d.spec.analysis as Record<string, unknown>;

describe("importFlagger: Flagger manifests → Flagger-shape Ramp Rollouts", () => {
  it("canary with stepWeight/maxWeight, the built-in metrics and flagger-loadtester webhooks", () => {
    const input = fixture("flagger-canary.yaml");
    const r = importFlagger(input);
    expect(paths(r)).toEqual([
      "unsupported Canary podinfo: spec.provider",
      "unsupported Canary podinfo: spec.autoscalerRef",
      "unsupported Canary podinfo: spec.service.gateways",
      "unsupported Canary podinfo: spec.service.hosts",
      "unsupported Canary podinfo: spec.service.trafficPolicy",
      "unsupported Canary podinfo: spec.service.retries",
      "unsupported Canary podinfo: spec.analysis.webhooks[0].url",
    ]);
    expect(importFailed(r.issues, false)).toBe(true);
    expect(importFailed(r.issues, true)).toBe(false);
    expect(paths(r, ["note"])).toEqual([
      "note Deployment podinfo: ",
      "note HorizontalPodAutoscaler podinfo: ",
      "note Canary podinfo: spec.targetRef",
      "note Canary podinfo: spec.workload",
      "note Canary podinfo: spec.progressDeadlineSeconds",
      "note Canary podinfo: spec.analysis.webhooks[1].url",
    ]);
    expect(expectLoads(r)).toEqual(["Rollout podinfo"]);
    const rollout = find(r.documents, "Rollout", "podinfo");
    expect(rollout).toMatchObject({
      apiVersion: "ramp.dev/v1alpha1",
      metadata: { name: "podinfo", namespace: "test" },
    });
    expect(rollout.spec).toMatchObject({
      replicas: 2,
      template: { spec: { containers: [{ image: "ghcr.io/stefanprodan/podinfo:6.0.1" }] } },
      strategy: { canary: { trafficRouting: { proxy: { listen: "127.0.0.1:8080" } } } },
      workload: {
        platform: "static",
        urls: { stable: "http://podinfo-primary:9898", canary: "http://podinfo-canary:9898" },
      },
      progressDeadlineSeconds: 60,
    });
    const source = analysisOf(inputCanary(input));
    expect(analysisOf(rollout)).toEqual({
      interval: "1m",
      threshold: 5,
      maxWeight: 50,
      stepWeight: 10,
      metrics: source.metrics,
      webhooks: [
        {
          name: "load-test",
          type: "rollout",
          url: "ramp:load-test",
          timeout: "5s",
          metadata: { cmd: "hey -z 1m -q 10 -c 2" },
        },
      ],
    });
  });

  it("stepWeights behind nginx: without the Deployment the version must be given; the old threshold becomes thresholdRange", () => {
    const input = fixture("flagger-step-weights.yaml");
    const missing = importFlagger(input);
    expect(paths(missing)).toEqual(["error Canary frontend: spec.targetRef"]);
    expect(importFailed(missing.issues, true)).toBe(true);
    expect(missing.documents).toEqual([]);

    const r = importFlagger(input, { version: "v3.1.0", listen: "127.0.0.1:8181" });
    expect(paths(r)).toEqual([
      "unsupported Canary frontend: spec.provider",
      "unsupported Canary frontend: spec.ingressRef",
    ]);
    expect(expectLoads(r)).toEqual(["Rollout frontend"]);
    const rollout = find(r.documents, "Rollout", "frontend");
    expect(rollout.spec.version).toBe("v3.1.0");
    expect(rollout.spec.strategy).toEqual({
      canary: { trafficRouting: { proxy: { listen: "127.0.0.1:8181" } } },
    });
    expect(analysisOf(rollout)).toEqual({
      interval: "30s",
      threshold: 3,
      stepWeights: [1, 5, 10, 25, 50],
      stepWeightPromotion: 25,
      metrics: [{ name: "request-success-rate", thresholdRange: { min: 99 }, interval: "1m" }],
      webhooks: [{ name: "announce", type: "event", url: "http://events.example.com/flagger" }],
    });
  });

  it("A/B testing: iterations and header matches carried, a source-label match reported, hey aimed at Ramp's proxy", () => {
    const r = importFlagger(fixture("flagger-ab.yaml"), { command: "node server.mjs" });
    expect(paths(r)).toEqual([
      "unsupported Canary abtest: spec.provider",
      "unsupported Canary abtest: spec.analysis.match[2].sourceLabels",
    ]);
    expect(expectLoads(r)).toEqual(["Rollout abtest"]);
    const rollout = find(r.documents, "Rollout", "abtest");
    expect(rollout.spec.workload).toEqual({ platform: "process", command: "node server.mjs" });
    expect(analysisOf(rollout)).toMatchObject({
      iterations: 10,
      threshold: 10,
      match: [
        { headers: { "x-canary": { exact: "insider" } } },
        { headers: { cookie: { regex: "^(.*?;)?(canary=always)(;.*)?$" } } },
      ],
      webhooks: [
        {
          name: "load-test",
          type: "rollout",
          url: "ramp:load-test",
          metadata: { cmd: "hey -z 1m -q 10 -c 2 -H 'Cookie: canary=always' http://127.0.0.1:8080/" },
        },
      ],
    });
  });

  it("blue/green: iterations without stepWeight; the loadtester gate is reported, other webhooks carried", () => {
    const r = importFlagger(fixture("flagger-bluegreen.yaml"));
    expect(paths(r)).toEqual([
      "unsupported Canary billing: spec.provider",
      "unsupported Canary billing: spec.service.portDiscovery",
      "unsupported Canary billing: spec.analysis.webhooks[0].url",
    ]);
    expect(expectLoads(r)).toEqual(["Rollout billing"]);
    const analysis = analysisOf(find(r.documents, "Rollout", "billing"));
    expect(analysis).toEqual({
      interval: "30s",
      threshold: 2,
      iterations: 10,
      metrics: [{ name: "request-success-rate", thresholdRange: { min: 99 }, interval: "1m" }],
      webhooks: [
        {
          name: "smoke",
          type: "pre-rollout",
          url: "http://smoke.example.com/run",
          timeout: "15s",
          retries: 2,
          metadata: { suite: "quick" },
        },
      ],
    });
  });

  it("MetricTemplates become AnalysisTemplates with {{args.…}}; a Datadog one is not converted and its metric goes", () => {
    const r = importFlagger(fixture("flagger-metric-templates.yaml"));
    expect(paths(r)).toEqual([
      ...unlessAvailable("prometheus", "unsupported MetricTemplate not-found-percentage: spec.provider"),
      "unsupported MetricTemplate latency-by-direction: spec.provider.secretRef",
      ...unlessAvailable("prometheus", "unsupported MetricTemplate latency-by-direction: spec.provider"),
      "unsupported MetricTemplate datadog-errors: spec.provider.type",
      "unsupported Canary podinfo: spec.provider",
      "unsupported Canary podinfo: spec.analysis.metrics[2].templateRef",
      "unsupported Canary podinfo: spec.analysis.alerts",
    ]);
    expect(r.issues.find((i) => i.path === "spec.analysis.alerts")?.instead).toMatch(/spec.notifications/);
    expect(expectLoads(r)).toEqual([
      "AnalysisTemplate not-found-percentage",
      "AnalysisTemplate latency-by-direction",
      "Rollout podinfo",
    ]);
    const notFound = find(r.documents, "AnalysisTemplate", "not-found-percentage");
    expect(notFound.metadata).toEqual({ name: "not-found-percentage", namespace: "istio-system" });
    expect(notFound.spec.args).toEqual([{ name: "namespace" }, { name: "target" }, { name: "interval" }]);
    const [metric] = notFound.spec.metrics as {
      name: string;
      provider: { prometheus: Record<string, string> };
    }[];
    expect(metric?.name).toBe("not-found-percentage");
    expect(metric?.provider.prometheus.address).toBe("http://prometheus.istio-system:9090");
    expect(metric?.provider.prometheus.query).toContain(
      'destination_workload_namespace="{{args.namespace}}",\n  destination_workload="{{args.target}}", response_code!="404"}[{{args.interval}}]',
    );
    expect(metric?.provider.prometheus.query).not.toMatch(/\{\{ /);
    const latency = find(r.documents, "AnalysisTemplate", "latency-by-direction");
    expect(latency.spec.args).toEqual([
      { name: "namespace" },
      { name: "target" },
      { name: "direction" },
      { name: "interval" },
    ]);
    expect(latency.spec.metrics).toMatchObject([
      {
        provider: {
          prometheus: { insecure: true, query: expect.stringContaining('direction="{{args.direction}}"') },
        },
      },
    ]);
    const metrics = analysisOf(find(r.documents, "Rollout", "podinfo")).metrics as { name: string }[];
    expect(metrics.map((m) => m.name)).toEqual(["404s percentage", "p99 inbound"]);
    expect(metrics[1]).toMatchObject({ templateVariables: { direction: "inbound" } });
  });

  it("a query variable Ramp does not pass fails that template; name and service read as the target", () => {
    const template = (name: string, query: string) => ({
      apiVersion: "flagger.app/v1beta1",
      kind: "MetricTemplate",
      metadata: { name },
      spec: { provider: { type: "prometheus", address: "http://prom:9090" }, query },
    });
    const r = importFlagger([
      template("by-ingress", 'sum(rate(nginx_requests{ingress="{{ ingress }}"}[{{ interval }}]))'),
      template("by-service", 'sum(rate(requests{svc="{{ service }}",canary="{{ name }}"}[1m]))'),
    ]);
    expect(paths(r)).toEqual(["unsupported MetricTemplate by-ingress: spec.query"]);
    expect(r.issues[0]?.message).toMatch(/^\{\{ ingress \}\}:/);
    expect(paths(r, ["note"])).toEqual(["note MetricTemplate by-service: spec.query"]);
    expect(expectLoads(r)).toEqual(["AnalysisTemplate by-service"]);
    expect(find(r.documents, "AnalysisTemplate", "by-service").spec).toMatchObject({
      args: [{ name: "target" }],
      metrics: [
        {
          provider: {
            prometheus: { query: 'sum(rate(requests{svc="{{args.target}}",canary="{{args.target}}"}[1m]))' },
          },
        },
      ],
    });
  });

  it("a Canary without a target is an error; Argo objects are skipped with a hint", () => {
    const r = importFlagger([
      { apiVersion: "flagger.app/v1beta1", kind: "Canary", metadata: { name: "x" }, spec: { analysis: {} } },
      { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "y" }, spec: {} },
    ]);
    expect(paths(r, ["error", "note"])).toEqual(["error Canary x: spec.targetRef.name", "note Rollout y: "]);
    expect(r.issues[1]?.message).toMatch(/--from argo/);
  });
});
