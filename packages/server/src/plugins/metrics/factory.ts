/**
 * The one metric provider factory (argo-rollouts metricproviders/metricproviders.go): a metric's
 * `provider` key chooses the implementation; unknown keys are rejected, naming the known ones.
 * The same table checks each provider's settings when a template loads.
 */

import {
  describeValue,
  type IssueList,
  isPlainObject,
  joinPath,
  nearestName,
} from "../../analysis/issues.js";
import type { Metric, MetricProviderSpec, ProviderConfig } from "../../analysis/types.js";
import { BuiltinMetricProvider, parseBuiltinMetric, type VersionMetricsSource } from "./builtin/index.js";
import { CommandMetricProvider, readCommandSettings } from "./command/index.js";
import { MetricProviderError } from "./errors.js";
import { toJsonObject } from "./json.js";
import { PrometheusMetricProvider, parsePrometheusMetric } from "./prometheus/index.js";
import type { MetricProvider } from "./provider.js";
import { storedSettings } from "./provider-settings.js";
import { readWebSettings, WebMetricProvider } from "./web/index.js";

/** Every provider key a template may use: Argo's providers and Ramp's `builtin` and `command`. */
export const METRIC_PROVIDER_TYPES = [
  "builtin",
  "prometheus",
  "web",
  "command",
  "job",
  "kayenta",
  "datadog",
  "newRelic",
  "wavefront",
  "cloudWatch",
  "graphite",
  "influxdb",
  "skywalking",
  "plugin",
] as const;
export type MetricProviderType = (typeof METRIC_PROVIDER_TYPES)[number];

/** The providers this build can run; templates naming the others load, and their measurements are Error. */
export const AVAILABLE_METRIC_PROVIDERS: readonly MetricProviderType[] = [
  "builtin",
  "prometheus",
  "web",
  "command",
];

type OpaqueProviderType = Exclude<MetricProviderType, "builtin" | "prometheus" | "web" | "command">;

/**
 * Checks a metric's `provider` (exactly one known key, valid settings) and returns it typed.
 * `resolved` is false for templates, whose strings may still hold `{{args.*}}` placeholders.
 */
export function parseProviderSpec(
  value: unknown,
  path: string,
  issues: IssueList,
  resolved: boolean,
): MetricProviderSpec | undefined {
  if (!isPlainObject(value)) {
    issues.error(path, `expected an object naming one provider (${METRIC_PROVIDER_TYPES.join(", ")})`);
    return undefined;
  }
  const keys = Object.keys(value);
  for (const key of keys) {
    if (METRIC_PROVIDER_TYPES.some((t) => t === key)) continue;
    const near = nearestName(key, METRIC_PROVIDER_TYPES);
    const hint = near === undefined ? "" : ` (did you mean '${near}'?)`;
    issues.error(
      joinPath(path, key),
      `unknown provider '${key}'${hint}; known: ${METRIC_PROVIDER_TYPES.join(", ")}`,
      near,
    );
  }
  const types = METRIC_PROVIDER_TYPES.filter((t) => keys.includes(t));
  if (keys.length === 0) {
    issues.error(path, `no provider specified; known: ${METRIC_PROVIDER_TYPES.join(", ")}`);
    return undefined;
  }
  if (types.length > 1) {
    issues.error(path, `multiple providers specified (${types.join(", ")}); a metric has exactly one`);
    return undefined;
  }
  const [type] = types;
  if (type === undefined || types.length !== keys.length) return undefined;
  const at = joinPath(path, type);
  const config = value[type];
  switch (type) {
    case "builtin": {
      const builtin = parseBuiltinMetric(config, at, issues, resolved);
      return builtin === undefined ? undefined : { builtin };
    }
    case "prometheus": {
      const prometheus = parsePrometheusMetric(config, at, issues, resolved);
      return prometheus === undefined ? undefined : { prometheus };
    }
    case "web": {
      const web = storedSettings(readWebSettings, config, at, issues, resolved)?.json;
      return web === undefined ? undefined : { web };
    }
    case "command": {
      const command = storedSettings(readCommandSettings, config, at, issues, resolved)?.json;
      return command === undefined ? undefined : { command };
    }
    default: {
      const opaque = parseOpaqueConfig(config, at, issues);
      if (opaque === undefined) return undefined;
      const spec: { [K in OpaqueProviderType]?: ProviderConfig } = {};
      spec[type] = opaque;
      return spec;
    }
  }
}

function parseOpaqueConfig(value: unknown, path: string, issues: IssueList): ProviderConfig | undefined {
  if (!isPlainObject(value)) {
    issues.error(path, `expected an object, got ${describeValue(value)}`);
    return undefined;
  }
  return toJsonObject(value, path, issues);
}

/** The provider key a metric names, when it names exactly one. */
export function providerTypeOf(metric: Metric): string | undefined {
  const keys = Object.keys(metric.provider);
  return keys.length === 1 ? keys[0] : undefined;
}

/** Makes the provider for a metric; throws MetricProviderError when it cannot. */
export interface MetricProviderFactory {
  create(metric: Metric): MetricProvider;
}

export interface MetricProviderFactoryOptions {
  /** Per-version traffic metrics for the `builtin` provider (the built-in proxy implements it). */
  readonly versionMetrics?: VersionMetricsSource;
  /**
   * Providers to use for given keys instead of the built-in ones: tests and demos pass a
   * NoopMetricProvider, and a later provider can be tried before it ships.
   */
  readonly providers?: Partial<Record<MetricProviderType, MetricProvider>>;
  /**
   * The Prometheus server for `prometheus` metrics that name no `address` (Argo reads
   * ARGO_ROLLOUTS_PROMETHEUS_ADDRESS; Ramp's server takes `prometheusAddress` / RAMP_PROMETHEUS_URL).
   */
  readonly prometheusAddress?: string;
}

export function createMetricProviderFactory(
  options: MetricProviderFactoryOptions = {},
): MetricProviderFactory {
  const builtin =
    options.versionMetrics === undefined ? undefined : new BuiltinMetricProvider(options.versionMetrics);
  // One instance each per factory, so an OAuth2 token is fetched once and reused until it expires.
  const prometheus = new PrometheusMetricProvider(
    options.prometheusAddress === undefined ? {} : { defaultAddress: options.prometheusAddress },
  );
  const web = new WebMetricProvider();
  const command = new CommandMetricProvider();
  return {
    create(metric: Metric): MetricProvider {
      const keys = Object.keys(metric.provider);
      const known = METRIC_PROVIDER_TYPES.join(", ");
      if (keys.length !== 1) {
        const what = keys.length === 0 ? "no provider" : `several providers (${keys.join(", ")})`;
        throw new MetricProviderError(
          "NO_PROVIDER",
          `metric '${metric.name}' names ${what}; known: ${known}`,
        );
      }
      const key = keys[0] ?? "";
      const type = METRIC_PROVIDER_TYPES.find((t) => t === key);
      if (type === undefined) {
        throw new MetricProviderError(
          "UNKNOWN_PROVIDER",
          `metric '${metric.name}': unknown provider '${key}'; known: ${known}`,
        );
      }
      const override = options.providers?.[type];
      if (override !== undefined) return override;
      if (type === "builtin") {
        if (builtin !== undefined) return builtin;
        throw new MetricProviderError(
          "UNAVAILABLE",
          "builtin: no per-version metrics source is configured (the built-in proxy provides one)",
        );
      }
      if (type === "prometheus") return prometheus;
      if (type === "web") return web;
      if (type === "command") return command;
      if (type === "job") {
        throw new MetricProviderError(
          "UNAVAILABLE",
          "job: runs a Kubernetes Job, which Ramp does not do; use the `command` provider to run a check on the server's machine",
        );
      }
      throw new MetricProviderError(
        "UNAVAILABLE",
        `${type}: not available yet (this build runs: ${AVAILABLE_METRIC_PROVIDERS.join(", ")})`,
      );
    },
  };
}
