import { describe, expect, it } from "vitest";
import { history, snapshot, status, T0 } from "../rollouts/fixtures.shared-test.js";
import { generatorLine, LiveDisplay, LogDisplay } from "./display.js";

describe("LogDisplay", () => {
  it("prints notes and the rollout's progress as timestamped lines, and live traffic every so often", () => {
    let now = T0;
    const lines: string[] = [];
    const d = new LogDisplay(
      (l) => lines.push(l),
      () => now,
      10_000,
    );
    d.note("v2, a healthy version");
    now += 1_500;
    d.snapshot(snapshot(), undefined);
    now += 1_000;
    d.snapshot(
      snapshot({
        history: [...status().history, ...history([[6, "StepCompleted", "step 3/5: analysis Successful"]])],
      }),
      undefined,
    );
    now += 10_000;
    d.snapshot(snapshot(), undefined);
    expect(lines).toEqual([
      "[  0.0s] v2, a healthy version",
      "[  1.5s]   now: demo: Progressing: analysis run demo-r2-step2 Running — stable v1, canary v2 at 10%",
      "[  2.5s]   StepCompleted: step 3/5: analysis Successful",
      "[ 12.5s]   traffic (last 10 s): stable v1 54.0 req/s, 0.00% 5xx, p99 31 ms · canary v2 6.1 req/s, 0.00% 5xx, p99 29 ms",
    ]);
  });
});

describe("LiveDisplay", () => {
  it("redraws the header, the story so far, the rollout and the demo users' counts", () => {
    const written: string[] = [];
    const d = new LiveDisplay({ isTTY: true, rows: 200, write: (t) => void written.push(t) }, [
      "Ramp is running",
    ]);
    d.note("applying");
    d.snapshot(snapshot(), { sent: 10, ok: 9, errors5xx: 1, failed: 0, skipped: 0 });
    d.close();
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");
    const last = (written.at(-2) ?? "").replace(ansi, "");
    expect(last).toMatch(
      /^Ramp is running\n\nThe story\n {2}\d\d:\d\d:\d\d {2}applying\n\nRollout demo {3}Progressing/,
    );
    expect(last).toContain("  ▶ 3. analysis (demo-success-rate, demo-latency)");
    expect(last).toContain("  demo users: 10 sent · 9 ok · 1 5xx · 0 no answer\n");
    expect(written.at(-1)).toBe("\x1b[?25h");
  });

  it("on a short terminal, the compact view", () => {
    const written: string[] = [];
    const d = new LiveDisplay({ isTTY: true, rows: 30, write: (t) => void written.push(t) });
    d.snapshot(snapshot(), undefined);
    expect(written.at(-1)).toContain("✓1. setWeight 10% · ✓2. pause 10s · ▶3. analysis");
  });

  it("generatorLine mentions skipped requests only when there are some", () => {
    expect(generatorLine({ sent: 5, ok: 5, errors5xx: 0, failed: 0, skipped: 2 })).toBe(
      "5 sent · 5 ok · 0 5xx · 0 no answer · 2 skipped (too many in flight)",
    );
  });
});
