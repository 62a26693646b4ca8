import { describe, expect, it } from "vitest";
import type { TrafficReport, VersionTrafficReport } from "../remote/api-types.js";
import { run } from "../rollouts/fixtures.shared-test.js";
import { failedMeasurement, trafficBack } from "./story.js";

const version = (v: string, requests: number): VersionTrafficReport => ({
  role: v === "v2" ? "stable" : "canary",
  version: v,
  requests,
  errors5xx: 0,
  periodSeconds: 2,
  requestsPerSecond: requests / 2,
  errorRate: requests === 0 ? null : 0,
  p50Ms: null,
  p99Ms: null,
});
const report = (...versions: VersionTrafficReport[]): TrafficReport => ({
  name: "demo",
  measured: true,
  proxy: "http://127.0.0.1:1",
  windowSeconds: 2,
  versions,
});

describe("the story's verdicts", () => {
  it("trafficBack: the good version takes requests and the bad one none", () => {
    expect(trafficBack(report(version("v2", 200), version("v3", 0)), "v2", "v3")).toBe(
      "all traffic back on v2: 100.0 req/s over the last 2 s, v3 none",
    );
    expect(trafficBack(report(version("v2", 200)), "v2", "v3")).toMatch(/^all traffic back on v2/);
    expect(trafficBack(report(version("v2", 190), version("v3", 10)), "v2", "v3")).toBe(
      "v3 still took 10 requests over the last 2 s",
    );
    expect(trafficBack(report(version("v2", 0)), "v2", "v3")).toBe("v2 took no requests over the last 2 s");
  });

  it("failedMeasurement names the metric, the value and the condition it missed", () => {
    const failed = run("demo-r3-step2", "Failed", {
      "success-rate": [["0.951", "Failed"]],
      "latency-p99": [["30", "Successful"]],
    });
    expect(failedMeasurement([failed])).toBe("success-rate = 0.951 (needs result >= 0.99)");
    expect(failedMeasurement([run("r", "Successful", { m: [["1", "Successful"]] })])).toBeUndefined();
  });
});
