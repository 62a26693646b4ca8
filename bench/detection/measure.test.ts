import { describe, expect, it } from "vitest";
import type { Sample } from "./load.js";
import { measureCase } from "./measure.js";

const T = 1_700_000_000_000;

/** One sample every 5 ms from T; `canary(i)` says which went to v2, `error(i)` which failed. */
function samples(count: number, canary: (i: number) => boolean, error: (i: number) => boolean): Sample[] {
  return Array.from({ length: count }, (_, i) => ({
    sentAt: T + i * 5,
    version: canary(i) ? "v2" : "v1",
    status: error(i) ? 500 : 200,
  }));
}

describe("measureCase", () => {
  // Every 20th request goes to the canary from the 200th (T + 1 s) until the 2,200th (T + 11 s).
  const toCanary = (i: number) => i >= 200 && i < 2_200 && i % 20 === 0;
  const list = samples(3_000, toCanary, (i) => toCanary(i) && i % 400 === 0);

  it("times the detection from the first canary request to the abort, and checks what came after", () => {
    const result = measureCase({
      kind: "bad",
      samples: list.slice().reverse(),
      canaryVersion: "v2",
      abortedAt: T + 11_000,
      endAt: T + 15_000,
      analysisStartedAt: T + 1_500,
      measurements: [
        {
          metric: "success-rate",
          phase: "Failed",
          value: "0.95",
          message: undefined,
          finishedAt: T + 10_990,
        },
      ],
      analysisPhase: "Failed",
    });
    expect(result.aborted).toBe(true);
    expect(result.detectionSeconds).toBe(10);
    expect(result.canary).toEqual({ requests: 100, errors: 5 });
    expect(result.stable.requests).toBe(2_001 - 100);
    expect(result.lastCanaryMs).toBe(100);
    expect(result.afterAbort).toEqual({ requests: 799, canary: 0 });
    expect(result.analysisStartSeconds).toBe(0.5);
    expect(result.verdicts).toEqual([{ phase: "Failed", value: "0.95", atSeconds: 9.99, requests: 100 }]);
    expect(result.unanswered).toBe(0);
  });

  it("counts canary answers after the abort, and requests without a version", () => {
    const late = [
      ...list,
      { sentAt: T + 12_000, version: "v2", status: 200 },
      { sentAt: T + 12_001, version: undefined, status: 502 },
    ];
    const result = measureCase({
      kind: "bad",
      samples: late,
      canaryVersion: "v2",
      abortedAt: T + 11_000,
      endAt: T + 15_000,
      analysisStartedAt: undefined,
      measurements: [],
      analysisPhase: undefined,
    });
    expect(result.afterAbort?.canary).toBe(1);
    expect(result.unanswered).toBe(1);
  });

  it("observes a case that was not aborted until the end of the load", () => {
    const result = measureCase({
      kind: "healthy",
      samples: list,
      canaryVersion: "v2",
      abortedAt: undefined,
      endAt: T + 15_000,
      analysisStartedAt: T + 1_200,
      measurements: [
        {
          metric: "success-rate",
          phase: "Running",
          value: undefined,
          message: "insufficient data",
          finishedAt: undefined,
        },
      ],
      analysisPhase: "Running",
    });
    expect(result.aborted).toBe(false);
    expect(result.detectionSeconds).toBeUndefined();
    expect(result.afterAbort).toBeUndefined();
    expect(result.observedSeconds).toBe(14);
    expect(result.verdicts).toEqual([]);
  });
});
