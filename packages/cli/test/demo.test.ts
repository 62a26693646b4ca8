/**
 * End to end: `ramp demo --once --fast`, the proof in CI that the first-run story works — a real
 * server on SQLite, examples/demo-service run by the process platform behind the built-in proxy,
 * demo users, v2 promoted by its analyses, v3 aborted by its first one — and that it cleans up,
 * at the end and on Ctrl-C.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, cleanEnv, replicaPids, running, until } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "ramp-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Demo {
  readonly code: number | null;
  readonly out: string;
}

/** Starts the demo; `interrupt` sends Ctrl-C once the output matches it. */
function demo(data: string, interrupt?: RegExp): Promise<Demo> {
  const args = [
    "demo",
    "--once",
    "--fast",
    "--port",
    "0",
    "--proxy-port",
    "0",
    "--data",
    data,
    "--timeout",
    "150",
  ];
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv() });
  let out = "";
  const take = (b: Buffer) => {
    out += b.toString();
    if (interrupt?.test(out) === true && child.exitCode === null) child.kill("SIGINT");
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out })));
}

/** Whether something still accepts connections at the URL. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const proxyOf = (out: string) => /send \d+ req\/s to (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];

describe("ramp demo --once", () => {
  it("promotes v2 step by step, aborts v3 by analysis, puts the traffic back on v2, and exits 0", async () => {
    const data = join(dir, "story");
    const { code, out } = await demo(data);
    expect(out, out).toContain("Result:");
    expect(code, out).toBe(0);
    expect(out).toMatch(/300 demo users send 100 req\/s to http:\/\/127\.0\.0\.1:\d+/);
    // v2: each step in order, both analyses passed on measurements, promoted.
    expect(out).toMatch(/StepStarted: step 1\/8: setWeight 10%[\s\S]*StepStarted: step 4\/8: setWeight 30%/);
    expect(out).toMatch(/analysis demo-r2-step2: success-rate = 1\.000 Successful/);
    expect(out).toMatch(/AnalysisCompleted: analysis run demo-r2-step5 Successful/);
    expect(out).toMatch(/Promoted: v2 is stable/);
    // v3: the success rate fails the analysis, which aborts the rollout.
    expect(out).toMatch(/analysis demo-r3-step\d: success-rate = 0\.\d+ Failed/);
    expect(out).toMatch(/Aborted: step \d: analysis run demo-r3-step\d Failed/);
    expect(out).toMatch(/ {2}v2 promoted step by step \(2 analysis runs passed\)\n/);
    expect(out).toMatch(/ {2}v3 aborted by analysis: .* — success-rate = 0\.\d+ \(needs result >= 0\.99\)\n/);
    expect(out).toMatch(/ {2}all traffic back on v2: \d+\.\d req\/s over the last 2 s, v3 none\n/);
    // Nothing left behind: the proxy is closed and every replica it ran has exited.
    const proxy = proxyOf(out);
    expect(proxy).toBeDefined();
    expect(await listening(proxy ?? "")).toBe(false);
    const pids = replicaPids(data);
    expect(pids.length).toBeGreaterThanOrEqual(5);
    expect(pids.filter(running)).toEqual([]);
  }, 150_000);

  it("on Ctrl-C, stops the story, the traffic, the service and the proxy, and exits 130", async () => {
    const data = join(dir, "interrupted");
    const started = Date.now();
    const { code, out } = await demo(data, /StepStarted: step 2\/8/);
    expect(code, out).toBe(130);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(out).not.toContain("Result:");
    const proxy = proxyOf(out);
    expect(await listening(proxy ?? "")).toBe(false);
    await until(
      "the replicas to exit",
      async () => (replicaPids(data).some(running) ? undefined : true),
      5_000,
    );
    expect(replicaPids(data).length).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
