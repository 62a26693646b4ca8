/**
 * The checks of an apply before anything is written: each document parses as a Rollout or an
 * AnalysisTemplate, and every template a rollout names exists. Pure; the controller does the I/O.
 */
import type { Issue } from "@ramp/engine";
import { loadAnalysisTemplate } from "../../analysis/index.js";
import type { Json } from "../../store/store.js";
import { compileRollout } from "../compile.js";

export interface ApplyDocuments {
  readonly rollouts: { name: string; spec: Json }[];
  readonly templates: { name: string; doc: Json }[];
  readonly issues: Issue[];
}

/** Sorts the documents into rollouts and templates; issues are prefixed with the document's index. */
export function parseApplyDocuments(documents: readonly unknown[]): ApplyDocuments {
  const issues: Issue[] = [];
  const rollouts: { name: string; spec: Json }[] = [];
  const templates: { name: string; doc: Json }[] = [];
  documents.forEach((doc, i) => {
    const kind = (doc as { kind?: unknown } | null)?.kind;
    const at = (issue: Issue): Issue => ({
      ...issue,
      path: `[${i}]${issue.path === "" ? "" : `.${issue.path}`}`,
    });
    if (kind === "AnalysisTemplate" || kind === "ClusterAnalysisTemplate") {
      const t = loadAnalysisTemplate(doc);
      if (t.ok) templates.push({ name: t.template.metadata.name, doc: doc as Json });
      else issues.push(...t.issues.map(at));
    } else if (kind === "Rollout") {
      const r = compileRollout(doc);
      if (r.ok) rollouts.push({ name: r.rollout.name, spec: doc as Json });
      issues.push(...r.issues.filter((x) => x.severity === "error").map(at));
    } else
      issues.push({
        path: `[${i}].kind`,
        message: `expected Rollout, AnalysisTemplate or ClusterAnalysisTemplate, got ${JSON.stringify(kind)}`,
        severity: "error",
      });
  });
  return { rollouts, templates, issues };
}

/** Every template a rollout names must exist, in this apply or already stored. */
export function missingTemplates(apply: ApplyDocuments, stored: readonly string[]): Issue[] {
  const known = new Set([...apply.templates.map((t) => t.name), ...stored]);
  const issues: Issue[] = [];
  for (const r of apply.rollouts) {
    for (const ref of templateRefs(r.spec))
      if (!known.has(ref))
        issues.push({
          path: `rollout ${r.name}`,
          message: `analysis template '${ref}' does not exist: apply it too`,
          severity: "error",
        });
  }
  return issues;
}

/** Template names a Rollout document refers to (steps, background, blue-green analyses, Flagger metrics). */
function templateRefs(spec: Json): string[] {
  const names: string[] = [];
  const visit = (v: Json): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v !== null && typeof v === "object") {
      if (typeof v.templateName === "string") names.push(v.templateName);
      // Flagger-style metrics: spec.analysis.metrics[].templateRef.name.
      const ref = v.templateRef;
      if (ref !== null && typeof ref === "object" && !Array.isArray(ref) && typeof ref.name === "string")
        names.push(ref.name);
      for (const x of Object.values(v)) visit(x);
    }
  };
  visit(spec);
  return [...new Set(names)];
}
