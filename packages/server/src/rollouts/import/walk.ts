/**
 * How both importers go through the input: every object gets a report, and every input they do not
 * convert is accounted for (a Deployment lent its pod template, or a kind skipped, with why).
 */
import { describeObject, type Obj, obj, str } from "./documents.js";
import { DocumentReport, type ImportIssue, type ImportResult } from "./report.js";

/** Calls `visit` with each input object and its report; an input that is not an object is an error. */
export function eachObject(
  all: readonly unknown[],
  issues: ImportIssue[],
  visit: (doc: Obj, index: number, report: DocumentReport) => void,
): void {
  all.forEach((d, index) => {
    const doc = obj(d);
    const report = new DocumentReport(issues, index, describeObject(d));
    if (doc === undefined) {
      report.error("", "expected a Kubernetes object (a map with apiVersion, kind, metadata, spec)");
      return;
    }
    visit(doc, index, report);
  });
}

/** What an importer does with the inputs it did not convert. */
export interface Leftovers {
  /** Whether the importer converts (and so reports on) objects of this kind itself. */
  readonly converts: (kind: string) => boolean;
  /** Inputs used for a converted object's pod template. */
  readonly used: ReadonlySet<number>;
  /** The note on such an input. */
  readonly usedNote: string;
  /** Why any other kind is skipped. */
  readonly skipReason: (kind: string) => string;
}

/** The converted documents in input order and the issues by document, once every leftover is noted. */
export function finishImport(
  all: readonly unknown[],
  converted: readonly (Obj | undefined)[],
  issues: ImportIssue[],
  leftovers: Leftovers,
): ImportResult {
  all.forEach((d, index) => {
    const kind = str(obj(d)?.kind);
    if (kind === undefined || leftovers.converts(kind)) return;
    const report = new DocumentReport(issues, index, describeObject(d));
    if (leftovers.used.has(index)) report.note("", leftovers.usedNote);
    else report.note("", `skipped: ${leftovers.skipReason(kind)}`);
  });
  issues.sort((a, b) => a.document - b.document);
  return { documents: converted.filter((c): c is Obj => c !== undefined), issues };
}
