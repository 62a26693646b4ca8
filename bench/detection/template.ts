/**
 * The example templates (examples/analysis-builtin.yaml), read as the benchmark applies them, and the
 * settings of the success-rate metric that decide its statistics.
 */
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { repoFile } from "../lib/repo-file.js";
import { TEMPLATE_NAME } from "./scenario.js";

export const TEMPLATES_FILE = "examples/analysis-builtin.yaml";

/** What the success-rate metric asks: `result >= threshold` over at least `minRequests` requests. */
export interface SuccessRateMetric {
  readonly threshold: number;
  readonly minRequests: number;
  readonly interval: string;
  /** `interval` in seconds. */
  readonly intervalSeconds: number;
  readonly count: number;
  readonly window: string;
}

export interface ExampleTemplates {
  /** Every document of the file, as JSON for POST /api/v1/rollouts. */
  readonly documents: readonly unknown[];
  readonly successRate: SuccessRateMetric;
}

export function loadExampleTemplates(): ExampleTemplates {
  const path = repoFile(TEMPLATES_FILE);
  const documents = parseAllDocuments(readFileSync(path, "utf8")).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
    return doc.toJS() as unknown;
  });
  return { documents, successRate: successRateMetric(documents, path) };
}

/** The settings of the template's first metric; anything else than the expected shape is an error. */
export function successRateMetric(documents: readonly unknown[], path: string): SuccessRateMetric {
  const template = documents.find((d) => at(d, "metadata", "name") === TEMPLATE_NAME);
  const metric = at(template, "spec", "metrics", 0);
  const builtin = at(metric, "provider", "builtin");
  const condition = at(metric, "successCondition");
  const match = typeof condition === "string" ? /^\s*result\s*>=\s*([0-9.]+)\s*$/.exec(condition) : null;
  const threshold = Number(match?.[1]);
  const minRequests = at(builtin, "minRequests");
  const interval = at(metric, "interval");
  const count = at(metric, "count");
  const window = at(builtin, "window");
  const intervalSeconds = typeof interval === "string" ? seconds(interval) : Number.NaN;
  if (
    at(builtin, "metric") !== "successRate" ||
    !Number.isFinite(threshold) ||
    typeof minRequests !== "number" ||
    typeof interval !== "string" ||
    !Number.isFinite(intervalSeconds) ||
    typeof count !== "number" ||
    typeof window !== "string"
  ) {
    throw new Error(
      `${path}: template '${TEMPLATE_NAME}' must start with a builtin successRate metric with ` +
        "`successCondition: result >= X`, minRequests, interval (one unit: 2s, 1m), count and window",
    );
  }
  return { threshold, minRequests, interval, intervalSeconds, count, window };
}

/** A one-unit Go duration ("500ms", "2s", "1m", "1h") in seconds; NaN for anything else. */
function seconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(duration);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[match?.[2] ?? ""];
  return unit === undefined ? Number.NaN : Number(match?.[1]) * unit;
}

/** The value at a path of object keys and array indexes, or undefined. */
function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
