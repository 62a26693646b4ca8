/**
 * Template arguments: `{{args.name}}` placeholders, merging the rollout's values over a template's
 * defaults, and substituting them into a metric (argo-rollouts utils/template, utils/analysis MergeArgs).
 */

import { joinPath } from "./issues.js";
import type { Argument } from "./types.js";

// Like Argo's fasttemplate: a tag is whatever lies between "{{" and the next "}}", spaces trimmed.
const PLACEHOLDER = /\{\{(.*?)\}\}/gs;

/** The trimmed tags of every `{{…}}` in a string: `"{{ args.x }}/{{args.y}}"` → ["args.x", "args.y"]. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? "").trim());
}

export function hasPlaceholder(text: string): boolean {
  return placeholdersIn(text).length > 0;
}

/** The argument a tag names (`args.service-name` → `service-name`), or undefined for other tags. */
export function argumentOf(tag: string): string | undefined {
  return tag.startsWith("args.") && tag.length > 5 ? tag.slice(5) : undefined;
}

/**
 * Replaces `{{args.NAME}}` in every string inside `value` (object keys are left alone). Tags without
 * a value are reported, with the path of the string that holds them, and left as they were. The
 * result is validated again by the caller, so it is typed `unknown`.
 */
export function substituteArgs(
  value: unknown,
  args: ReadonlyMap<string, string>,
  path: string,
): { value: unknown; unresolved: { path: string; tag: string }[] } {
  const unresolved: { path: string; tag: string }[] = [];
  const walk = (v: unknown, at: string): unknown => {
    if (typeof v === "string") {
      return v.replace(PLACEHOLDER, (whole, inner: string) => {
        const tag = inner.trim();
        const name = argumentOf(tag);
        const replacement = name === undefined ? undefined : args.get(name);
        if (replacement === undefined) {
          if (!unresolved.some((u) => u.path === at && u.tag === tag)) unresolved.push({ path: at, tag });
          return whole;
        }
        return replacement;
      });
    }
    if (Array.isArray(v)) return v.map((item: unknown, i) => walk(item, joinPath(at, i)));
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, joinPath(at, k))]));
    }
    return v;
  };
  return { value: walk(value, path), unresolved };
}

/**
 * Argo's flattenArgs: the args of several templates combined; one name given two different
 * values is an error, and a value wins over no value.
 */
export function flattenArgs(
  lists: readonly (readonly Argument[])[],
): { ok: true; args: Argument[] } | { ok: false; message: string } {
  const combined: Argument[] = [];
  for (const list of lists) {
    for (const arg of list) {
      const i = combined.findIndex((a) => a.name === arg.name);
      const prev = combined[i];
      if (prev === undefined) {
        combined.push(arg);
        continue;
      }
      if (prev.value !== undefined && arg.value !== undefined && prev.value !== arg.value) {
        return {
          ok: false,
          message: `argument '${arg.name}' is given two different values: '${prev.value}' and '${arg.value}'`,
        };
      }
      if (prev.value === undefined) combined[i] = arg;
    }
  }
  return { ok: true, args: combined };
}

/**
 * Argo's MergeArgs: the rollout's values replace the templates' defaults; values for arguments the
 * templates do not declare are ignored; an argument left without a value is reported by name.
 */
export function mergeArgs(
  templateArgs: readonly Argument[],
  incoming: readonly Argument[],
): { args: Argument[]; missing: string[] } {
  const args = templateArgs.map((arg) => {
    const given = incoming.find((a) => a.name === arg.name && a.value !== undefined);
    return given === undefined ? arg : { name: arg.name, value: given.value };
  });
  const missing = args.filter((a) => a.value === undefined).map((a) => a.name);
  return { args, missing };
}
