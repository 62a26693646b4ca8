/**
 * Must-show: imported rollouts run. `ramp import --from argo|flagger` (the built CLI) converts the
 * testdata manifests with --listen and --command pointing at examples/demo-service; the documents
 * are applied to Ramp's server running in this process (the rollout suites' setting: built-in proxy,
 * process platform), first at v1, then at v2, which must walk its steps and be promoted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { freePort } from "../../server/src/testing/index.js";
import { useRolloutServer } from "../../server/test/rollouts/process-rollouts.js";
import { expectEveryStepOnce, historyOf, isHealthyAt } from "../../server/test/rollouts/rollouts-api.js";
import { REPO, ramp } from "./harness.js";

const TESTDATA = join(REPO, "packages/server/src/rollouts/import/testdata");
const DEMO_SERVICE = join(REPO, "examples/demo-service/server.mjs");
/** Run by /bin/sh -c, once per replica, with PORT set by the process platform. */
const COMMAND = `${JSON.stringify(process.execPath)} ${JSON.stringify(DEMO_SERVICE)}`;
const dir = mkdtempSync(join(tmpdir(), "ramp-import-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const e2e = useRolloutServer();

/** The fixture with its image tag set to `version`, imported by the CLI; its documents and report. */
async function importAt(from: "argo" | "flagger", fixture: string, version: string, port: number) {
  const text = readFileSync(join(TESTDATA, fixture), "utf8").replaceAll(
    "example/demo:v1",
    `example/demo:${version}`,
  );
  const file = join(dir, `${version}-${fixture}`);
  writeFileSync(file, text);
  const flags = ["--listen", `127.0.0.1:${port}`, "--command", COMMAND];
  const strict = await ramp(["import", "--from", from, file, ...flags]);
  const run = await ramp(["import", "--from", from, file, ...flags, "--allow-unsupported"]);
  expect(run.code, run.stderr).toBe(0);
  const docs = parseAllDocuments(run.stdout);
  return {
    strict,
    stderr: run.stderr,
    documents: (Array.isArray(docs) ? docs : []).map((d) => d.toJS() as unknown),
  };
}

describe("imported rollouts run on Ramp", () => {
  it("the imported Argo canary (Istio routing → the proxy) walks its steps and analysis and promotes v2", async () => {
    const port = await freePort();
    const v1 = await importAt("argo", "argo-e2e.yaml", "v1", port);
    expect(v1.strict.code).toBe(1);
    expect(v1.strict.stdout).toBe("");
    expect(v1.stderr).toMatch(
      /unsupported: Rollout imported-argo: spec\.strategy\.canary\.trafficRouting\.istio/,
    );
    expect(v1.stderr).toMatch(/note: Service demo-canary: skipped/);
    await e2e.api.apply(v1.documents);
    await e2e.api.waitFor("imported-argo", "v1 Healthy", isHealthyAt("v1"));

    const load = e2e.traffic(`http://127.0.0.1:${port}`, "argo");
    const v2 = await importAt("argo", "argo-e2e.yaml", "v2", port);
    await e2e.api.apply(v2.documents);
    const done = await e2e.api.waitFor("imported-argo", "v2 promoted", isHealthyAt("v2"), 45_000);
    const sent = await load.stop();

    expectEveryStepOnce(done, 2, 5);
    expect(historyOf(done, 2, ["WeightChanged"]).map((h) => h.weight)).toEqual([30, 60, 100]);
    expect(historyOf(done, 2, ["Aborted"])).toEqual([]);
    const runs = await e2e.api.analysisRuns("imported-argo", 2);
    expect(runs.map((r) => r.status.phase)).toEqual(["Successful"]);
    expect(sent.filter((r) => r.status !== 200).map((r) => `${r.id}: ${r.status}`)).toEqual([]);
    expect(sent.filter((r) => r.version === "v2").length).toBeGreaterThan(10);
  }, 60_000);

  it("the imported Flagger canary (stepWeight to maxWeight, built-in metrics, load test) promotes v2", async () => {
    const port = await freePort();
    const v1 = await importAt("flagger", "flagger-e2e.yaml", "v1", port);
    expect(v1.strict.code).toBe(1);
    expect(v1.stderr).toMatch(/unsupported: Canary imported-flagger: spec\.provider/);
    expect(v1.stderr).toMatch(
      /note: Canary imported-flagger: spec\.analysis\.webhooks\[0\]\.url: flagger-loadtester's hey/,
    );
    await e2e.api.apply(v1.documents);
    await e2e.api.waitFor("imported-flagger", "v1 Healthy", isHealthyAt("v1"));

    const load = e2e.traffic(`http://127.0.0.1:${port}`, "flagger");
    const v2 = await importAt("flagger", "flagger-e2e.yaml", "v2", port);
    await e2e.api.apply(v2.documents);
    const done = await e2e.api.waitFor("imported-flagger", "v2 promoted", isHealthyAt("v2"), 45_000);
    const sent = await load.stop();

    expect(historyOf(done, 2, ["Aborted"])).toEqual([]);
    // Flagger's walk: stepWeight 25 up to maxWeight 50, then promotion.
    const weights = historyOf(done, 2, ["WeightChanged"]).map((h) => h.weight);
    expect(weights.filter((w) => w < 100)).toEqual([25, 50]);
    expect(historyOf(done, 2, ["Promoted"])).toHaveLength(1);
    // Each interval's check measured both built-in metrics at the proxy, and passed.
    const runs = await e2e.api.analysisRuns("imported-flagger", 2);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) {
      expect(run.status.phase, run.name).toBe("Successful");
      expect(run.status.metricResults.map((m) => [m.name, m.phase])).toEqual([
        ["request-success-rate", "Successful"],
        ["request-duration", "Successful"],
      ]);
    }
    expect(sent.filter((r) => r.status !== 200).map((r) => `${r.id}: ${r.status}`)).toEqual([]);
    expect(sent.filter((r) => r.version === "v2").length).toBeGreaterThan(10);
  }, 60_000);
});
