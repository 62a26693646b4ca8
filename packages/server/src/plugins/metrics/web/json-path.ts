/**
 * The part of the Kubernetes JSONPath dialect (Argo's web `jsonPath`) that selects, without
 * evaluating anything: `{$.data.ok}`, `{.items[0].value}`, `$['a b'][2]`, `{$.items[*].ok}`.
 * Recursive descent, filters, slices and unions are refused with a message, never guessed at.
 */

import type { JsonValue } from "@ramp/engine";

type Step =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "all" };

export interface CompiledJsonPath {
  readonly source: string;
  /** True when the path has a `[*]`: it selects a list of matches rather than one value. */
  readonly many: boolean;
  readonly steps: readonly Step[];
}

export type JsonPathCompileResult =
  | { readonly ok: true; readonly path: CompiledJsonPath }
  | { readonly ok: false; readonly message: string };

const SUPPORTED = "supported: $, .key, ['key'], [n], [*], optionally inside { }";

/** Compiles a path; an empty string is Argo's default `{$}` (the whole document). */
export function compileJsonPath(source: string): JsonPathCompileResult {
  let text = source.trim();
  if (text.startsWith("{")) {
    if (!text.endsWith("}")) return fail(source, "a { without its closing }");
    text = text.slice(1, -1).trim();
    if (text.includes("{") || text.includes("}")) {
      return fail(source, "only one {…} expression is supported (no templates with text or several paths)");
    }
  }
  if (text.startsWith("$")) text = text.slice(1);
  const steps: Step[] = [];
  let at = 0;
  const identifier = /^[A-Za-z0-9_\-/:@]+/;
  while (at < text.length) {
    const rest = text.slice(at);
    if (rest.startsWith("..")) return fail(source, "recursive descent (..) is not supported");
    if (rest.startsWith(".")) {
      if (rest.startsWith(".*")) {
        steps.push({ kind: "all" });
        at += 2;
        continue;
      }
      const m = identifier.exec(rest.slice(1));
      if (m === null) return fail(source, `expected a key after '.' at offset ${at}`);
      steps.push({ kind: "key", key: m[0] });
      at += 1 + m[0].length;
      continue;
    }
    if (rest.startsWith("[")) {
      const close = bracketEnd(rest);
      if (close < 0) return fail(source, `a [ without its closing ] at offset ${at}`);
      const inner = rest.slice(1, close).trim();
      at += close + 1;
      if (inner === "*") steps.push({ kind: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner))
        steps.push({ kind: "key", key: inner.slice(1, -1) });
      else if (inner.startsWith("?")) return fail(source, "filters ([?(…)]) are not supported");
      else if (inner.includes(":")) return fail(source, "slices ([a:b]) are not supported");
      else if (inner.includes(",")) return fail(source, "unions ([a,b]) are not supported");
      else return fail(source, `cannot read [${inner}]`);
      continue;
    }
    return fail(source, `unexpected ${JSON.stringify(rest.charAt(0))} at offset ${at}`);
  }
  return { ok: true, path: { source, many: steps.some((s) => s.kind === "all"), steps } };
}

/** The selected values: every match in document order (one at most when the path has no `[*]`). */
export function selectJsonPath(path: CompiledJsonPath, doc: JsonValue): JsonValue[] {
  let current: JsonValue[] = [doc];
  for (const step of path.steps) {
    const next: JsonValue[] = [];
    for (const v of current) {
      if (step.kind === "all") {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === "object") next.push(...Object.values(v));
      } else if (step.kind === "index") {
        if (!Array.isArray(v)) continue;
        const i = step.index < 0 ? v.length + step.index : step.index;
        const item = v[i];
        if (item !== undefined) next.push(item);
      } else if (isObject(v) && Object.hasOwn(v, step.key)) {
        const item = v[step.key];
        if (item !== undefined) next.push(item);
      }
    }
    current = next;
  }
  return current;
}

function isObject(v: JsonValue): v is { readonly [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bracketEnd(text: string): number {
  let quote = "";
  for (let i = 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote !== "") {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "]") return i;
  }
  return -1;
}

function fail(source: string, why: string): { ok: false; message: string } {
  return { ok: false, message: `jsonPath ${JSON.stringify(source)}: ${why}; ${SUPPORTED}` };
}
