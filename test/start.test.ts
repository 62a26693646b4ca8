/**
 * The README's main command: `npm start` serves the example flags and says so, then tells the
 * demo's rollout story (the short one, RAMP_DEMO=fast): v2 promoted, v3 aborted by analysis. A
 * second start finds the flags unchanged, the same users on, and tells the story again from where
 * the first left the rollout.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const data = mkdtempSync(join(tmpdir(), "ramp-start-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));

function start(): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("RAMP_")));
    const child = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: root,
      env: { ...env, RAMP_DATA: data, PORT: "0", RAMP_DEMO: "fast", RAMP_PROXY_PORT: "0" },
    });
    let out = "";
    let stopping = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no ready line in 120 s:\n${out}`));
    }, 120_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      // Once: a second signal means "stop now".
      if (!stopping && out.includes("Ctrl-C stops the server.")) {
        stopping = true;
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
  });
}

function expectTheStory(out: string): void {
  expect(out).toMatch(/The rollout story \(examples\/demo\):/);
  expect(out).toMatch(/demo users send \d+ req\/s to http:\/\/127\.0\.0\.1:\d+/);
  expect(out).toMatch(/Promoted: v2 is stable/);
  expect(out).toMatch(/Aborted: step \d: analysis run demo-r\d+-step\d Failed/);
  expect(out).toMatch(
    /Result:\n {2}v2 promoted step by step \(2 analysis runs passed\)\n {2}v3 aborted by analysis: /,
  );
  expect(out).toMatch(/ {2}all traffic back on v2: \d+\.\d req\/s over the last 2 s, v3 none\n/);
  expect(out).toMatch(/npx ramp rollout get demo --watch/);
  expect(out).toMatch(/Ctrl-C stops the server\.\nstopped\n$/);
}

it("starts the server, applies examples/flags.yaml, shows the seed's behaviour and the rollout story; restarts keep the same users", async () => {
  const first = await start();
  expect(first.code, first.out).toBe(0);
  expect(first.out).toMatch(/Ramp is running: http:\/\/127\.0\.0\.1:\d+/);
  expect(first.out).toMatch(/beta-1 \(individual target\)\s+true\s+TARGETING_MATCH/);
  expect(first.out).toMatch(/an enterprise customer\s+true\s+TARGETING_MATCH/);
  expect(first.out).toMatch(/a user in Vietnam\s+true\s+TARGETING_MATCH/);
  expect(first.out).toMatch(/beta-1 in staging \(kill switch\)\s+false\s+DISABLED/);
  const on = Number(/\(25% rollout\)\s+(\d+) on/.exec(first.out)?.[1]);
  expect(on).toBeGreaterThan(200);
  expect(on).toBeLessThan(300);
  expectTheStory(first.out);
  expect(first.out).not.toMatch(/Starting over/);

  const second = await start();
  expect(second.code, second.out).toBe(0);
  expect(second.out).toMatch(/applied: 0 change\(s\)/);
  expect(Number(/\(25% rollout\)\s+(\d+) on/.exec(second.out)?.[1])).toBe(on);
  // The rollout remembers v3's abort: the story brings v1 back first, then runs again.
  expect(second.out).toMatch(/now: demo: Degraded \(aborted\): .* — stable v2, canary v3 at 0%/);
  expect(second.out).toMatch(/Starting over: v1 back as the stable version/);
  expectTheStory(second.out);
}, 240_000);
