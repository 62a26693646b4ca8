/**
 * The last step of every import: the converted document goes through the server's own loaders.
 * A field their schema does not know is dropped and reported (the input had something Ramp does
 * not have); anything else they reject is an error, so what the importer prints always loads.
 */
import { type Issue, splitPath, UNKNOWN_FIELD } from "@ramp/engine";
import { loadAnalysisTemplate } from "../../analysis/template.js";
import { compileRollout } from "../compile.js";
import { isPlainObject, type Obj } from "./documents.js";
import type { DocumentReport } from "./report.js";

/** At most this many rounds of dropping unknown fields (each round drops every one it found). */
const MAX_ROUNDS = 5;

export function validateRollout(doc: Obj, report: DocumentReport): boolean {
  return validate(
    doc,
    report,
    (d) => compileRollout(d).issues,
    (i) => UNKNOWN_FIELD.has(i),
  );
}

export function validateTemplate(doc: Obj, report: DocumentReport): boolean {
  return validate(
    doc,
    report,
    (d) => {
      const r = loadAnalysisTemplate(d);
      return r.ok ? [] : [...r.issues];
    },
    (i) => i.message.startsWith("unknown field"),
  );
}

function validate(
  doc: Obj,
  report: DocumentReport,
  check: (doc: Obj) => readonly Issue[],
  unknown: (issue: Issue) => boolean,
): boolean {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const issues = check(doc);
    const fields = issues.filter((i) => unknown(i));
    if (fields.length > 0) {
      for (const f of fields) {
        report.unsupported(f.path, "Ramp has no such field; dropped", f.suggestion);
        deletePath(doc, f.path);
      }
      continue;
    }
    for (const i of issues) {
      if (i.severity === "error") report.error(i.path, i.message, i.suggestion ?? i.expected);
      // Warnings of the loader that the importer did not already explain (the workload is always set).
      else if (!i.path.startsWith("spec.workload")) report.note(i.path, i.message, i.suggestion);
    }
    return !issues.some((i) => i.severity === "error");
  }
  report.error("", "the converted document still has unknown fields after dropping them");
  return false;
}

/** Removes the field at `path` (a.b[2].c) from `doc`, if it is there. */
export function deletePath(doc: Obj, path: string): void {
  const segments = splitPath(path);
  const last = segments.pop();
  let node: unknown = doc;
  for (const seg of segments) {
    if (Array.isArray(node) && typeof seg === "number") node = node[seg];
    else if (isPlainObject(node) && typeof seg === "string") node = node[seg];
    else return;
  }
  if (isPlainObject(node) && typeof last === "string") delete node[last];
}
