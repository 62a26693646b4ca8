/**
 * What the configurable providers (prometheus, web, command) share about their settings: each has
 * one reader that checks them with paths; these helpers use it at template load and at measurement.
 */

import { checkKnownKeys, describeValue, IssueList, isPlainObject } from "../../analysis/issues.js";
import type { Metric, MetricProviderSpec, ProviderConfig } from "../../analysis/types.js";
import { toJsonObject } from "./json.js";

/**
 * Checks a provider's settings, reporting every problem with its path, and returns them typed, or
 * undefined. `resolved` is false for templates, whose strings may still wait for `{{args.*}}`.
 */
export type SettingsReader<S> = (
  value: unknown,
  path: string,
  issues: IssueList,
  resolved: boolean,
) => S | undefined;

/**
 * `value` as an object whose keys are all in `keys` (unknown ones reported, with a suggestion), or
 * undefined after reporting "expected <expected>".
 */
export function settingsObject(
  value: unknown,
  keys: readonly string[],
  path: string,
  issues: IssueList,
  expected: string,
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    issues.error(path, `expected ${expected}, got ${describeValue(value)}`);
    return undefined;
  }
  checkKnownKeys(value, keys, path, issues);
  return value;
}

/** For a template or run: settings `read` accepts, typed and as JSON (stored as written), or undefined after reporting. */
export function storedSettings<S>(
  read: SettingsReader<S>,
  value: unknown,
  path: string,
  issues: IssueList,
  resolved: boolean,
): { readonly settings: S; readonly json: ProviderConfig } | undefined {
  const settings = read(value, path, issues, resolved);
  if (settings === undefined || !isPlainObject(value)) return undefined;
  const json = toJsonObject(value, path, issues);
  return json === undefined ? undefined : { settings, json };
}

/**
 * At measurement: the metric's `type` settings read again, with its arguments now resolved, or the
 * error measurement to return ("web: invalid settings: provider.web.url: …").
 */
export function measuredSettings<S>(
  metric: Metric,
  type: keyof MetricProviderSpec,
  read: SettingsReader<S>,
): { readonly settings: S } | { readonly error: string } {
  const raw = metric.provider[type];
  if (raw === undefined) return { error: `${type}: metric '${metric.name}' has no ${type} settings` };
  const issues = new IssueList();
  const settings = read(raw, `provider.${type}`, issues, true);
  return settings === undefined
    ? { error: `${type}: invalid settings: ${issuesText(issues)}` }
    : { settings };
}

/** Collected issues as one error sentence, for a measurement. */
export function issuesText(issues: IssueList): string {
  return issues.items.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ");
}
