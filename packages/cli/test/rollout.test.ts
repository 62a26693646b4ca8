/**
 * End to end: `ramp rollout …` against a real server (`ramp server --port 0`) on a temporary SQLite
 * file, rolling out examples/demo-service with the process platform behind the built-in proxy. The
 * steps share one server and run in order, as a user would.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cleanEnv, REPO, ramp, type Started, startServer, stop, until } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "ramp-cli-rollout-"));
let server: Started;
let env: Record<string, string>;

/** Two pauses that wait for promote, so the test decides when the rollout moves; no analysis. */
const ROLLOUT = `# a test rollout
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 1
  version: v1
  strategy:
    canary:
      steps:
        - setWeight: 20
        - pause: {}
        - setWeight: 50
        - pause: {}
      abortScaleDownDelaySeconds: 0
      trafficRouting:
        proxy:
          listen: "127.0.0.1:0"
          sticky: { header: x-user-id }
  workload:
    platform: process
    command: [node, server.mjs]
    cwd: ${relative(dir, join(REPO, "examples/demo-service"))}
    readiness: { path: /healthz }
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: web-success-rate
spec:
  metrics:
    - name: success-rate
      interval: 5s
      successCondition: result >= 0.99
      provider:
        builtin: { metric: successRate, window: 30s, minRequests: 20 }
`;

interface Summary {
  name: string;
  phase: string;
  message: string;
  stepIndex: number | null;
  canaryWeight: number;
  stableVersion: string | null;
  canaryVersion: string | null;
  aborted: boolean;
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function get(): Promise<Summary> {
  const r = await ramp(["rollout", "get", "web", "-o", "json"], env);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as Summary;
}

const waitFor = (what: string, ok: (s: Summary) => boolean) =>
  until(what, async () => {
    const s = await get();
    return ok(s) ? s : undefined;
  });

beforeAll(async () => {
  server = await startServer(join(dir, "data"));
  env = { RAMP_SERVER: server.url, RAMP_TOKEN: server.adminToken ?? "" };
}, 30_000);

afterAll(async () => {
  if (server !== undefined) await stop(server.child);
  rmSync(dir, { recursive: true, force: true });
});

describe("ramp rollout against a real server", () => {
  it("refuses an invalid file before sending it, naming each problem's line and column", async () => {
    const bad = file(
      "bad.yaml",
      ROLLOUT.replace("setWeight: 50", "setWeight: 150").replace("interval: 5s", "interval: often"),
    );
    const r = await ramp(["rollout", "apply", "-f", bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`${bad}:14:22: error: spec\\.strategy\\.canary\\.steps\\[2\\]\\.setWeight: `),
    );
    expect(r.stderr).toMatch(new RegExp(`${bad}:34:17: error: spec\\.metrics\\[0\\]\\.interval: `));
    expect(r.stderr).toMatch(/2 error\(s\); nothing was applied/);
    const list = await ramp(["rollout", "list", "-o", "json"], env);
    expect(JSON.parse(list.stdout)).toEqual({ rollouts: [] });
  });

  it("applies Rollouts and AnalysisTemplates from one file; a second apply changes nothing", async () => {
    const path = file("rollout.yaml", ROLLOUT);
    const first = await ramp(["rollout", "apply", "-f", path], env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      "+ analysis-template web-success-rate  create\n+ rollout web                         create\nApplied: 2 created, 0 updated, 0 unchanged.\n",
    );
    const again = await ramp(["rollout", "apply", "-f", path, "-o", "json"], env);
    expect(JSON.parse(again.stdout)).toEqual({
      rollouts: [{ name: "web", action: "unchanged" }],
      templates: [{ name: "web-success-rate", action: "unchanged" }],
    });
  });

  it("lists the rollout and reports v1 Healthy once its replica is ready", async () => {
    const s = await waitFor("v1 Healthy", (x) => x.phase === "Healthy");
    expect(s).toMatchObject({
      name: "web",
      stableVersion: "v1",
      canaryVersion: null,
      stepIndex: null,
      canaryWeight: 0,
    });
    expect(typeof s.message).toBe("string");
    const list = await ramp(["rollout", "list"], env);
    expect(list.stdout).toMatch(
      /^NAME +PHASE +STEP +WEIGHT +STABLE +CANARY +MESSAGE\nweb +Healthy +- +- +v1 +- +v1 serves all traffic\n$/,
    );
  });

  it("set-version starts a canary that waits at the first pause; get draws it with live traffic", async () => {
    const r = await ramp(["rollout", "set-version", "web", "v2"], env);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^web: Progressing: .* — stable v1, canary v2 at \d+%\n$/);
    await waitFor(
      "the first pause",
      (x) => x.phase === "Paused" && x.stepIndex === 1 && x.canaryWeight === 20,
    );
    // Users through the proxy, each on one version.
    const traffic = (await (
      await fetch(`${server.url}/api/v1/rollouts/web/traffic`, {
        headers: { authorization: `Bearer ${env.RAMP_TOKEN}` },
      })
    ).json()) as { proxy: string };
    for (let i = 0; i < 60; i++) await fetch(`${traffic.proxy}/`, { headers: { "x-user-id": `u${i}` } });
    const text = await ramp(["rollout", "get", "web"], env);
    expect(text.stdout).toContain("Rollout web   Paused   revision 2   step 2/4");
    expect(text.stdout).toContain("  ✓ 1. setWeight 20%\n  ▶ 2. pause until promoted\n    3. setWeight 50%");
    expect(text.stdout).toMatch(/ {2}canary {2}v2 {2}█{6}░{24} {4}20%/);
    expect(text.stdout).toMatch(/stable +v1 +\d+\.\d +0\.00% +\d+ ms/);
    expect(text.stdout).toMatch(/canary +v2 +\d+\.\d +0\.00% +\d+ ms/);
    expect(text.stdout).toContain(`through ${traffic.proxy}`);
  });

  it("promote moves on to the next pause; -o json answers the summary", async () => {
    const r = await ramp(["rollout", "promote", "web", "-o", "json"], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "web", canaryVersion: "v2" });
    await waitFor(
      "the second pause",
      (x) => x.phase === "Paused" && x.stepIndex === 3 && x.canaryWeight === 50,
    );
  });

  it("pause and resume; a command that does not apply exits 1 with the controller's reason", async () => {
    expect((await ramp(["rollout", "pause", "web"], env)).code).toBe(0);
    const twice = await ramp(["rollout", "pause", "web"], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("server answered 409 already_paused: already paused by a user");
    expect((await ramp(["rollout", "resume", "web"], env)).code).toBe(0);
    const resumeAgain = await ramp(["rollout", "resume", "web"], env);
    expect(resumeAgain.code).toBe(1);
    expect(resumeAgain.stderr).toContain("409 not_paused");
  });

  it("abort sends everything back to v1; retry starts again; promote --full finishes", async () => {
    const abort = await ramp(["rollout", "abort", "web"], env);
    expect(abort.code).toBe(0);
    expect(abort.stdout).toMatch(/^web: Degraded \(aborted\): .* — stable v1, canary v2 at 0%\n$/);
    expect((await ramp(["rollout", "abort", "web"], env)).stderr).toContain(
      "409 nothing_to_abort: already aborted",
    );
    expect((await ramp(["rollout", "retry", "web"], env)).code).toBe(0);
    await waitFor("the retry's first pause", (x) => !x.aborted && x.stepIndex === 1);
    expect((await ramp(["rollout", "promote", "web", "--full"], env)).code).toBe(0);
    await waitFor(
      "v2 stable",
      (x) => x.phase === "Healthy" && x.stableVersion === "v2" && x.canaryVersion === null,
    );
    const nothing = await ramp(["rollout", "promote", "web"], env);
    expect(nothing.stderr).toContain("409 nothing_to_promote: nothing to promote: v2 is stable");
  });

  it("undo rolls back to the previous stable version", async () => {
    expect((await ramp(["rollout", "undo", "web"], env)).code).toBe(0);
    await waitFor("v1 rolled out again", (x) => x.canaryVersion === "v1" || x.stableVersion === "v1");
  });

  it("get --watch prints a frame per change when not on a terminal, until Ctrl-C", async () => {
    const child = spawn(process.execPath, [CLI, "rollout", "get", "web", "--watch"], { env: cleanEnv(env) });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    await until("a first frame", async () => (out.includes("Rollout web") ? true : undefined), 10_000);
    await ramp(["rollout", "promote", "web", "--full"], env);
    await until(
      "a second frame",
      async () => (out.split("Rollout web").length > 2 ? true : undefined),
      10_000,
    );
    const code = await stop(child, "SIGINT");
    expect(code).toBe(0);
    expect(out).not.toContain("\x1b[");
    expect(out).toContain("\n\nRollout web");
  });

  it("names what is missing: an unknown rollout, a missing file", async () => {
    const r = await ramp(["rollout", "get", "nosuch"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("server answered 404 rollout_not_found: no rollout 'nosuch'");
    const missing = await ramp(["rollout", "apply", "-f", join(dir, "none.yaml")], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("none.yaml: error: cannot read: ENOENT");
  });
});
