import { describe, expect, it } from "vitest";
import type { MeasurementResult } from "../plugins/metrics/provider.js";
import { assessMeasurement } from "./assess.js";
import { compileCondition, evaluateConditions } from "./conditions.js";
import { compileOne, metric, T0 } from "./fixtures.shared-test.js";

// Argo utils/evaluate/evaluate.go EvaluateResult: the measurement assessment matrix.
describe("a measurement's phase from its value (Argo EvaluateResult)", () => {
  const cases: {
    rule: string;
    success?: string;
    failure?: string;
    value: MeasurementResult;
    phase: string;
    message?: RegExp;
  }[] = [
    { rule: "no conditions → Successful", value: { value: 0.1 }, phase: "Successful" },
    {
      rule: "only successCondition, true → Successful",
      success: "result > 0.5",
      value: { value: 0.9 },
      phase: "Successful",
    },
    {
      rule: "only successCondition, false → Failed (failure = not success)",
      success: "result > 0.5",
      value: { value: 0.1 },
      phase: "Failed",
    },
    {
      rule: "only failureCondition, true → Failed",
      failure: "result > 0.5",
      value: { value: 0.9 },
      phase: "Failed",
    },
    {
      rule: "only failureCondition, false → Successful (success = not failure)",
      failure: "result > 0.5",
      value: { value: 0.1 },
      phase: "Successful",
    },
    {
      rule: "both, success only → Successful",
      success: "result > 0.5",
      failure: "result < 0.2",
      value: { value: 0.9 },
      phase: "Successful",
    },
    {
      rule: "both, failure only → Failed",
      success: "result > 0.5",
      failure: "result < 0.2",
      value: { value: 0.1 },
      phase: "Failed",
    },
    {
      rule: "both true → Failed (failure wins)",
      success: "result > 0.5",
      failure: "result > 0.6",
      value: { value: 0.9 },
      phase: "Failed",
    },
    {
      rule: "both false → Inconclusive",
      success: "result > 0.5",
      failure: "result < 0.2",
      value: { value: 0.3 },
      phase: "Inconclusive",
    },
    {
      rule: "seed: result[0] >= 0.95 on a vector, pass",
      success: "result[0] >= 0.95",
      value: { value: [0.97] },
      phase: "Successful",
    },
    {
      rule: "seed: result[0] >= 0.95 on a vector, fail",
      success: "result[0] >= 0.95",
      value: { value: [0.9] },
      phase: "Failed",
    },
    {
      rule: "seed: result[0] <= 0.5 on a vector (p99 seconds)",
      success: "result[0] <= 0.5",
      value: { value: [0.42] },
      phase: "Successful",
    },
    {
      rule: "condition error on an empty vector → Error, no data is never a pass",
      success: "result[0] >= 0.95",
      value: { value: [] },
      phase: "Error",
      message: /could not evaluate successCondition "result\[0\] >= 0.95": metric result is nil or empty/,
    },
    {
      rule: "condition error → Error with the evaluation message",
      success: "result.rate > 1",
      value: { value: { other: 1 } },
      phase: "Error",
      message: /could not evaluate successCondition "result.rate > 1": .*rate/,
    },
    {
      rule: "a failureCondition error → Error even when success is decided",
      success: "result > 0",
      failure: "result.x > 0",
      value: { value: 1 },
      phase: "Error",
      message: /could not evaluate failureCondition/,
    },
    {
      rule: "a condition that is not a boolean → Error (Argo: expected bool)",
      success: "result + 1",
      value: { value: 1 },
      phase: "Error",
      message: /expected bool, but got number/,
    },
    {
      rule: "Argo helper len() on a vector",
      success: "len(result) > 0 && result[0] < 0.5",
      value: { value: [0.1] },
      phase: "Successful",
    },
    {
      rule: "Argo helper isNaN(): NaN is not a pass",
      failure: "isNaN(result[0])",
      value: { value: [Number.NaN] },
      phase: "Failed",
    },
    {
      rule: "Argo helper default()",
      success: "default(result.count, 0) > 1",
      value: { value: {} },
      phase: "Failed",
    },
    {
      rule: "JSON result from a web/job provider",
      success: "result.ok == true && result.latency < 300",
      value: { value: { ok: true, latency: 120 } },
      phase: "Successful",
    },
    {
      rule: "provider error → Error, message kept",
      success: "result > 0",
      value: { error: "connection refused" },
      phase: "Error",
      message: /^connection refused$/,
    },
    {
      rule: "insufficient data (once the wait is over) → Inconclusive",
      value: { insufficientData: { reason: "3 requests" } },
      phase: "Inconclusive",
      message: /insufficient data: 3 requests/,
    },
  ];

  it.each(cases)("$rule", ({ success, failure, value, phase, message }) => {
    const m = compileOne(
      metric("m", {
        ...(success ? { successCondition: success } : {}),
        ...(failure ? { failureCondition: failure } : {}),
      }),
    );
    const verdict = assessMeasurement(m, value, T0);
    expect(verdict.phase).toBe(phase);
    if (message !== undefined) expect(verdict.message).toMatch(message);
    else expect(verdict.message).toBeUndefined();
  });
});

describe("conditions are compiled once", () => {
  it("the same source compiles to the same program (cached), and a bad one reports where", () => {
    const a = compileCondition("result[0] >= 0.95");
    const b = compileCondition("result[0] >= 0.95");
    expect(a.ok && b.ok).toBe(true);
    const bad = compileCondition("result[0] >=");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/does not compile: .* \(at offset \d+\)/);
  });

  it("evaluateConditions binds `result` and now()", () => {
    const r = compileCondition("now() > timestamp('2020-01-01T00:00:00Z') && result == 1");
    if (!r.ok) throw new Error(r.message);
    expect(evaluateConditions({ successCondition: r.condition }, 1, T0)).toEqual({ phase: "Successful" });
  });
});
