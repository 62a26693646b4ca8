/** The `builtin` provider's settings: checked when a template loads, with the path of every problem. */

import { parseDuration } from "../../../analysis/duration.js";
import {
  checkKnownKeys,
  describeValue,
  type IssueList,
  isPlainObject,
  joinPath,
  nearestName,
} from "../../../analysis/issues.js";
import { BUILTIN_METRIC_KINDS, type BuiltinMetric, type BuiltinMetricKind } from "../../../analysis/types.js";

const KEYS = ["metric", "version", "window", "service", "minRequests"] as const;
const VERSIONS = ["canary", "stable"] as const;

export const DEFAULT_WINDOW = "1m";

/**
 * The settings as typed data, or undefined after reporting what is wrong. `window` and `service`
 * may hold `{{args.*}}` placeholders, checked once the run substitutes them (`resolved`).
 */
export function parseBuiltinMetric(
  value: unknown,
  path: string,
  issues: IssueList,
  resolved: boolean,
): BuiltinMetric | undefined {
  if (!isPlainObject(value)) {
    issues.error(path, `expected an object such as { metric: successRate }, got ${describeValue(value)}`);
    return undefined;
  }
  const before = issues.items.length;
  checkKnownKeys(value, KEYS, path, issues);
  const metric = kindOf(value.metric, joinPath(path, "metric"), issues);
  const version = value.version;
  if (version !== undefined && !VERSIONS.some((v) => v === version)) {
    issues.error(joinPath(path, "version"), `expected "canary" or "stable", got ${describeValue(version)}`);
  }
  const window = value.window;
  if (window !== undefined) {
    const windowPath = joinPath(path, "window");
    if (typeof window !== "string") issues.error(windowPath, `expected a duration such as "1m"`);
    else if (resolved || !window.includes("{{")) {
      const ms = parseDuration(window);
      if (ms === undefined || ms <= 0) {
        issues.error(windowPath, `${describeValue(window)} is not a positive duration such as "30s" or "1m"`);
      }
    }
  }
  const service = value.service;
  if (service !== undefined && (typeof service !== "string" || service === "")) {
    issues.error(joinPath(path, "service"), `expected a service name, got ${describeValue(service)}`);
  }
  const minRequests = value.minRequests;
  if (minRequests !== undefined && (!Number.isInteger(minRequests) || Number(minRequests) < 0)) {
    issues.error(
      joinPath(path, "minRequests"),
      `expected a whole number ≥ 0, got ${describeValue(minRequests)}`,
    );
  }
  if (issues.items.length > before || metric === undefined) return undefined;
  return {
    metric,
    ...(version === "canary" || version === "stable" ? { version } : {}),
    ...(typeof window === "string" ? { window } : {}),
    ...(typeof service === "string" ? { service } : {}),
    ...(typeof minRequests === "number" ? { minRequests } : {}),
  };
}

function kindOf(value: unknown, path: string, issues: IssueList): BuiltinMetricKind | undefined {
  const kind = BUILTIN_METRIC_KINDS.find((k) => k === value);
  if (kind !== undefined) return kind;
  const known = BUILTIN_METRIC_KINDS.join(", ");
  if (value === undefined) issues.error(path, `required: one of ${known}`);
  else {
    const near = typeof value === "string" ? nearestName(value, BUILTIN_METRIC_KINDS) : undefined;
    const hint = near === undefined ? "" : ` (did you mean '${near}'?)`;
    issues.error(path, `unknown builtin metric ${describeValue(value)}${hint}; known: ${known}`, near);
  }
  return undefined;
}
