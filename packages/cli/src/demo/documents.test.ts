import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileRollout, loadAnalysisTemplate } from "@ramp/server/rollouts";
import { describe, expect, it } from "vitest";
import { LoadError } from "../load.js";
import { DEMO_DIR, demoDocuments, rolloutName, stickyHeader } from "./documents.js";

type Doc = { kind: string; spec: Record<string, unknown> };
const byKind = (docs: unknown[], kind: string) => docs.filter((d): d is Doc => (d as Doc).kind === kind);

describe("the demo's documents (examples/demo)", () => {
  it("are valid: one Rollout of v1 through the proxy, run from examples/demo-service, and its two templates", () => {
    const docs = demoDocuments({ fast: false });
    expect(docs).toHaveLength(3);
    const [rollout] = byKind(docs, "Rollout");
    const compiled = compileRollout(rollout);
    expect(compiled.issues).toEqual([]);
    if (!compiled.ok) return;
    expect(compiled.rollout.version).toBe("v1");
    expect(Object.keys(compiled.rollout.workload?.versions ?? {})).toEqual(["v1", "v2", "v3"]);
    expect(compiled.rollout.workload?.cwd).toBe(join(DEMO_DIR, "../demo-service"));
    for (const t of byKind(docs, "AnalysisTemplate")) expect(loadAnalysisTemplate(t).ok).toBe(true);
    expect(rolloutName(docs)).toBe("demo");
    expect(stickyHeader(docs)).toBe("x-user-id");
  });

  it("--proxy-port moves the proxy; --fast shortens pauses and analyses, nothing else", () => {
    const normal = demoDocuments({ fast: false });
    const fast = demoDocuments({ fast: true, proxyPort: 0 });
    const canary = (docs: unknown[]) => {
      const [r] = byKind(docs, "Rollout");
      const c = compileRollout(r);
      if (!c.ok || c.rollout.strategy.kind !== "canary") throw new Error("not a canary");
      return c.rollout.strategy;
    };
    expect(canary(fast).router).toMatchObject({ kind: "proxy", listen: "127.0.0.1:0" });
    expect(canary(normal).router).toMatchObject({ kind: "proxy", listen: "127.0.0.1:4321" });
    const pauses = (docs: unknown[]) =>
      canary(docs).steps.flatMap((s) => (s.kind === "pause" ? [s.durationSeconds] : []));
    expect(pauses(normal)).toEqual([10, 10, 5]);
    expect(pauses(fast)).toEqual([4, 4, 2]);
    expect(canary(fast).steps.map((s) => s.kind)).toEqual(canary(normal).steps.map((s) => s.kind));
    const metrics = byKind(fast, "AnalysisTemplate").flatMap(
      (t) => t.spec.metrics as Record<string, unknown>[],
    );
    for (const m of metrics) {
      expect(m).toMatchObject({
        interval: "2s",
        count: 2,
        provider: { builtin: { window: "8s", minRequests: 40 } },
      });
      expect(m.successCondition).toBeTypeOf("string");
    }
  });

  it("a broken demo file is a LoadError at its line", () => {
    const dir = mkdtempSync(join(tmpdir(), "ramp-demo-docs-"));
    writeFileSync(
      join(dir, "analysis.yaml"),
      "kind: AnalysisTemplate\nmetadata: { name: x }\nspec: { metrics: [] }\n",
    );
    writeFileSync(join(dir, "rollout.yaml"), "kind: Rollout\n");
    expect(() => demoDocuments({ fast: false, dir })).toThrow(LoadError);
    expect(() => demoDocuments({ fast: false, dir: join(dir, "missing") })).toThrow(
      /cannot read the demo's file: ENOENT/,
    );
  });
});
