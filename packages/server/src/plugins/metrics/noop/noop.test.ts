import { describe, expect, it } from "vitest";
import type { Metric } from "../../../analysis/types.js";
import { describeMetricProviderContract } from "../provider-contract.shared-test.js";
import { NoopMetricProvider } from "./index.js";

const m: Metric = { name: "m", provider: { prometheus: { query: "up" } } };
const ctx = (now: number) => ({ now, signal: new AbortController().signal, runName: "r" });

describeMetricProviderContract("noop", {
  provider: () => new NoopMetricProvider({ m: [{ value: 1 }] }),
  metric: m,
  type: "noop",
});

describe("NoopMetricProvider", () => {
  it("plays its script in order, repeating the last entry, and records calls", async () => {
    const p = new NoopMetricProvider({ m: [{ value: 1 }, { error: "x" }] }, "prometheus");
    const answers = [await p.measure(m, ctx(1)), await p.measure(m, ctx(2)), await p.measure(m, ctx(3))];
    expect(answers).toEqual([{ value: 1 }, { error: "x" }, { error: "x" }]);
    expect(p.callTimes("m")).toEqual([1, 2, 3]);
    expect(p.type).toBe("prometheus");
  });

  it("answers an unscripted metric with an error", async () => {
    const p = new NoopMetricProvider({});
    expect(await p.measure(m, ctx(1))).toEqual({ error: "noop: nothing scripted for metric 'm'" });
  });
});
