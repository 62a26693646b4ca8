import { describe, expect, it } from "vitest";
import { parseRolloutFile, splitDocumentPath, withAbsoluteCwd } from "./files.js";

const ROLLOUT = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 1
  version: v1
  strategy:
    canary:
      steps:
        - setWeight: 10
        - pause: { duration: 1h }
      trafficRouting:
        proxy: { listen: "127.0.0.1:8080" }
  workload:
    platform: process
    command: [node, server.mjs]
    cwd: ../service
`;

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  metrics:
    - name: success-rate
      interval: 5s
      successCondition: result >= 0.99
      provider:
        builtin: { metric: successRate }
`;

describe("parseRolloutFile", () => {
  it("keeps Rollouts and AnalysisTemplates in file order, with the workload's cwd made absolute", () => {
    const f = parseRolloutFile(`${TEMPLATE}---\n${ROLLOUT}`, "/srv/app/deploy");
    expect(f.issues).toEqual([]);
    expect(f.origins).toEqual([0, 1]);
    expect(f.documents.map((d) => (d as { kind: string }).kind)).toEqual(["AnalysisTemplate", "Rollout"]);
    expect((f.documents[1] as { spec: { workload: { cwd: string } } }).spec.workload.cwd).toBe(
      "/srv/app/service",
    );
  });

  it("points at the line and column of each problem, in every document", () => {
    const bad = `${TEMPLATE.replace("interval: 5s", "interval: soon")}---\n${ROLLOUT.replace("setWeight: 10", "setWeigth: 10")}---\nkind: Service\n`;
    const f = parseRolloutFile(bad, "/x");
    // Lines count from the top of the file: the Rollout starts on line 13.
    const found = f.issues.map((i) => [i.document, i.line, i.path]);
    expect(found).toContainEqual([0, 8, "spec.metrics[0].interval"]);
    expect(found).toContainEqual([1, 23, "spec.strategy.canary.steps[0].setWeigth"]);
    expect(found.at(-1)).toEqual([2, 32, "kind"]);
    expect(f.issues.at(-1)?.message).toBe(
      'expected Rollout, AnalysisTemplate or ClusterAnalysisTemplate, got "Service"',
    );
    expect(f.issues.every((i) => i.severity === "error")).toBe(true);
  });

  it("reports YAML syntax errors once, at their place", () => {
    const f = parseRolloutFile("kind: Rollout\nmetadata: { name: [\n", "/x");
    expect(f.issues).toHaveLength(1);
    expect(f.issues[0]).toMatchObject({ document: 0, severity: "error", line: 3 });
  });

  it("locates a server's path in the document it came from", () => {
    const f = parseRolloutFile(`${TEMPLATE}---\n${ROLLOUT}`, "/x");
    expect(f.locate(1, "spec.replicas")).toEqual({ line: 18, column: 13 });
  });
});

describe("helpers", () => {
  it("withAbsoluteCwd resolves a relative or missing cwd, keeps an absolute one", () => {
    const doc = (cwd?: string) => ({
      kind: "Rollout",
      spec: { workload: { platform: "process", ...(cwd && { cwd }) } },
    });
    expect(withAbsoluteCwd(doc("svc"), "/a/b")).toMatchObject({ spec: { workload: { cwd: "/a/b/svc" } } });
    expect(withAbsoluteCwd(doc(), "/a/b")).toMatchObject({ spec: { workload: { cwd: "/a/b" } } });
    expect(withAbsoluteCwd(doc("/abs"), "/a/b")).toMatchObject({ spec: { workload: { cwd: "/abs" } } });
    expect(withAbsoluteCwd({ kind: "Rollout", spec: {} }, "/a")).toEqual({ kind: "Rollout", spec: {} });
  });

  it("splitDocumentPath reads the server's [i].path", () => {
    expect(splitDocumentPath("[2].spec.replicas")).toEqual({ index: 2, path: "spec.replicas" });
    expect(splitDocumentPath("[0]")).toEqual({ index: 0, path: "" });
    expect(splitDocumentPath("rollout web")).toBeUndefined();
  });
});
