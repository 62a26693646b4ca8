/** Which metric providers an imported template may keep, from the one metric provider factory. */
import {
  AVAILABLE_METRIC_PROVIDERS,
  METRIC_PROVIDER_TYPES,
  type MetricProviderType,
} from "../../plugins/metrics/factory.js";
import type { DocumentReport } from "./report.js";

export function isKnownProvider(key: string): key is MetricProviderType {
  return METRIC_PROVIDER_TYPES.some((t) => t === key);
}

export function isAvailableProvider(key: string): boolean {
  return AVAILABLE_METRIC_PROVIDERS.some((t) => t === key);
}

/**
 * Reports a provider this build cannot run. The metric is kept: its measurements are Error, so the
 * analysis fails closed instead of a dropped check letting a bad version through unmeasured.
 */
export function reportUnavailableProvider(key: string, path: string, report: DocumentReport): void {
  const runs = AVAILABLE_METRIC_PROVIDERS.join(", ");
  const why =
    key === "job"
      ? "a Kubernetes Job needs Kubernetes"
      : key === "plugin"
        ? "Argo metric plugins do not run in Ramp"
        : `this build of Ramp cannot query ${key} (it runs: ${runs})`;
  const instead =
    key === "job"
      ? "run the check as a local command (the `command` provider) or behind an HTTP endpoint (`web`)"
      : `measure it with one of: ${runs}`;
  report.unsupported(
    path,
    `${why}; the metric is kept, so its measurements are Error and the analysis fails rather than passing unchecked`,
    instead,
  );
}
