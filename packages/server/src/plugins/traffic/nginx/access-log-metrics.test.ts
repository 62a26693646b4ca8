import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RouteState } from "../router.js";
import { AccessLogMetrics } from "./access-log-metrics.js";

const state: RouteState = {
  stable: { version: "v1", targets: ["http://127.0.0.1:8081"] },
  canary: { version: "v2", targets: ["http://127.0.0.1:8082"] },
  weight: 50,
  headerRoutes: [],
  mirrorRoutes: [],
};

describe("AccessLogMetrics.window", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ramp-access-log-"));
    file = join(dir, "ramp.log");
    writeFileSync(file, "");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("counts a version's requests and 5xx, with nearest-rank latency percentiles of the logged ones", async () => {
    const nowMs = 1_000_000_000;
    const metrics = new AccessLogMetrics(file, () => nowMs);
    await metrics.routes(state);
    const at = (nowMs - 5_000) / 1000;
    // Canary latencies 1..20 ms, out of order; the 20 ms one failed; one line without a latency.
    const lines = [13, 2, 20, 7, 1, 18, 5, 11, 9, 16, 3, 14, 6, 19, 10, 4, 17, 8, 15, 12].map(
      (ms) => `${at}|${ms === 20 ? 502 : 200}|${ms / 1000}|127.0.0.1:8082`,
    );
    lines.push(`${at}|504|-|127.0.0.1:8082`, `${at}|200|0.100|127.0.0.1:8081`, `${at}|404|-|-`);
    appendFileSync(file, `${lines.join("\n")}\n`);

    const canary = await metrics.window({ version: "canary", sinceMs: nowMs - 60_000 });
    expect(canary.requests).toBe(21);
    expect(canary.errors5xx).toBe(2);
    expect(canary.successRate).toBeCloseTo(19 / 21, 12);
    expect(canary.latency.p50).toBeCloseTo(10, 9);
    expect(canary.latency.p90).toBeCloseTo(18, 9);
    expect(canary.latency.p95).toBeCloseTo(19, 9);
    expect(canary.latency.p99).toBeCloseTo(20, 9);

    const stable = await metrics.window({ version: "stable", sinceMs: nowMs - 60_000 });
    expect(stable.requests).toBe(1);
    expect(stable.latency.p50).toBeCloseTo(100, 9);
    expect(stable.latency.p99).toBeCloseTo(100, 9);

    const none = await metrics.window({ version: "canary", sinceMs: nowMs - 1_000 });
    expect(none.requests).toBe(0);
    expect(none.successRate).toBeNaN();
    expect(none.latency.p50).toBeNaN();
    expect(none.latency.p99).toBeNaN();
  });
});
