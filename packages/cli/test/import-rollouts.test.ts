/**
 * `ramp import --from argo|flagger` as a user runs it (the built CLI, spawned): the report on stderr
 * points at each field by line, the exit code says whether anything could not be carried over, and
 * what stdout holds passes the same checks as `ramp rollout apply`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AVAILABLE_METRIC_PROVIDERS } from "../../server/src/plugins/metrics/factory.js";
import { parseInvocation } from "../src/args.js";
import { UsageError } from "../src/output.js";
import { parseRolloutFile } from "../src/rollouts/files.js";
import { REPO, ramp } from "./harness.js";

const TESTDATA = join(REPO, "packages/server/src/rollouts/import/testdata");
const at = (name: string) => join(TESTDATA, name);

/** A report line for a provider this build cannot run, only when it cannot (providers are being added). */
const unlessAvailable = (provider: string, line: string) =>
  AVAILABLE_METRIC_PROVIDERS.some((p) => p === provider) ? [] : [line];

/** Both runs of one fixture: without and with --allow-unsupported. */
async function both(from: string, name: string, extra: string[] = []) {
  const args = ["import", "--from", from, at(name), ...extra];
  const [strict, allowed] = await Promise.all([ramp(args), ramp([...args, "--allow-unsupported"])]);
  return { strict, allowed };
}

/** The report lines of one kind, without the file name: "LINE:COL: Object: path". */
function reported(stderr: string, kind: string): string[] {
  return [
    ...stderr.matchAll(new RegExp(`^[^\\n]*?\\.yaml:(\\d+:\\d+): ${kind}: ([^:]+): ([^:\\s]*):`, "gm")),
  ].map((m) => `${m[1]}: ${m[2]}: ${m[3]}`);
}

/** stdout read back as `ramp rollout apply -f` reads a file: no issue, and these documents. */
function applies(stdout: string): string[] {
  const file = parseRolloutFile(stdout, TESTDATA);
  expect(file.issues).toEqual([]);
  return file.documents.map((d) => {
    const doc = d as { kind: string; metadata: { name: string } };
    return `${doc.kind} ${doc.metadata.name}`;
  });
}

describe("ramp import --from argo", () => {
  it("Istio header routes: exit 1 naming the field by line, nothing on stdout; --allow-unsupported: exit 0, a file that applies", async () => {
    const { strict, allowed } = await both("argo", "argo-istio-header-routes.yaml");
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe("");
    const line = `${at("argo-istio-header-routes.yaml")}:26:9: unsupported: Rollout reviews: spec.strategy.canary.trafficRouting.istio: routing through Istio needs Kubernetes`;
    expect(strict.stderr.split("\n")).toContain(line);
    expect(strict.stderr).toMatch(/1 field\(s\) cannot be carried over as written .* --allow-unsupported/);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr.split("\n")).toContain(line);
    expect(allowed.stderr).toMatch(/1 field\(s\) dropped or replaced \(--allow-unsupported\)/);
    expect(reported(allowed.stderr, "note")).toEqual([
      "7:1: Rollout reviews: spec.workload",
      "56:1: VirtualService reviews-vsvc: skipped",
      "70:1: DestinationRule reviews-destrule: skipped",
    ]);
    expect(applies(allowed.stdout)).toEqual(["Rollout reviews"]);
  });

  it("each Argo fixture: the unsupported fields by line, exit 1 without the flag and 0 with it, and the output applies", async () => {
    const cases: [string, string[], string[]][] = [
      [
        "argo-canary-analysis.yaml",
        unlessAvailable(
          "prometheus",
          "57:9: AnalysisTemplate http-success-rate: spec.metrics[0].provider.prometheus",
        ),
        ["Rollout guestbook", "AnalysisTemplate http-success-rate"],
      ],
      [
        "argo-bluegreen.yaml",
        [
          "44:17: Rollout checkout: spec.strategy.blueGreen.postPromotionAnalysis.args[1].valueFrom.fieldRef.fieldPath",
        ],
        ["Rollout checkout", "AnalysisTemplate smoke-test"],
      ],
      [
        "argo-background-analysis.yaml",
        [
          "23:9: Rollout orders: spec.strategy.canary.trafficRouting.nginx",
          "39:11: Rollout orders: spec.strategy.canary.steps[1].experiment",
          "34:15: Rollout orders: spec.strategy.canary.analysis.args[1].valueFrom.secretKeyRef",
          "56:7: AnalysisTemplate error-rate: spec.args[1].valueFrom",
          "66:9: AnalysisTemplate error-rate: spec.metrics[0].provider.datadog",
        ],
        ["Rollout orders", "AnalysisTemplate error-rate"],
      ],
      [
        "argo-cluster-template.yaml",
        [
          "14:9: ClusterAnalysisTemplate cluster-checks: spec.metrics[0].provider.job",
          ...unlessAvailable(
            "prometheus",
            "29:9: ClusterAnalysisTemplate cluster-checks: spec.metrics[1].provider.prometheus",
          ),
          "46:9: Rollout payments: spec.strategy.canary.trafficRouting.smi",
        ],
        ["ClusterAnalysisTemplate cluster-checks", "Rollout payments"],
      ],
    ];
    await Promise.all(
      cases.map(async ([name, unsupported, documents]) => {
        const { strict, allowed } = await both("argo", name);
        expect(reported(strict.stderr, "unsupported"), name).toEqual(unsupported);
        expect(strict.code, name).toBe(unsupported.length > 0 ? 1 : 0);
        expect(allowed.code, name).toBe(0);
        expect(applies(allowed.stdout), name).toEqual(documents);
        if (unsupported.length === 0) expect(strict.stdout).toBe(allowed.stdout);
      }),
    );
  });

  it("options reach the output: --command, --listen, --version; -o json is the list of documents; - reads stdin", async () => {
    const text = readFileSync(at("argo-canary-analysis.yaml"), "utf8");
    const args = [
      "--listen",
      "127.0.0.1:9911",
      "--command",
      "node server.mjs",
      "--version",
      "v7",
      "-o",
      "json",
    ];
    const r = await ramp(["import", "--from", "argo", at("argo-canary-analysis.yaml"), ...args]);
    expect(r.code, r.stderr).toBe(0);
    const [rollout] = JSON.parse(r.stdout) as { spec: Record<string, unknown> }[];
    expect(rollout?.spec).toMatchObject({
      version: "v7",
      workload: { platform: "process", command: "node server.mjs" },
      strategy: { canary: { trafficRouting: { proxy: { listen: "127.0.0.1:9911" } } } },
    });
    const { spawnSync } = await import("node:child_process");
    const piped = spawnSync(
      process.execPath,
      [join(REPO, "packages/cli/dist/main.js"), "import", "--from", "argo", "-"],
      {
        input: text,
        encoding: "utf8",
      },
    );
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stderr).toMatch(/^<stdin>:25:5: note: Rollout guestbook: spec\.strategy\.canary:/m);
    expect(applies(piped.stdout)).toEqual(["Rollout guestbook", "AnalysisTemplate http-success-rate"]);
  });

  it("blue-green previewService: a note names --preview-listen; with it the output has previewListen and applies", async () => {
    const file = at("argo-bluegreen.yaml");
    const [without, withPreview] = await Promise.all([
      ramp(["import", "--from", "argo", file, "--allow-unsupported"]),
      ramp(["import", "--from", "argo", file, "--allow-unsupported", "--preview-listen", "127.0.0.1:9102"]),
    ]);
    expect(without.code, without.stderr).toBe(0);
    expect(without.stderr.split("\n")).toContain(
      `${file}:21:7: note: Rollout checkout: spec.strategy.blueGreen.previewService: checkout-preview has no entry point: without trafficRouting.proxy.previewListen nothing reaches the new version before the switch`,
    );
    expect(without.stderr).toMatch(/\n {4}instead: import again with --preview-listen HOST:PORT /);
    expect(applies(without.stdout)).toEqual(["Rollout checkout", "AnalysisTemplate smoke-test"]);

    expect(withPreview.code, withPreview.stderr).toBe(0);
    expect(reported(withPreview.stderr, "note")).toEqual([
      "19:5: Rollout checkout: spec.strategy.blueGreen",
      "7:1: Rollout checkout: spec.workload",
      "64:1: Service checkout-active: skipped",
      "72:1: Service checkout-preview: skipped",
    ]);
    expect(withPreview.stderr).toMatch(/and on "127\.0\.0\.1:9102" the preview service/);
    expect(applies(withPreview.stdout)).toEqual(["Rollout checkout", "AnalysisTemplate smoke-test"]);
    const [rollout] = parseRolloutFile(withPreview.stdout, TESTDATA).documents as { spec: object }[];
    expect(rollout?.spec).toMatchObject({
      strategy: {
        blueGreen: {
          previewService: "checkout-preview",
          trafficRouting: { proxy: { listen: "127.0.0.1:8080", previewListen: "127.0.0.1:9102" } },
        },
      },
    });
  });

  it("a YAML syntax error is exit 1 at its line; a file of other kinds imports nothing", async () => {
    const bad = await ramp(["import", "--from", "argo", at("../report.ts")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/report\.ts:\d+:\d+: error: /);
    const none = await ramp(["import", "--from", "flagger", at("argo-istio-header-routes.yaml")]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /note: Rollout reviews: skipped: an Argo Rollouts object \(import it with --from argo\)/,
    );
    expect(none.stderr).toMatch(/no Canary or MetricTemplate documents; nothing was imported/);
  });
});

describe("ramp import --from flagger", () => {
  it("each Flagger fixture: the unsupported fields by line, exit codes, and the output applies", async () => {
    const cases: [string, string[], string[], string[]?][] = [
      [
        "flagger-canary.yaml",
        [
          "38:3: Canary podinfo: spec.provider",
          "43:3: Canary podinfo: spec.autoscalerRef",
          "51:5: Canary podinfo: spec.service.gateways",
          "52:5: Canary podinfo: spec.service.hosts",
          "53:5: Canary podinfo: spec.service.trafficPolicy",
          "55:5: Canary podinfo: spec.service.retries",
          "73:9: Canary podinfo: spec.analysis.webhooks[0].url",
        ],
        ["Rollout podinfo"],
      ],
      [
        "flagger-step-weights.yaml",
        ["8:3: Canary frontend: spec.provider", "13:3: Canary frontend: spec.ingressRef"],
        ["Rollout frontend"],
        ["--version", "v2"],
      ],
      [
        "flagger-ab.yaml",
        ["9:3: Canary abtest: spec.provider", "28:9: Canary abtest: spec.analysis.match[2].sourceLabels"],
        ["Rollout abtest"],
      ],
      [
        "flagger-bluegreen.yaml",
        [
          "8:3: Canary billing: spec.provider",
          "17:5: Canary billing: spec.service.portDiscovery",
          "29:9: Canary billing: spec.analysis.webhooks[0].url",
        ],
        ["Rollout billing"],
      ],
      [
        "flagger-metric-templates.yaml",
        [
          ...unlessAvailable("prometheus", "9:3: MetricTemplate not-found-percentage: spec.provider"),
          "29:5: MetricTemplate latency-by-direction: spec.provider.secretRef",
          ...unlessAvailable("prometheus", "25:3: MetricTemplate latency-by-direction: spec.provider"),
          "41:5: MetricTemplate datadog-errors: spec.provider.type",
          "53:3: Canary podinfo: spec.provider",
          "86:9: Canary podinfo: spec.analysis.metrics[2].templateRef",
          "65:5: Canary podinfo: spec.analysis.alerts",
        ],
        ["AnalysisTemplate not-found-percentage", "AnalysisTemplate latency-by-direction", "Rollout podinfo"],
      ],
    ];
    await Promise.all(
      cases.map(async ([name, unsupported, documents, extra]) => {
        const { strict, allowed } = await both("flagger", name, extra);
        expect(reported(strict.stderr, "unsupported"), name).toEqual(unsupported);
        expect(strict.code, name).toBe(1);
        expect(strict.stdout, name).toBe("");
        expect(allowed.code, `${name}: ${allowed.stderr}`).toBe(0);
        expect(applies(allowed.stdout), name).toEqual(documents);
      }),
    );
  });

  it("the load test becomes ramp:load-test (a note, not unsupported); no Deployment and no --version is an error even with --allow-unsupported", async () => {
    const { allowed } = await both("flagger", "flagger-canary.yaml");
    expect(allowed.stderr).toMatch(
      /flagger-canary\.yaml:79:9: note: Canary podinfo: spec\.analysis\.webhooks\[1\]\.url: flagger-loadtester's hey becomes Ramp's built-in load generator \(url: ramp:load-test, same cmd\)/,
    );
    expect(allowed.stdout).toMatch(
      /url: ramp:load-test\n\s+timeout: 5s\n\s+metadata:\n\s+cmd: hey -z 1m -q 10 -c 2\n/,
    );
    const r = await ramp([
      "import",
      "--from",
      "flagger",
      at("flagger-step-weights.yaml"),
      "--allow-unsupported",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /flagger-step-weights\.yaml:9:3: error: Canary frontend: spec\.targetRef: cannot tell the version: Deployment frontend is not in this file\n\s+instead: import it in the same file, or pass --version VERSION/,
    );
  });
});

describe("ramp import's rollout options", () => {
  const parse = (line: string) => parseInvocation(line.split(" "), {});
  it("are parsed for argo and flagger, and refused where they do not fit", () => {
    expect(
      parse(
        "import --from flagger c.yaml --listen 127.0.0.1:81 --stable-url http://a --canary-url http://b --version v2",
      ),
    ).toMatchObject({
      command: "import",
      options: {
        from: "flagger",
        file: "c.yaml",
        rollout: { listen: "127.0.0.1:81", stableUrl: "http://a", canaryUrl: "http://b", version: "v2" },
      },
    });
    expect(() => parse("import --from unleash u.json --listen 127.0.0.1:81")).toThrow(
      new UsageError("--listen is for --from argo and --from flagger"),
    );
    expect(parse("import --from argo r.yaml --preview-listen 127.0.0.1:82")).toMatchObject({
      options: { from: "argo", rollout: { previewListen: "127.0.0.1:82" } },
    });
    for (const from of ["flagger", "unleash"])
      expect(() => parse(`import --from ${from} c.yaml --preview-listen 127.0.0.1:82`)).toThrow(
        new UsageError(
          "--preview-listen applies to Argo blue-green rollouts only (the entry point of their previewService): use it with --from argo",
        ),
      );
    expect(() => parse("import --from argo r.yaml --stable-url http://a")).toThrow(/go together/);
    expect(() =>
      parse("import --from argo r.yaml --stable-url http://a --canary-url http://b --command x"),
    ).toThrow(/exclude each other/);
  });

  it("usage errors exit 2 with the usage text, which documents the importers", async () => {
    const r = await ramp(["import", "--from", "argo", at("argo-e2e.yaml"), "--canary-url", "http://b"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/go together/);
    expect(r.stderr).toMatch(/ramp import --from argo\|flagger FILE/);
  });

  it("a bad --preview-listen (not host:port, or the proxy's own address; or not --from argo) exits 2 with the usage, before the file is read", async () => {
    const argo = ["import", "--from", "argo", at("argo-bluegreen.yaml"), "--allow-unsupported"];
    const cases: [string[], string][] = [
      [
        [...argo, "--preview-listen", "preview"],
        'ramp: --preview-listen: the string "preview" is not host:port, e.g. "127.0.0.1:8080"',
      ],
      [
        [...argo, "--preview-listen", "127.0.0.1:8080"],
        'ramp: --preview-listen: is the same address as listen (127.0.0.1:8080, the default of --listen); use another port, e.g. "127.0.0.1:8081"',
      ],
      [
        [...argo, "--listen", "0.0.0.0:9200", "--preview-listen", "127.0.0.1:9200"],
        'ramp: --preview-listen: is the same address as listen (0.0.0.0:9200); use another port, e.g. "0.0.0.0:9201"',
      ],
      [
        ["import", "--from", "flagger", at("flagger-bluegreen.yaml"), "--preview-listen", "127.0.0.1:9102"],
        "ramp: --preview-listen applies to Argo blue-green rollouts only (the entry point of their previewService): use it with --from argo",
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => ramp(args)));
    runs.forEach((r, i) => {
      const [args, message] = cases[i] ?? [[], ""];
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toBe(message);
      expect(r.stderr).toMatch(/\[--preview-listen HOST:PORT\]/);
      // Nothing of the file was reported: the options failed first.
      expect(r.stderr).not.toMatch(/: note: /);
    });
  });
});
