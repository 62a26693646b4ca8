import { describe, expect, it } from "vitest";
import { importArgo } from "./argo.js";
import { formatImportIssue, type ImportResult, importFailed } from "./report.js";
import { expectLoads, fixture, paths, unlessAvailable } from "./testkit.shared-test.js";

type Doc = { kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> };
const find = (docs: unknown[], kind: string, name: string) => {
  const d = (docs as Doc[]).find((x) => x.kind === kind && x.metadata.name === name);
  if (d === undefined) throw new Error(`no ${kind} ${name}`);
  return d;
};
const canaryOf = (d: Doc) => (d.spec.strategy as { canary: Record<string, unknown> }).canary;
const blueGreenOf = (d: Doc) => (d.spec.strategy as { blueGreen: Record<string, unknown> }).blueGreen;
/** The report's lines (as the CLI prints them, FILE standing for the file) about one object's notes. */
const noteLines = (r: ImportResult, object: string) =>
  r.issues.filter((i) => i.kind === "note" && i.object === object).map((i) => formatImportIssue(i, "FILE"));

describe("importArgo: Argo Rollouts manifests → Ramp", () => {
  it("canary with steps and an analysis step: routing by replicas becomes the proxy, Kubernetes bookkeeping goes", () => {
    const r = importArgo(fixture("argo-canary-analysis.yaml"));
    const expected = unlessAvailable(
      "prometheus",
      "unsupported AnalysisTemplate http-success-rate: spec.metrics[0].provider.prometheus",
    );
    expect(paths(r)).toEqual(expected);
    expect(importFailed(r.issues, false)).toBe(expected.length > 0);
    expect(importFailed(r.issues, true)).toBe(false);
    expect(paths(r, ["note"])).toEqual([
      "note Rollout guestbook: spec.strategy.canary",
      "note Rollout guestbook: spec.workload",
      "note Service guestbook-canary: ",
    ]);
    expect(expectLoads(r)).toEqual(["Rollout guestbook", "AnalysisTemplate http-success-rate"]);
    const rollout = find(r.documents, "Rollout", "guestbook");
    expect(rollout).toMatchObject({ apiVersion: "ramp.dev/v1alpha1" });
    expect(rollout.metadata).toEqual({ name: "guestbook", namespace: "shop", labels: { app: "guestbook" } });
    expect(rollout).not.toHaveProperty("status");
    expect(canaryOf(rollout).trafficRouting).toEqual({ proxy: { listen: "127.0.0.1:8080" } });
    expect(canaryOf(rollout).steps).toHaveLength(5);
    expect(rollout.spec.workload).toEqual({
      platform: "static",
      urls: { stable: "http://guestbook-stable", canary: "http://guestbook-canary" },
    });
    // The template is carried over as written.
    const input = fixture("argo-canary-analysis.yaml")[1] as Doc;
    expect(find(r.documents, "AnalysisTemplate", "http-success-rate").spec).toEqual(input.spec);
  });

  it("blue-green with pre- and post-promotion analysis: a status field reference cannot be resolved", () => {
    const r = importArgo(fixture("argo-bluegreen.yaml"));
    const expected = [
      "unsupported Rollout checkout: spec.strategy.blueGreen.postPromotionAnalysis.args[1].valueFrom.fieldRef.fieldPath",
      ...unlessAvailable("web", "unsupported AnalysisTemplate smoke-test: spec.metrics[0].provider.web"),
    ];
    expect(paths(r)).toEqual(expected);
    expect(importFailed(r.issues, false)).toBe(true);
    expect(importFailed(r.issues, true)).toBe(false);
    expect(expectLoads(r)).toEqual(["Rollout checkout", "AnalysisTemplate smoke-test"]);
    const blueGreen = (find(r.documents, "Rollout", "checkout").spec.strategy as { blueGreen: Doc["spec"] })
      .blueGreen;
    expect(blueGreen.trafficRouting).toEqual({ proxy: { listen: "127.0.0.1:8080" } });
    expect(blueGreen.prePromotionAnalysis).toEqual({
      templates: [{ templateName: "smoke-test" }],
      args: [
        { name: "service", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "hash", valueFrom: { podTemplateHashValue: "Latest" } },
      ],
    });
    expect(blueGreen.postPromotionAnalysis).toEqual({
      templates: [{ templateName: "smoke-test" }],
      args: [{ name: "service", value: "checkout-active" }],
    });
  });

  it("blue-green previewService: without --preview-listen a note names the option, nothing is dropped; with it the proxy gets previewListen", () => {
    const docs = fixture("argo-bluegreen.yaml");
    const unsupported = [
      "unsupported Rollout checkout: spec.strategy.blueGreen.postPromotionAnalysis.args[1].valueFrom.fieldRef.fieldPath",
      ...unlessAvailable("web", "unsupported AnalysisTemplate smoke-test: spec.metrics[0].provider.web"),
    ];
    const placeholders = [
      "FILE: note: Rollout checkout: spec.workload: added with placeholder URLs: stable http://checkout-active, canary http://checkout-preview",
      "    instead: replace them with the URLs that serve each version, or import again with --stable-url URL --canary-url URL (static) or --command CMD (Ramp runs it per replica with PORT set)",
    ].join("\n");

    const without = importArgo(docs);
    expect(paths(without)).toEqual(unsupported);
    expect(noteLines(without, "Rollout checkout")).toEqual([
      [
        "FILE: note: Rollout checkout: spec.strategy.blueGreen: Argo switches the selectors of Kubernetes Services (activeService, previewService)",
        `    instead: Ramp's built-in proxy on "127.0.0.1:8080" plays the active service (choose with --listen HOST:PORT)`,
      ].join("\n"),
      [
        "FILE: note: Rollout checkout: spec.strategy.blueGreen.previewService: checkout-preview has no entry point: without trafficRouting.proxy.previewListen nothing reaches the new version before the switch",
        "    instead: import again with --preview-listen HOST:PORT (every request there goes to the new version), or add previewListen by hand (docs/routers.md)",
      ].join("\n"),
      placeholders,
    ]);
    expect(blueGreenOf(find(without.documents, "Rollout", "checkout")).trafficRouting).toEqual({
      proxy: { listen: "127.0.0.1:8080" },
    });

    const withPreview = importArgo(docs, { listen: "127.0.0.1:9101", previewListen: "127.0.0.1:9102" });
    expect(paths(withPreview)).toEqual(unsupported);
    expect(noteLines(withPreview, "Rollout checkout")).toEqual([
      [
        "FILE: note: Rollout checkout: spec.strategy.blueGreen: Argo switches the selectors of Kubernetes Services (activeService, previewService)",
        `    instead: Ramp's built-in proxy on "127.0.0.1:9101" plays the active service (choose with --listen HOST:PORT), and on "127.0.0.1:9102" the preview service`,
      ].join("\n"),
      placeholders,
    ]);
    expect(expectLoads(withPreview)).toEqual(["Rollout checkout", "AnalysisTemplate smoke-test"]);
    const blueGreen = blueGreenOf(find(withPreview.documents, "Rollout", "checkout"));
    expect(blueGreen.trafficRouting).toEqual({
      proxy: { listen: "127.0.0.1:9101", previewListen: "127.0.0.1:9102" },
    });
    expect(blueGreen.previewService).toBe("checkout-preview");
  });

  it("--preview-listen is checked by the server's loader with the rest of the document; unused where there is no previewService", () => {
    const docs = fixture("argo-bluegreen.yaml");
    // The default listen and the preview on one address: the loader's error, at the field's path.
    const same = importArgo(docs, { previewListen: "127.0.0.1:8080" });
    expect(paths(same, ["error"])).toEqual([
      "error Rollout checkout: spec.strategy.blueGreen.trafficRouting.proxy.previewListen",
    ]);
    expect(same.issues.find((i) => i.kind === "error")?.message).toBe(
      "is the same address as listen (127.0.0.1:8080)",
    );
    expect(same.documents.map((d) => (d as Doc).kind)).toEqual(["AnalysisTemplate"]);
    expect(paths(importArgo(docs, { previewListen: "preview" }), ["error"])).toEqual([
      "error Rollout checkout: spec.strategy.blueGreen.trafficRouting.proxy.previewListen",
    ]);

    // A blue-green rollout without previewService and a canary: the option is not used, and said so.
    const rollout = docs[0] as Doc;
    const blueGreen = blueGreenOf(rollout);
    const { previewService: _, ...noPreview } = blueGreen;
    const bare = { ...rollout, spec: { ...rollout.spec, strategy: { blueGreen: noPreview } } };
    const canary = fixture("argo-canary-analysis.yaml")[0];
    const r = importArgo([bare, canary], { previewListen: "127.0.0.1:9102" });
    expect(paths(r, ["error"])).toEqual([]);
    expect(blueGreenOf(find(r.documents, "Rollout", "checkout")).trafficRouting).toEqual({
      proxy: { listen: "127.0.0.1:8080" },
    });
    expect(canaryOf(find(r.documents, "Rollout", "guestbook")).trafficRouting).toEqual({
      proxy: { listen: "127.0.0.1:8080" },
    });
    expect(r.issues.filter((i) => i.message.includes("--preview-listen is not used"))).toMatchObject([
      { object: "Rollout checkout", path: "spec.strategy.blueGreen" },
      { object: "Rollout guestbook", path: "spec.strategy.canary" },
    ]);
  });

  it("background analysis: nginx, an experiment step, a Secret argument and Datadog are reported; startingStep follows the dropped step", () => {
    const r = importArgo(fixture("argo-background-analysis.yaml"), { listen: "127.0.0.1:9000" });
    expect(paths(r)).toEqual([
      "unsupported Rollout orders: spec.strategy.canary.trafficRouting.nginx",
      "unsupported Rollout orders: spec.strategy.canary.steps[1].experiment",
      "unsupported Rollout orders: spec.strategy.canary.analysis.args[1].valueFrom.secretKeyRef",
      "unsupported AnalysisTemplate error-rate: spec.args[1].valueFrom",
      "unsupported AnalysisTemplate error-rate: spec.metrics[0].provider.datadog",
    ]);
    expect(importFailed(r.issues, false)).toBe(true);
    expect(importFailed(r.issues, true)).toBe(false);
    expect(expectLoads(r)).toEqual(["Rollout orders", "AnalysisTemplate error-rate"]);
    const canary = canaryOf(find(r.documents, "Rollout", "orders"));
    expect(canary.trafficRouting).toEqual({ proxy: { listen: "127.0.0.1:9000" } });
    expect(canary.steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: "1m" } },
      { setWeight: 40 },
      { pause: { duration: "5m" } },
    ]);
    // startingStep 3 pointed at the pause after the experiment; that pause is now step 2.
    expect(canary.analysis).toEqual({
      templates: [{ templateName: "error-rate" }],
      startingStep: 2,
      args: [{ name: "service-name", value: "orders-canary" }],
    });
    // Datadog is kept: an analysis Ramp cannot run fails closed instead of passing unmeasured.
    const metric = (
      find(r.documents, "AnalysisTemplate", "error-rate").spec.metrics as { provider: object }[]
    )[0];
    expect(Object.keys(metric?.provider ?? {})).toEqual(["datadog"]);
    expect(r.issues.find((i) => i.path === "spec.metrics[0].provider.datadog")?.message).toMatch(
      /kept, so its measurements are Error/,
    );
  });

  it("Istio header routes and mirroring: managedRoutes and the route steps stay, the Istio objects are skipped", () => {
    const input = fixture("argo-istio-header-routes.yaml");
    const r = importArgo(input);
    expect(paths(r)).toEqual(["unsupported Rollout reviews: spec.strategy.canary.trafficRouting.istio"]);
    expect(r.issues.find((i) => i.kind === "unsupported")?.instead).toMatch(
      /trafficRouting.proxy.listen "127.0.0.1:8080"/,
    );
    expect(paths(r, ["note"])).toEqual([
      "note Rollout reviews: spec.workload",
      "note VirtualService reviews-vsvc: ",
      "note DestinationRule reviews-destrule: ",
    ]);
    expect(expectLoads(r)).toEqual(["Rollout reviews"]);
    const canary = canaryOf(find(r.documents, "Rollout", "reviews"));
    expect(canary.trafficRouting).toEqual({
      managedRoutes: [{ name: "set-header" }, { name: "mirror-route" }],
      proxy: { listen: "127.0.0.1:8080" },
    });
    expect(canary.steps).toEqual(canaryOf(input[0] as Doc).steps);
  });

  it("ClusterAnalysisTemplate with a Job metric; a workloadRef resolved from the Deployment in the file", () => {
    const r = importArgo(fixture("argo-cluster-template.yaml"));
    expect(paths(r)).toEqual([
      "unsupported ClusterAnalysisTemplate cluster-checks: spec.metrics[0].provider.job",
      ...unlessAvailable(
        "prometheus",
        "unsupported ClusterAnalysisTemplate cluster-checks: spec.metrics[1].provider.prometheus",
      ),
      "unsupported Rollout payments: spec.strategy.canary.trafficRouting.smi",
    ]);
    expect(r.issues.find((i) => i.path.endsWith("provider.job"))?.instead).toMatch(/`command` provider/);
    expect(expectLoads(r)).toEqual(["ClusterAnalysisTemplate cluster-checks", "Rollout payments"]);
    const rollout = find(r.documents, "Rollout", "payments");
    expect(rollout.spec).not.toHaveProperty("workloadRef");
    expect(rollout.spec.template).toMatchObject({
      spec: { containers: [{ image: "example/payments:v9.1.0" }] },
    });
    expect(r.issues.filter((i) => i.object === "Deployment payments").map((i) => i.message)).toEqual([
      "used for its pod template (the rollout's workloadRef); not printed",
    ]);
    expect(canaryOf(rollout).steps).toContainEqual({
      analysis: {
        templates: [{ templateName: "cluster-checks", clusterScope: true }],
        args: [{ name: "service-name", value: "payments" }],
      },
    });
  });

  it("workload options: --command runs a process, --stable-url/--canary-url are static, --version names the version", () => {
    const docs = fixture("argo-istio-header-routes.yaml");
    const byCommand = importArgo(docs, { command: "node server.mjs", version: "v4" });
    const rollout = find(byCommand.documents, "Rollout", "reviews");
    expect(rollout.spec.workload).toEqual({ platform: "process", command: "node server.mjs" });
    expect(rollout.spec.version).toBe("v4");
    expect(paths(byCommand, ["note"])).not.toContain("note Rollout reviews: spec.workload");
    const byUrls = importArgo(docs, {
      stableUrl: "http://127.0.0.1:9001",
      canaryUrl: "http://127.0.0.1:9002",
    });
    expect(find(byUrls.documents, "Rollout", "reviews").spec.workload).toEqual({
      platform: "static",
      urls: { stable: "http://127.0.0.1:9001", canary: "http://127.0.0.1:9002" },
    });
    expectLoads(byCommand);
    expectLoads(byUrls);
  });

  it("a workloadRef without its Deployment: unsupported, and without --version the rollout has no version", () => {
    const docs = fixture("argo-cluster-template.yaml").slice(0, 2);
    const r = importArgo(docs);
    expect(paths(r).filter((p) => p.includes("Rollout"))).toEqual([
      "unsupported Rollout payments: spec.workloadRef",
      "unsupported Rollout payments: spec.strategy.canary.trafficRouting.smi",
      "error Rollout payments: spec.template",
    ]);
    expect(importFailed(r.issues, true)).toBe(true);
    const withVersion = importArgo(docs, { version: "v9.2.0" });
    expect(importFailed(withVersion.issues, true)).toBe(false);
    expect(expectLoads(withVersion)).toContain("Rollout payments");
  });

  it("maxTrafficWeight rescales the weights; fields Ramp does not know are dropped by path; Lists are read", () => {
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Rollout",
          metadata: { name: "web" },
          spec: {
            version: "v2",
            strategy: {
              canary: {
                trafficRouting: { maxTrafficWeight: 1000, nginx: { stableIngress: "web" } },
                futureField: { x: 1 },
                steps: [{ setWeight: 50 }, { setWeight: 500 }],
              },
            },
          },
        },
      ],
    };
    const r = importArgo([list]);
    expect(paths(r)).toEqual([
      "unsupported Rollout web: spec.strategy.canary.trafficRouting.nginx",
      "unsupported Rollout web: spec.strategy.canary.futureField",
    ]);
    const canary = canaryOf(find(r.documents, "Rollout", "web"));
    expect(canary.steps).toEqual([{ setWeight: 5 }, { setWeight: 50 }]);
    expect(canary).not.toHaveProperty("futureField");
    expectLoads(r);
  });

  it("a template the file does not hold is noted where the rollout names it", () => {
    const rollout = (fixture("argo-canary-analysis.yaml")[0] ?? {}) as Doc;
    const r = importArgo([rollout]);
    expect(paths(r)).toEqual([]);
    expect(r.issues.filter((i) => i.path.endsWith("templateName"))).toEqual([
      {
        kind: "note",
        document: 0,
        object: "Rollout guestbook",
        path: "spec.strategy.canary.steps[2].analysis.templates[0].templateName",
        message: "template http-success-rate is not in this file",
        instead: "apply an AnalysisTemplate named http-success-rate with the rollout",
      },
    ]);
  });

  it("errors: an object with no name, a document that is not an object; Flagger objects are skipped", () => {
    const r = importArgo([
      { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: {}, spec: {} },
      "just text",
      { apiVersion: "flagger.app/v1beta1", kind: "Canary", metadata: { name: "c" }, spec: {} },
    ]);
    expect(paths(r, ["error", "note"])).toEqual([
      "error Rollout <unnamed>: metadata.name",
      "error document <unnamed>: ",
      "note Canary c: ",
    ]);
    expect(r.issues[2]?.message).toMatch(/--from flagger/);
    expect(r.documents).toEqual([]);
  });
});
