/**
 * The `prometheus` provider's settings (Argo's PrometheusMetric), checked when a template loads so
 * Argo templates are accepted today. The provider that runs the queries comes later.
 */

import {
  checkKnownKeys,
  describeValue,
  type IssueList,
  isPlainObject,
  joinPath,
} from "../../../analysis/issues.js";
import type { PrometheusMetric } from "../../../analysis/types.js";
import { toJsonObject } from "../json.js";

const KEYS = ["address", "query", "authentication", "timeout", "insecure", "headers", "rangeQuery"] as const;

export function parsePrometheusMetric(
  value: unknown,
  path: string,
  issues: IssueList,
  _resolved: boolean,
): PrometheusMetric | undefined {
  if (!isPlainObject(value)) {
    issues.error(path, `expected an object with a query, got ${describeValue(value)}`);
    return undefined;
  }
  const before = issues.items.length;
  checkKnownKeys(value, KEYS, path, issues);
  const { query, address } = value;
  if (typeof query !== "string" || query.trim() === "") {
    issues.error(joinPath(path, "query"), `required: a PromQL query, got ${describeValue(query)}`);
  }
  if (address !== undefined && typeof address !== "string") {
    issues.error(joinPath(path, "address"), `expected a URL such as "http://prometheus:9090"`);
  }
  const json = toJsonObject(value, path, issues);
  if (issues.items.length > before || typeof query !== "string" || json === undefined) return undefined;
  return { ...json, query };
}
