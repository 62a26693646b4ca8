/**
 * Loads an AnalysisTemplate or ClusterAnalysisTemplate (YAML or JSON, already parsed) as Argo
 * Rollouts writes it, reporting every problem with its path (`spec.metrics[0].successCondition`).
 */

import { flattenArgs, mergeArgs, substituteArgs } from "./args.js";
import { checkKnownKeys, describeValue, type Issue, IssueList, isPlainObject, joinPath } from "./issues.js";
import { parseMetric, type SpecMode } from "./metric-spec.js";
import type {
  AnalysisTemplate,
  AnalysisTemplateSpec,
  Argument,
  DryRun,
  MeasurementRetention,
  Metric,
} from "./types.js";

export const ANALYSIS_API_VERSION = "argoproj.io/v1alpha1";
const KINDS = ["AnalysisTemplate", "ClusterAnalysisTemplate"] as const;
const DOCUMENT_KEYS = ["apiVersion", "kind", "metadata", "spec"] as const;
const SPEC_KEYS = ["metrics", "args", "dryRun", "measurementRetention", "templates"] as const;

export type LoadTemplateResult =
  | { readonly ok: true; readonly template: AnalysisTemplate }
  | { readonly ok: false; readonly issues: readonly Issue[] };

/**
 * Checks a parsed document and returns it typed. Placeholders (`{{args.service-name}}`) must name
 * arguments declared in `spec.args`; conditions are compiled now unless they hold a placeholder.
 * Known providers that Ramp cannot run yet (job, datadog, …) load: their measurements are Error
 * until the provider exists.
 *
 * @example
 * const r = loadAnalysisTemplate(parse(readFileSync("success-rate.yaml", "utf8")));
 * if (!r.ok) for (const i of r.issues) console.error(`${i.path}: ${i.message}`);
 */
export function loadAnalysisTemplate(doc: unknown): LoadTemplateResult {
  const issues = new IssueList();
  if (!isPlainObject(doc)) {
    issues.error("", `expected an AnalysisTemplate document, got ${describeValue(doc)}`);
    return { ok: false, issues: issues.items };
  }
  checkKnownKeys(doc, DOCUMENT_KEYS, "", issues);
  if (doc.apiVersion !== undefined && doc.apiVersion !== ANALYSIS_API_VERSION) {
    issues.error("apiVersion", `expected "${ANALYSIS_API_VERSION}", got ${describeValue(doc.apiVersion)}`);
  }
  const kind = KINDS.find((k) => k === doc.kind);
  if (kind === undefined) {
    issues.error(
      "kind",
      `expected "AnalysisTemplate" or "ClusterAnalysisTemplate", got ${describeValue(doc.kind)}`,
    );
  }
  const metadata = parseMetadata(doc.metadata, issues);
  const spec = parseTemplateSpec(doc.spec, "spec", issues);
  if (!issues.ok || kind === undefined || metadata === undefined || spec === undefined) {
    return { ok: false, issues: issues.items };
  }
  return { ok: true, template: { apiVersion: ANALYSIS_API_VERSION, kind, metadata, spec } };
}

function parseMetadata(value: unknown, issues: IssueList): AnalysisTemplate["metadata"] | undefined {
  if (!isPlainObject(value) || typeof value.name !== "string" || value.name === "") {
    issues.error("metadata.name", "required: the template's name (rollouts refer to it as templateName)");
    return undefined;
  }
  const { name, namespace, labels, annotations } = value;
  if (namespace !== undefined && typeof namespace !== "string") {
    issues.error("metadata.namespace", `expected a string, got ${describeValue(namespace)}`);
  }
  const strings = (v: unknown, path: string): Record<string, string> | undefined => {
    if (v === undefined) return undefined;
    if (isPlainObject(v) && Object.values(v).every((x) => typeof x === "string")) {
      return Object.fromEntries(
        Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"),
      );
    }
    issues.error(path, "expected a map of strings");
    return undefined;
  };
  const l = strings(labels, "metadata.labels");
  const a = strings(annotations, "metadata.annotations");
  return {
    name,
    ...(typeof namespace === "string" ? { namespace } : {}),
    ...(l === undefined ? {} : { labels: l }),
    ...(a === undefined ? {} : { annotations: a }),
  };
}

/** `spec` of a template: metrics (at least one, names unique), args, dryRun, measurementRetention. */
export function parseTemplateSpec(
  value: unknown,
  path: string,
  issues: IssueList,
): AnalysisTemplateSpec | undefined {
  if (!isPlainObject(value)) {
    issues.error(path, `expected the template spec (an object with metrics), got ${describeValue(value)}`);
    return undefined;
  }
  const before = issues.items.length;
  checkKnownKeys(value, SPEC_KEYS, path, issues);
  if (value.templates !== undefined) {
    issues.error(
      joinPath(path, "templates"),
      "nested template references are not supported; list the templates in the rollout step",
    );
  }
  const args = parseArgs(value.args, joinPath(path, "args"), issues);
  const mode: SpecMode = { resolved: false, declaredArgs: new Set(args.map((a) => a.name)) };
  const metrics = parseMetrics(value.metrics, joinPath(path, "metrics"), issues, mode);
  const dryRun = parseDryRun(value.dryRun, joinPath(path, "dryRun"), issues);
  const measurementRetention = parseRetention(
    value.measurementRetention,
    joinPath(path, "measurementRetention"),
    issues,
  );
  if (issues.items.length > before || metrics === undefined) return undefined;
  return {
    metrics,
    ...(value.args === undefined ? {} : { args }),
    ...(value.dryRun === undefined ? {} : { dryRun }),
    ...(value.measurementRetention === undefined ? {} : { measurementRetention }),
  };
}

/** A list of metrics: at least one, each valid, no two with one name. */
export function parseMetrics(
  value: unknown,
  path: string,
  issues: IssueList,
  mode: SpecMode,
): Metric[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    issues.error(path, "no metrics specified");
    return undefined;
  }
  const metrics: Metric[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, i) => {
    const at = joinPath(path, i);
    const metric = parseMetric(item, at, issues, mode);
    if (metric === undefined) return;
    if (seen.has(metric.name)) issues.error(joinPath(at, "name"), `duplicate name '${metric.name}'`);
    seen.add(metric.name);
    metrics.push(metric);
  });
  return metrics.length === value.length ? metrics : undefined;
}

export function parseArgs(value: unknown, path: string, issues: IssueList): Argument[] {
  const args: Argument[] = [];
  for (const [, item, at] of listItems(value, path, issues)) {
    if (!isPlainObject(item)) {
      issues.error(at, `expected an argument { name, value? }, got ${describeValue(item)}`);
      continue;
    }
    checkKnownKeys(item, ["name", "value", "valueFrom"], at, issues);
    const { name, value: v } = item;
    if (typeof name !== "string" || name === "") {
      issues.error(joinPath(at, "name"), `required: the argument's name, got ${describeValue(name)}`);
      continue;
    }
    if (args.some((a) => a.name === name)) issues.error(joinPath(at, "name"), `duplicate argument '${name}'`);
    if (item.valueFrom !== undefined) {
      issues.error(
        joinPath(at, "valueFrom"),
        "valueFrom (Kubernetes secrets and field references) is not supported; give a value, or pass it from the rollout",
      );
    }
    if (v !== undefined && typeof v !== "string") {
      issues.error(joinPath(at, "value"), `expected a string (quote it), got ${describeValue(v)}`);
    }
    args.push(typeof v === "string" ? { name, value: v } : { name });
  }
  return args;
}

export function parseDryRun(value: unknown, path: string, issues: IssueList): DryRun[] {
  const rules: DryRun[] = [];
  for (const [, item, at] of listItems(value, path, issues)) {
    const metricName = ruleName(item, at, ["metricName"], issues);
    if (metricName === undefined) continue;
    if (rules.some((r) => r.metricName === metricName)) {
      issues.error(joinPath(at, "metricName"), `two Dry-Run metric rules have the same name '${metricName}'`);
    }
    rules.push({ metricName });
  }
  return rules;
}

export function parseRetention(value: unknown, path: string, issues: IssueList): MeasurementRetention[] {
  const rules: MeasurementRetention[] = [];
  for (const [, item, at] of listItems(value, path, issues)) {
    const metricName = ruleName(item, at, ["metricName", "limit"], issues);
    if (metricName === undefined || !isPlainObject(item)) continue;
    const limit = item.limit;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
      issues.error(
        joinPath(at, "limit"),
        `expected the number of measurements to keep (>= 1), got ${describeValue(limit)}`,
      );
      continue;
    }
    if (rules.some((r) => r.metricName === metricName)) {
      issues.error(
        joinPath(at, "metricName"),
        `two Measurement Retention metric rules have the same name '${metricName}'`,
      );
    }
    rules.push({ metricName, limit });
  }
  return rules;
}

/** A rule's metricName: a regular expression matched anywhere in the name (`.*` is every metric). */
function ruleName(item: unknown, at: string, keys: readonly string[], issues: IssueList): string | undefined {
  if (!isPlainObject(item)) {
    issues.error(at, `expected { metricName: … }, got ${describeValue(item)}`);
    return undefined;
  }
  checkKnownKeys(item, keys, at, issues);
  const name = item.metricName;
  if (typeof name !== "string" || name === "") {
    issues.error(joinPath(at, "metricName"), "required: a metric name or a regular expression such as .*");
    return undefined;
  }
  try {
    new RegExp(name);
  } catch (e) {
    issues.error(
      joinPath(at, "metricName"),
      `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`,
    );
    return undefined;
  }
  return name;
}

function listItems(value: unknown, path: string, issues: IssueList): [number, unknown, string][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.error(path, `expected a list, got ${describeValue(value)}`);
    return [];
  }
  return value.map((item: unknown, i): [number, unknown, string] => [i, item, joinPath(path, i)]);
}

export interface ResolvedTemplates {
  readonly metrics: readonly Metric[];
  readonly args: readonly Argument[];
  readonly dryRun: readonly DryRun[];
  readonly measurementRetention: readonly MeasurementRetention[];
}

export type ResolveTemplatesResult =
  | ({ readonly ok: true } & ResolvedTemplates)
  | { readonly ok: false; readonly issues: readonly Issue[] };

/**
 * Combines the templates of one analysis (Argo's FlattenTemplates + MergeArgs) and substitutes
 * `{{args.NAME}}` everywhere in their metrics. The rollout's `args` replace the templates'
 * defaults; an argument left without a value is an error, as is a metric name used twice.
 * Issues carry the template's own paths, with its name in the message.
 */
export function resolveTemplates(
  templates: readonly AnalysisTemplate[],
  rolloutArgs: readonly Argument[] = [],
): ResolveTemplatesResult {
  const issues = new IssueList();
  if (templates.length === 0) issues.error("templates", "no templates given");
  const flat = flattenArgs(templates.map((t) => t.spec.args ?? []));
  if (!flat.ok) issues.error("spec.args", flat.message);
  const { args, missing } = mergeArgs(flat.ok ? flat.args : [], rolloutArgs);
  for (const name of missing) {
    const owner = templates.find((t) =>
      (t.spec.args ?? []).some((a) => a.name === name && a.value === undefined),
    );
    const i = (owner?.spec.args ?? []).findIndex((a) => a.name === name);
    issues.error(
      `spec.args[${i}]`,
      `${describe(owner)}: args.${name} was not resolved: the template gives no default and the rollout passes no value`,
    );
  }
  if (!issues.ok) return { ok: false, issues: issues.items };
  const values = new Map<string, string>();
  for (const a of args) if (a.value !== undefined) values.set(a.name, a.value);

  const metrics: Metric[] = [];
  const mode: SpecMode = { resolved: true };
  for (const template of templates) {
    template.spec.metrics.forEach((metric, i) => {
      const path = `spec.metrics[${i}]`;
      if (metrics.some((m) => m.name === metric.name)) {
        issues.error(
          joinPath(path, "name"),
          `${describe(template)}: two metrics have the same name '${metric.name}'`,
        );
        return;
      }
      const substituted = substituteArgs(metric, values, path);
      const local = new IssueList();
      for (const u of substituted.unresolved) local.error(u.path, `failed to resolve {{${u.tag}}}`);
      const resolved = local.ok ? parseMetric(substituted.value, path, local, mode) : undefined;
      for (const issue of local.items)
        issues.error(issue.path, `${describe(template)}: ${issue.message}`, issue.suggestion);
      if (resolved !== undefined) metrics.push(resolved);
    });
  }
  const dryRun = templates.flatMap((t) => t.spec.dryRun ?? []);
  const measurementRetention = templates.flatMap((t) => t.spec.measurementRetention ?? []);
  if (!issues.ok) return { ok: false, issues: issues.items };
  return { ok: true, metrics, args, dryRun, measurementRetention };
}

function describe(template: AnalysisTemplate | undefined): string {
  return template === undefined ? "analysis" : `${template.kind} '${template.metadata.name}'`;
}
