import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileRollout, imageTag } from "./compile.js";
import { durationSeconds, formatSeconds } from "./duration.js";
import { formatIssue, loadRolloutFile, parseRollouts } from "./load.js";
import { rolloutJsonSchema } from "./spec.js";

const example = (name: string) => fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));

/** Section 2.2 of the seed, verbatim. */
const SEED_ROLLOUT = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: payment-service
spec:
  replicas: 10
  selector:
    matchLabels:
      app: payment-service
  template:
    metadata:
      labels:
        app: payment-service
    spec:
      containers:
        - name: payment-service
          image: myorg/payment:v2.0.0
          ports: [{ containerPort: 8080 }]
 
  strategy:
    canary:
      steps:
        - setWeight: 5     # 5% traffic to v2
        - pause: { duration: 10m }
        - analysis:
            templates:
              - templateName: success-rate
        - setWeight: 25    # 25%
        - pause: { duration: 30m }
        - analysis:
            templates:
              - templateName: success-rate
              - templateName: latency
        - setWeight: 50
        - pause: { duration: 30m }
        - setWeight: 100   # full rollout
 
      canaryService: payment-canary    # Routes v2 traffic
      stableService: payment-stable    # Routes v1 traffic
 
      trafficRouting:
        istio:
          virtualService:
            name: payment-vs
            routes: [primary]
`;

const ISTIO = `        istio:
          virtualService:
            name: payment-vs
            routes: [primary]
`;
const SEED_WITH_PROXY = SEED_ROLLOUT.replace(ISTIO, `        proxy:\n          listen: "127.0.0.1:8080"\n`);

/** A minimal valid canary document to break one field at a time. */
function canaryDoc(canary: Record<string, unknown>, spec: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: {
      version: "v1",
      strategy: { canary: { trafficRouting: { proxy: { listen: "127.0.0.1:8080" } }, ...canary } },
      ...spec,
    },
  };
}

function errorsOf(doc: unknown) {
  return compileRollout(doc).issues.filter((i) => i.severity === "error");
}

describe("the example rollouts", () => {
  it("examples/rollout.yaml loads: the seed's canary, through the proxy, run by the process platform", () => {
    const result = loadRolloutFile(example("rollout.yaml"));
    expect(result.issues).toEqual([]);
    const spec = result.rollouts[0]?.rollout;
    expect(spec?.name).toBe("payment-service");
    expect(spec?.version).toBe("v2.0.0");
    expect(spec?.replicas).toBe(10);
    expect(spec?.strategy.kind).toBe("canary");
    if (spec?.strategy.kind !== "canary") return;
    expect(spec.strategy.steps.map((s) => s.kind)).toEqual([
      "setWeight",
      "pause",
      "analysis",
      "setWeight",
      "pause",
      "analysis",
      "setWeight",
      "pause",
      "setWeight",
    ]);
    expect(spec.strategy.steps[1]).toEqual({ kind: "pause", durationSeconds: 600 });
    expect(spec.strategy.steps[5]).toMatchObject({
      analysis: { templates: [{ templateName: "success-rate" }, { templateName: "latency" }] },
    });
    expect(spec.strategy.router).toEqual({ kind: "proxy", listen: "127.0.0.1:8080", sticky: null });
    expect(spec.strategy.scaleDownDelaySeconds).toBe(30);
    expect(spec.workload?.platform).toBe("process");
    expect(spec.workload?.cwd).toBe(fileURLToPath(new URL("../../../../examples", import.meta.url)));
    expect(spec.workload?.versions["v2.1.0-bad"]?.env.ERROR_RATE).toBe("0.3");
  });

  it("examples/rollout-bluegreen.yaml loads with Argo's blue-green defaults filled in", () => {
    const result = loadRolloutFile(example("rollout-bluegreen.yaml"));
    expect(result.issues).toEqual([]);
    const strategy = result.rollouts[0]?.rollout.strategy;
    expect(strategy).toMatchObject({
      kind: "blueGreen",
      activeService: "checkout-active",
      previewService: "checkout-preview",
      autoPromotionEnabled: true,
      autoPromotionSeconds: 60,
      previewReplicaCount: 1,
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
    });
  });

  it("the seed's YAML loads once its Istio lines say proxy, and means what examples/rollout.yaml means", () => {
    const seed = parseRollouts(SEED_WITH_PROXY);
    expect(seed.ok).toBe(true);
    expect(seed.issues.map((i) => i.path)).toEqual(["spec.workload"]); // a warning: no workload section
    const file = loadRolloutFile(example("rollout.yaml"));
    expect(seed.rollouts[0]?.rollout).toEqual({ ...file.rollouts[0]?.rollout, workload: null });
  });

  it("the seed's YAML as written is reported as needing the Istio router, at its line", () => {
    const seed = parseRollouts(SEED_ROLLOUT);
    expect(seed.ok).toBe(false);
    const istio = seed.issues.find((i) => i.path === "spec.strategy.canary.trafficRouting.istio");
    expect(istio).toMatchObject({
      severity: "error",
      message: "the istio traffic router is not in Ramp yet",
      line: 43,
    });
    expect(istio?.suggestion).toContain("trafficRouting.proxy");
  });

  it("the JSON Schema accepts both examples and rejects what the validator rejects", () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(rolloutJsonSchema());
    for (const name of ["rollout.yaml", "rollout-bluegreen.yaml"]) {
      const doc = parse(readFileSync(example(name), "utf8")) as unknown;
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate(canaryDoc({ steps: [{ setWeigth: 5 }] }))).toBe(false);
    expect(validate(canaryDoc({ steps: [{ pause: { duration: "10 minutes" } }] }))).toBe(false);
  });

  it("hands other kinds back and reads several documents", () => {
    const text = `${SEED_WITH_PROXY}---\napiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: { name: success-rate }\n`;
    const result = parseRollouts(text);
    expect(result.rollouts).toHaveLength(1);
    expect(result.others).toMatchObject([{ document: 1, kind: "AnalysisTemplate" }]);
  });
});

describe("validation reports every problem with its path", () => {
  it.each([
    {
      name: "a malformed pause duration",
      doc: canaryDoc({ steps: [{ setWeight: 5 }, { setWeight: 10 }, { pause: { duration: "10 minutes" } }] }),
      path: "spec.strategy.canary.steps[2].pause.duration",
      message: /expected a duration like "30s"/,
    },
    {
      name: "a fractional pause in seconds",
      doc: canaryDoc({ steps: [{ pause: { duration: 1.5 } }] }),
      path: "spec.strategy.canary.steps[0].pause.duration",
      message: /not a valid duration/,
    },
    {
      name: "a misspelt step field, with a suggestion",
      doc: canaryDoc({ steps: [{ setweight: 5 }] }),
      path: "spec.strategy.canary.steps[0].setweight",
      message: /unknown field 'setweight'/,
      suggestion: "did you mean 'setWeight'?",
    },
    {
      name: "two actions in one step",
      doc: canaryDoc({ steps: [{ setWeight: 5, pause: {} }] }),
      path: "spec.strategy.canary.steps[0]",
      message: /exactly one action; this one has setWeight and pause/,
    },
    {
      name: "an empty step",
      doc: canaryDoc({ steps: [{}] }),
      path: "spec.strategy.canary.steps[0]",
      message: /needs one of setWeight/,
    },
    {
      name: "a weight over 100",
      doc: canaryDoc({ steps: [{ setWeight: 150 }] }),
      path: "spec.strategy.canary.steps[0].setWeight",
      message: /out of range/,
    },
    {
      name: "a fractional weight",
      doc: canaryDoc({ steps: [{ setWeight: 2.5 }] }),
      path: "spec.strategy.canary.steps[0].setWeight",
      message: /not a whole number/,
    },
    {
      name: "an analysis step without templates",
      doc: canaryDoc({ steps: [{ analysis: { templates: [] } }] }),
      path: "spec.strategy.canary.steps[0].analysis.templates",
      message: /at least 1/,
    },
    {
      name: "a header match with two matchers",
      doc: canaryDoc({
        steps: [
          {
            setHeaderRoute: {
              name: "h",
              match: [{ headerName: "x", headerValue: { exact: "a", prefix: "b" } }],
            },
          },
        ],
      }),
      path: "spec.strategy.canary.steps[0].setHeaderRoute.match[0].headerValue",
      message: /has exact and prefix/,
    },
    {
      name: "a header regex that does not compile",
      doc: canaryDoc({
        steps: [
          { setHeaderRoute: { name: "h", match: [{ headerName: "x", headerValue: { regex: "(a" } }] } },
        ],
      }),
      path: "spec.strategy.canary.steps[0].setHeaderRoute.match[0].headerValue.regex",
      message: /does not compile/,
    },
    {
      name: "a route not in managedRoutes",
      doc: canaryDoc({
        trafficRouting: { proxy: { listen: ":8080" }, managedRoutes: [{ name: "a" }] },
        steps: [{ setMirrorRoute: { name: "b", match: [{ headers: { "x-b": { exact: "1" } } }] } }],
      }),
      path: "spec.strategy.canary.steps[0].setMirrorRoute.name",
      message: /not listed in trafficRouting.managedRoutes/,
    },
    {
      name: "the same stable and canary service",
      doc: canaryDoc({ steps: [], canaryService: "s", stableService: "s" }),
      path: "spec.strategy.canary.stableService",
      message: /same service/,
    },
    {
      name: "no traffic router",
      doc: { ...(canaryDoc({}) as object), spec: { version: "v1", strategy: { canary: { steps: [] } } } },
      path: "spec.strategy.canary.trafficRouting",
      message: /is required/,
    },
    {
      name: "an experiment step",
      doc: canaryDoc({ steps: [{ experiment: { templates: [] } }] }),
      path: "spec.strategy.canary.steps[0].experiment",
      message: /not supported by Ramp yet/,
    },
    {
      name: "an argument with both value and valueFrom",
      doc: canaryDoc({
        analysis: {
          templates: [{ templateName: "t" }],
          args: [{ name: "a", value: "x", valueFrom: { podTemplateHashValue: "Latest" } }],
        },
      }),
      path: "spec.strategy.canary.analysis.args[0]",
      message: /both value and valueFrom/,
    },
    {
      name: "both strategies",
      doc: canaryDoc({}, { strategy: { canary: {}, blueGreen: { activeService: "a" } } }),
      path: "spec.strategy",
      message: /has both canary and blueGreen/,
    },
    {
      name: "blue-green with one service for both roles",
      doc: canaryDoc({}, { strategy: { blueGreen: { activeService: "a", previewService: "a" } } }),
      path: "spec.strategy.blueGreen.previewService",
      message: /same service/,
    },
    {
      name: "an image without a tag",
      doc: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: "web" },
        spec: {
          template: { spec: { containers: [{ name: "c", image: "myorg/payment" }] } },
          strategy: { canary: { trafficRouting: { proxy: { listen: ":8080" } } } },
        },
      },
      path: "spec.template.spec.containers[0].image",
      message: /has no tag/,
    },
    {
      name: "a process workload without a command",
      doc: canaryDoc({ steps: [] }, { workload: { platform: "process" } }),
      path: "spec.workload.command",
      message: /needs a command/,
    },
    {
      name: "a static workload without URLs",
      doc: canaryDoc({ steps: [] }, { workload: { platform: "static" } }),
      path: "spec.workload",
      message: /needs the URLs/,
    },
    {
      name: "an unknown platform",
      doc: canaryDoc({ steps: [] }, { workload: { platform: "kubernetes" } }),
      path: "spec.workload.platform",
      message: /is not one of "process", "static"/,
    },
  ])("$name", ({ doc, path, message, suggestion }) => {
    const errors = errorsOf(doc);
    const hit = errors.find((i) => i.path === path);
    expect(hit, JSON.stringify(errors, null, 2)).toBeDefined();
    expect(hit?.message).toMatch(message);
    if (suggestion !== undefined) expect(hit?.suggestion).toBe(suggestion);
  });

  it("reports all problems of a document at once, each at its line", () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web }
spec:
  version: v1
  strategy:
    canary:
      trafficRouting: { proxy: { listen: "127.0.0.1:8080" } }
      steps:
        - setWeight: 5
        - pause: { duration: soon }
        - setWieght: 10
`;
    const result = parseRollouts(text);
    expect(result.ok).toBe(false);
    expect(result.issues.map((i) => [i.path, i.line])).toEqual([
      ["spec.strategy.canary.steps[1].pause.duration", 11],
      ["spec.strategy.canary.steps[2].setWieght", 12],
    ]);
    expect(
      formatIssue(result.issues[1] ?? { document: 0, path: "", message: "", severity: "error" }, "r.yaml"),
    ).toBe(
      "r.yaml:12:11: error: spec.strategy.canary.steps[2].setWieght: unknown field 'setWieght' (expected one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute, experiment, plugin; did you mean 'setWeight'?)",
    );
  });

  it("resolves field references in analysis arguments, and keeps version references for the run", () => {
    const result = compileRollout(
      canaryDoc({
        steps: [
          {
            analysis: {
              templates: [{ templateName: "t", clusterScope: true }],
              args: [
                { name: "service", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "canary", valueFrom: { podTemplateHashValue: "Latest" } },
              ],
            },
          },
        ],
      }),
    );
    expect(
      result.ok && result.rollout.strategy.kind === "canary" && result.rollout.strategy.steps[0],
    ).toEqual({
      kind: "analysis",
      analysis: {
        templates: [{ templateName: "t", clusterScope: true }],
        args: [
          { name: "service", value: "web" },
          { name: "canary", valueFrom: "Latest" },
        ],
        dryRun: [],
        measurementRetention: [],
      },
    });
  });
});

describe("durations and image tags", () => {
  it.each([
    [10, 10],
    ["10", 10],
    ["10s", 10],
    ["10m", 600],
    ["1h", 3600],
    ["1h30m", 5400],
    ["1.5h", 5400],
    ["1500ms", 1],
    ["0", 0],
  ] as const)("pause duration %j is %d seconds", (input, seconds) => {
    expect(durationSeconds(input)).toBe(seconds);
  });

  it.each([["-1m"], ["10x"], ["m"], [""], [1.5], [-3], ["9999999999"]] as const)(
    "%j is not a duration",
    (input) => {
      expect(durationSeconds(input)).toBeUndefined();
    },
  );

  it("formats seconds the way Argo writes them", () => {
    expect([0, 30, 600, 5400, 3661].map(formatSeconds)).toEqual(["0s", "30s", "10m", "1h30m", "1h1m1s"]);
  });

  it.each([
    ["myorg/payment:v2.0.0", "v2.0.0"],
    ["registry.local:5000/payment:1.2", "1.2"],
    ["payment@sha256:abcd", "sha256:abcd"],
    ["payment:v3@sha256:abcd", "v3"],
    ["registry.local:5000/payment", undefined],
  ])("the version of %s is %s", (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});

describe("what the built-in proxy cannot mirror is refused, not widened", () => {
  const withMirror = (match: unknown) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: "m" },
    spec: {
      replicas: 1,
      version: "v1",
      strategy: {
        canary: {
          steps: [{ setMirrorRoute: { name: "mirror", percentage: 50, match } }],
          trafficRouting: { proxy: { listen: "127.0.0.1:0" } },
        },
      },
    },
  });
  it.each([
    [[{ method: { exact: "GET" } }], "spec.strategy.canary.steps[0].setMirrorRoute.match[0].method"],
    [[{ path: { prefix: "/api" } }], "spec.strategy.canary.steps[0].setMirrorRoute.match[0].path"],
    [
      [{ headers: { a: { exact: "1" } } }, { headers: { b: { exact: "2" } } }],
      "spec.strategy.canary.steps[0].setMirrorRoute.match",
    ],
  ])("%j", (match, path) => {
    const r = compileRollout(withMirror(match));
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path)).toContain(path);
  });
  it("accepts one header match", () => {
    expect(compileRollout(withMirror([{ headers: { "x-mirror": { exact: "yes" } } }])).ok).toBe(true);
  });
});
