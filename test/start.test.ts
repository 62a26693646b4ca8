/** The README's main command: `npm start` serves the example flags and says so. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const data = mkdtempSync(join(tmpdir(), "ramp-start-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));

function start(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: root,
      env: { ...process.env, RAMP_DATA: data, PORT: "0" },
    });
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no ready line in 20 s:\n${out}`));
    }, 20_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ctrl-C stops the server.")) child.kill("SIGTERM");
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

it("starts the server, applies examples/flags.yaml and shows the seed's behaviour; restarts keep the same users", async () => {
  const first = await start();
  expect(first).toMatch(/Ramp is running: http:\/\/127\.0\.0\.1:\d+/);
  expect(first).toMatch(/beta-1 \(individual target\)\s+true\s+TARGETING_MATCH/);
  expect(first).toMatch(/an enterprise customer\s+true\s+TARGETING_MATCH/);
  expect(first).toMatch(/a user in Vietnam\s+true\s+TARGETING_MATCH/);
  expect(first).toMatch(/beta-1 in staging \(kill switch\)\s+false\s+DISABLED/);
  const on = Number(/\(25% rollout\)\s+(\d+) on/.exec(first)?.[1]);
  expect(on).toBeGreaterThan(200);
  expect(on).toBeLessThan(300);
  expect(first).toMatch(/stopped/);
  const second = await start();
  expect(second).toMatch(/applied: 0 change\(s\)/);
  expect(Number(/\(25% rollout\)\s+(\d+) on/.exec(second)?.[1])).toBe(on);
}, 60_000);
