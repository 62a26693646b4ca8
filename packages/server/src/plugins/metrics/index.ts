/** Metric provider plug-ins: the interface, the one factory, and the implementations. */

export {
  BuiltinMetricProvider,
  type VersionMetricsSource,
  type VersionWindow,
  type VersionWindowQuery,
} from "./builtin/index.js";
export { CommandMetricProvider } from "./command/index.js";
export { MetricProviderError, type MetricProviderErrorCode } from "./errors.js";
export {
  AVAILABLE_METRIC_PROVIDERS,
  createMetricProviderFactory,
  METRIC_PROVIDER_TYPES,
  type MetricProviderFactory,
  type MetricProviderFactoryOptions,
  type MetricProviderType,
  parseProviderSpec,
  providerTypeOf,
} from "./factory.js";
export { type NoopCall, NoopMetricProvider, type ScriptedResult } from "./noop/index.js";
export { PrometheusMetricProvider, type PrometheusProviderOptions } from "./prometheus/index.js";
export type { MeasurementContext, MeasurementResult, MetricProvider, MetricValue } from "./provider.js";
export { WebMetricProvider } from "./web/index.js";
