/**
 * The `prometheus` provider's settings (Argo's PrometheusMetric): checked with paths when a template
 * loads, and read again, typed, for each measurement (a run's spec is stored as plain JSON).
 */

import { parseDuration } from "../../../analysis/duration.js";
import { describeValue, type IssueList, joinPath } from "../../../analysis/issues.js";
import type { PrometheusMetric } from "../../../analysis/types.js";
import { type HttpSettings, isDeferred, isHttpUrl, parseHttpSettings } from "../http/settings.js";
import { type SettingsReader, settingsObject, storedSettings } from "../provider-settings.js";
import { evaluateTimeExpression } from "./time-expression.js";

const KEYS = ["address", "query", "authentication", "timeout", "insecure", "headers", "rangeQuery"] as const;

/** Argo's default query timeout (metricproviders/prometheus: 30 s when `timeout` is not set). */
export const DEFAULT_PROMETHEUS_TIMEOUT_SECONDS = 30;

export interface PrometheusSettings extends HttpSettings {
  readonly address?: string;
  readonly query: string;
  readonly timeoutMs: number;
  readonly rangeQuery?: { readonly start: string; readonly end: string; readonly stepMs: number };
}

/** For a template or run: the settings as JSON (stored as written), or undefined after reporting. */
export function parsePrometheusMetric(
  value: unknown,
  path: string,
  issues: IssueList,
  resolved: boolean,
): PrometheusMetric | undefined {
  const stored = storedSettings(readPrometheusSettings, value, path, issues, resolved);
  return stored === undefined ? undefined : { ...stored.json, query: stored.settings.query };
}

/** The settings, typed, or undefined after reporting every problem with its path. */
export const readPrometheusSettings: SettingsReader<PrometheusSettings> = (input, path, issues, resolved) => {
  const before = issues.items.length;
  const value = settingsObject(input, KEYS, path, issues, "an object with a query");
  if (value === undefined) return undefined;
  const { query, address, timeout } = value;
  if (typeof query !== "string" || query.trim() === "") {
    issues.error(joinPath(path, "query"), `required: a PromQL query, got ${describeValue(query)}`);
  }
  if (
    address !== undefined &&
    (typeof address !== "string" || (!isDeferred(address, resolved) && !isHttpUrl(address)))
  ) {
    issues.error(
      joinPath(path, "address"),
      `expected a URL such as "http://prometheus:9090", got ${describeValue(address)}`,
    );
  }
  if (timeout !== undefined && !(typeof timeout === "number" && Number.isInteger(timeout) && timeout > 0)) {
    issues.error(
      joinPath(path, "timeout"),
      `expected a whole number of seconds > 0, got ${describeValue(timeout)}`,
    );
  }
  const http = parseHttpSettings(value, path, issues, resolved);
  const rangeQuery = parseRangeQuery(value.rangeQuery, joinPath(path, "rangeQuery"), issues, resolved);
  if (
    issues.items.length > before ||
    typeof query !== "string" ||
    http === undefined ||
    rangeQuery === null
  ) {
    return undefined;
  }
  return {
    ...(typeof address === "string" && address !== "" && { address }),
    query,
    timeoutMs: (typeof timeout === "number" ? timeout : DEFAULT_PROMETHEUS_TIMEOUT_SECONDS) * 1000,
    ...http,
    ...(rangeQuery !== undefined && { rangeQuery }),
  };
};

/** `rangeQuery: {start, end, step}`; undefined when absent, null after reporting a problem. */
function parseRangeQuery(
  value: unknown,
  path: string,
  issues: IssueList,
  resolved: boolean,
): PrometheusSettings["rangeQuery"] | null | undefined {
  if (value === undefined) return undefined;
  const before = issues.items.length;
  const range = settingsObject(value, ["start", "end", "step"], path, issues, "{start, end, step}");
  if (range === undefined) return null;
  const { start, end, step } = range;
  for (const [field, text] of [
    ["start", start],
    ["end", end],
  ] as const) {
    const at = joinPath(path, field);
    if (typeof text !== "string" || text.trim() === "") {
      issues.error(
        at,
        `required: a time such as "now() - duration('10m')" or "now()", got ${describeValue(text)}`,
      );
    } else if (!isDeferred(text, resolved)) {
      const r = evaluateTimeExpression(text, 0);
      if (!r.ok) issues.error(at, r.message);
    }
  }
  let stepMs = 0;
  if (typeof step !== "string" || step === "") {
    issues.error(
      joinPath(path, "step"),
      `required: the resolution, a duration such as "1m", got ${describeValue(step)}`,
    );
  } else if (!isDeferred(step, resolved)) {
    const ms = parseDuration(step);
    if (ms === undefined || ms <= 0) {
      issues.error(
        joinPath(path, "step"),
        `expected a positive duration such as "30s" or "1m", got ${describeValue(step)}`,
      );
    } else stepMs = ms;
  }
  if (issues.items.length > before || typeof start !== "string" || typeof end !== "string") return null;
  return { start, end, stepMs };
}
