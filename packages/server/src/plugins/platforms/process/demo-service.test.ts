/** examples/demo-service/server.mjs, as the process platform runs it in rollout demos and tests. */
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ProcessPlatform } from "./process-platform.js";
import { DEMO_SERVICE, demoRequest, get } from "./process-test-kit.shared-test.js";

const platform = new ProcessPlatform({ terminationGraceMs: 2000 });
afterAll(() => platform.close());

async function statuses(target: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await get(`${target}/`)).status);
  return seen;
}

describe("demo service", () => {
  it("with SEED, the same ERROR_RATE gives the same sequence of 500s, at about that rate", async () => {
    const env = { ERROR_RATE: "0.25", SEED: "rollout-demo" };
    const [a, b] = await Promise.all([
      platform.deploy(demoRequest("demo", "seeded-a", 1, { env })),
      platform.deploy(demoRequest("demo", "seeded-b", 1, { env })),
    ]);
    const first = await statuses(a?.targets[0] ?? "", 200);
    const second = await statuses(b?.targets[0] ?? "", 200);
    expect(second).toEqual(first);
    const errors = first.filter((s) => s === 500).length;
    expect(first.every((s) => s === 200 || s === 500)).toBe(true);
    expect(errors).toBeGreaterThan(30);
    expect(errors).toBeLessThan(70);
  });

  it("ERROR_RATE 0 never fails, 1 always does, and the 500 still names the version", async () => {
    const good = await platform.deploy(demoRequest("demo", "good", 1, { env: { ERROR_RATE: "0" } }));
    const bad = await platform.deploy(demoRequest("demo", "bad", 1, { env: { ERROR_RATE: "1" } }));
    expect(new Set(await statuses(good.targets[0] ?? "", 50))).toEqual(new Set([200]));
    const answer = await get(`${bad.targets[0]}/`);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toMatchObject({ service: "demo", version: "bad", replica: 0 });
    expect((await get(`${bad.targets[0]}/healthz`)).status).toBe(200);
    expect((await get(`${bad.targets[0]}/nope`)).status).toBe(404);
  });

  it("LATENCY_MS and LATENCY_JITTER_MS delay every answer to GET /, but not /healthz", async () => {
    const slow = await platform.deploy(
      demoRequest("demo", "slow", 1, { env: { LATENCY_MS: "300", LATENCY_JITTER_MS: "50", SEED: "1" } }),
    );
    const target = slow.targets[0] ?? "";
    for (let i = 0; i < 3; i++) {
      const began = performance.now();
      await get(`${target}/`);
      expect(performance.now() - began).toBeGreaterThanOrEqual(249);
    }
    const began = performance.now();
    await get(`${target}/healthz`);
    expect(performance.now() - began).toBeLessThan(249);
  });

  it("READY_DELAY_MS keeps /healthz at 503 for a while, so a deploy waits for it", async () => {
    const began = Date.now();
    const late = await platform.deploy(demoRequest("demo", "late", 1, { env: { READY_DELAY_MS: "400" } }));
    expect(Date.now() - began).toBeGreaterThanOrEqual(400);
    expect(late.ready).toBe(true);
  });

  it("refuses a malformed setting with exit status 2 and a message", async () => {
    const child = spawn(process.execPath, [DEMO_SERVICE], {
      env: { ...process.env, PORT: "0", ERROR_RATE: "5%" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('ERROR_RATE="5%" must be a number from 0 to 1');
  });
});
