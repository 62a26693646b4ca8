/** The suite every MetricProvider passes (STYLE: one shared test suite per plug-in kind). */

import { describe, expect, it } from "vitest";
import type { Metric } from "../../analysis/types.js";
import type { MeasurementResult, MetricProvider } from "./provider.js";

export interface ProviderContractSetup {
  /** A fresh provider. */
  readonly provider: () => MetricProvider;
  /** A metric the provider can measure. */
  readonly metric: Metric;
  /** The provider key of that metric (`builtin`, `prometheus`, …). */
  readonly type: string;
}

const NOW = Date.parse("2025-01-01T00:00:00Z");

function isResult(r: MeasurementResult): boolean {
  const keys = ["value", "error", "insufficientData"].filter((k) => k in r);
  return keys.length === 1;
}

export function describeMetricProviderContract(name: string, setup: ProviderContractSetup): void {
  describe(`MetricProvider contract: ${name}`, () => {
    const context = () => ({ now: NOW, signal: new AbortController().signal, runName: "contract" });

    it("names its type", () => {
      expect(setup.provider().type).toBe(setup.type);
    });

    it("answers exactly one of value, error, insufficientData", async () => {
      const r = await setup.provider().measure(setup.metric, context());
      expect(isResult(r)).toBe(true);
    });

    it("answers a metric meant for another provider with an error, without throwing", async () => {
      const other: Metric = { name: setup.metric.name, provider: { web: { url: "http://example.invalid" } } };
      const r = await setup.provider().measure(other, context());
      expect(isResult(r)).toBe(true);
    });

    it("returns when asked with an aborted signal", async () => {
      const controller = new AbortController();
      controller.abort();
      const r = await setup.provider().measure(setup.metric, { ...context(), signal: controller.signal });
      expect(isResult(r)).toBe(true);
    });

    it("keeps its answers JSON-safe (they are persisted)", async () => {
      const r = await setup.provider().measure(setup.metric, context());
      expect(() => JSON.stringify(r)).not.toThrow();
    });
  });
}
