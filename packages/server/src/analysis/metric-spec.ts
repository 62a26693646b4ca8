/**
 * Checks one metric of a template or run (argo-rollouts utils/analysis ValidateMetric, plus CEL
 * compilation and placeholder checks) and returns it typed. Templates may hold `{{args.*}}` in any
 * string; such fields are checked again once a run has substituted them.
 */

import { parseProviderSpec } from "../plugins/metrics/factory.js";
import { argumentOf, placeholdersIn } from "./args.js";
import { compileCondition } from "./conditions.js";
import { parseDuration } from "./duration.js";
import { checkKnownKeys, describeValue, type IssueList, isPlainObject, joinPath } from "./issues.js";
import type { DurationString, IntOrString, Metric } from "./types.js";

export interface SpecMode {
  /** True for a run's spec (placeholders substituted); false for a template's. */
  readonly resolved: boolean;
  /** The arguments the template declares; a placeholder naming another one is an error. */
  readonly declaredArgs?: ReadonlySet<string>;
}

const METRIC_KEYS = [
  "name",
  "interval",
  "initialDelay",
  "count",
  "successCondition",
  "failureCondition",
  "failureLimit",
  "inconclusiveLimit",
  "consecutiveErrorLimit",
  "consecutiveSuccessLimit",
  "maxWait",
  "provider",
] as const;

const LIMIT_FIELDS = [
  "count",
  "failureLimit",
  "inconclusiveLimit",
  "consecutiveErrorLimit",
  "consecutiveSuccessLimit",
] as const;
type LimitField = (typeof LIMIT_FIELDS)[number];
const LIMIT_MINIMUM: Readonly<Record<LimitField, number>> = {
  count: 0,
  failureLimit: -1,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 0,
  consecutiveSuccessLimit: 0,
};
const LIMIT_RULE: Readonly<Record<LimitField, string>> = {
  count: "must be >= 0",
  failureLimit: "must be >= 0, or -1 to be disabled",
  inconclusiveLimit: "must be >= 0",
  consecutiveErrorLimit: "must be >= 0",
  consecutiveSuccessLimit: "must be >= 0",
};

/** An IntOrString's number: `3`, `"3"` → 3; anything else (or a placeholder) → undefined. */
export function intValue(v: IntOrString | undefined): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? v : undefined;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

export function parseMetric(
  value: unknown,
  path: string,
  issues: IssueList,
  mode: SpecMode,
): Metric | undefined {
  if (!isPlainObject(value)) {
    issues.error(
      path,
      `expected a metric (an object with a name and a provider), got ${describeValue(value)}`,
    );
    return undefined;
  }
  const before = issues.items.length;
  checkKnownKeys(value, METRIC_KEYS, path, issues);
  checkPlaceholders(value, path, issues, mode);
  const deferred = (v: unknown) => !mode.resolved && typeof v === "string" && v.includes("{{");

  const name = value.name;
  if (typeof name !== "string" || name === "") {
    issues.error(joinPath(path, "name"), `required: a metric name, got ${describeValue(name)}`);
  }
  const interval = duration(value, "interval", path, issues, deferred, { positive: true });
  const initialDelay = duration(value, "initialDelay", path, issues, deferred, { positive: false });
  const maxWait = duration(value, "maxWait", path, issues, deferred, { positive: false });

  const limits: Partial<Record<LimitField, IntOrString>> = {};
  const numbers: Partial<Record<LimitField, number>> = {};
  let limitsOk = true;
  for (const field of LIMIT_FIELDS) {
    const v = value[field];
    if (v === undefined) continue;
    const at = joinPath(path, field);
    if (typeof v !== "number" && typeof v !== "string") {
      issues.error(at, `expected a whole number, got ${describeValue(v)}`);
      limitsOk = false;
      continue;
    }
    limits[field] = v;
    if (deferred(v)) continue;
    const n = intValue(v);
    if (n === undefined) issues.error(at, `expected a whole number, got ${describeValue(v)}`);
    else if (n < LIMIT_MINIMUM[field]) issues.error(at, `${field} ${LIMIT_RULE[field]} (got ${n})`);
    else numbers[field] = n;
    if (numbers[field] === undefined) limitsOk = false;
  }
  if (limitsOk) checkLimitCombination(value, numbers, interval, path, issues, deferred);

  const conditions: { successCondition?: string; failureCondition?: string } = {};
  for (const field of ["successCondition", "failureCondition"] as const) {
    const source = value[field];
    if (source === undefined) continue;
    const at = joinPath(path, field);
    if (typeof source !== "string" || source.trim() === "") {
      issues.error(at, `expected a CEL condition over result, such as "result[0] >= 0.95"`);
      continue;
    }
    conditions[field] = source;
    if (deferred(source)) continue;
    const compiled = compileCondition(source);
    if (!compiled.ok) issues.error(at, compiled.message, compiled.suggestion);
  }

  if (value.provider === undefined) issues.error(joinPath(path, "provider"), "no provider specified");
  const provider =
    value.provider === undefined
      ? undefined
      : parseProviderSpec(value.provider, joinPath(path, "provider"), issues, mode.resolved);

  if (issues.items.length > before || typeof name !== "string" || provider === undefined) return undefined;
  return {
    name,
    ...(interval === undefined ? {} : { interval }),
    ...(initialDelay === undefined ? {} : { initialDelay }),
    ...limits,
    ...conditions,
    ...(maxWait === undefined ? {} : { maxWait }),
    provider,
  };
}

function duration(
  obj: Record<string, unknown>,
  field: "interval" | "initialDelay" | "maxWait",
  path: string,
  issues: IssueList,
  deferred: (v: unknown) => boolean,
  { positive }: { positive: boolean },
): DurationString | undefined {
  const v = obj[field];
  if (v === undefined) return undefined;
  const at = joinPath(path, field);
  if (typeof v !== "string") {
    issues.error(at, `expected a duration such as "30s", "1m" or "1h", got ${describeValue(v)}`);
    return undefined;
  }
  if (deferred(v)) return v;
  const ms = parseDuration(v);
  if (ms === undefined)
    issues.error(
      at,
      `invalid ${field} ${JSON.stringify(v)}: expected a duration such as "30s", "1m" or "1h"`,
    );
  else if (ms < 0 || (positive && ms === 0))
    issues.error(at, `${field} must be ${positive ? "> 0" : ">= 0"}`);
  return v;
}

/** Argo's ValidateMetric rules between fields, once each of them is a number. */
function checkLimitCombination(
  value: Record<string, unknown>,
  n: Partial<Record<LimitField, number>>,
  interval: DurationString | undefined,
  path: string,
  issues: IssueList,
  deferred: (v: unknown) => boolean,
): void {
  if (
    (["count", "failureLimit", "inconclusiveLimit", "consecutiveSuccessLimit"] as const).some((f) =>
      deferred(value[f]),
    )
  )
    return;
  const count = n.count ?? 0;
  const failureLimit = n.failureLimit ?? 0;
  const successLimit = n.consecutiveSuccessLimit ?? 0;
  const inconclusiveLimit = n.inconclusiveLimit ?? 0;
  if (successLimit === 0 && failureLimit === -1) {
    issues.error(
      joinPath(path, "failureLimit"),
      "failureLimit and consecutiveSuccessLimit cannot both be disabled",
    );
  }
  if (count > 0) {
    if (failureLimit >= 0 && count < failureLimit + successLimit) {
      issues.error(
        joinPath(path, "count"),
        `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${failureLimit} + ${successLimit}) if both >= 0`,
      );
    } else if (failureLimit < 0 && count < successLimit) {
      issues.error(joinPath(path, "count"), "count must be >= consecutiveSuccessLimit");
    }
    if (count < inconclusiveLimit)
      issues.error(joinPath(path, "count"), "count must be >= inconclusiveLimit");
  }
  if (count > 1 && interval === undefined) {
    issues.error(joinPath(path, "interval"), "interval must be specified when count > 1");
  }
}

/** Every `{{…}}` must be `{{args.NAME}}` with NAME declared; in a run, none may be left. */
function checkPlaceholders(value: unknown, path: string, issues: IssueList, mode: SpecMode): void {
  if (typeof value === "string") {
    for (const tag of placeholdersIn(value)) {
      const arg = argumentOf(tag);
      if (mode.resolved) issues.error(path, `failed to resolve {{${tag}}}`);
      else if (arg === undefined)
        issues.error(path, `unknown placeholder {{${tag}}}: only {{args.NAME}} is supported`);
      else if (mode.declaredArgs !== undefined && !mode.declaredArgs.has(arg)) {
        const declared = [...mode.declaredArgs].join(", ") || "none";
        issues.error(path, `{{${tag}}} names an argument spec.args does not declare (declared: ${declared})`);
      }
    }
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkPlaceholders(item, joinPath(path, i), issues, mode);
  } else if (isPlainObject(value)) {
    for (const [k, item] of Object.entries(value)) checkPlaceholders(item, joinPath(path, k), issues, mode);
  }
}
