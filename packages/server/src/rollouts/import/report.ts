/**
 * What an importer says about the documents it converted: every field it dropped or replaced, by
 * its path in the input object, with what Ramp does instead. Errors stop the import.
 */
import { joinPath } from "@ramp/engine";

export { joinPath };

/**
 * - `unsupported`: a field Ramp does not run as written; it is dropped or replaced (the importer
 *   exits 1 unless `--allow-unsupported`).
 * - `note`: a change worth knowing that keeps the meaning (a mapped field, a placeholder, a skipped kind).
 * - `error`: the input cannot be converted at all (no name, an invalid converted document).
 */
export type ImportIssueKind = "unsupported" | "note" | "error";

export interface ImportIssue {
  readonly kind: ImportIssueKind;
  /** 0-based index of the input document (after `List` items are spread). */
  readonly document: number;
  /** The input object, e.g. "Rollout rollouts-demo". */
  readonly object: string;
  /** Path inside that object, e.g. "spec.strategy.canary.trafficRouting.istio"; "" for the whole object. */
  readonly path: string;
  readonly message: string;
  /** What Ramp does instead, or what to do. */
  readonly instead?: string;
}

export interface ImportResult {
  /** Ramp documents (Rollouts, AnalysisTemplates, ClusterAnalysisTemplates), in input order. */
  readonly documents: unknown[];
  readonly issues: ImportIssue[];
}

/** The issues of one input document; the converters report through it and never throw. */
export class DocumentReport {
  constructor(
    private readonly sink: ImportIssue[],
    readonly document: number,
    readonly object: string,
  ) {}

  unsupported(path: string, message: string, instead?: string): void {
    this.#push("unsupported", path, message, instead);
  }

  note(path: string, message: string, instead?: string): void {
    this.#push("note", path, message, instead);
  }

  error(path: string, message: string, instead?: string): void {
    this.#push("error", path, message, instead);
  }

  #push(kind: ImportIssueKind, path: string, message: string, instead: string | undefined): void {
    this.sink.push({
      kind,
      document: this.document,
      object: this.object,
      path,
      message,
      ...(instead !== undefined && { instead }),
    });
  }
}

/** "FILE: unsupported: Rollout x: spec.a.b: message; instead: …" — one line per issue, for stderr. */
export function formatImportIssue(issue: ImportIssue, where: string): string {
  const path = issue.path === "" ? "" : `${issue.path}: `;
  const instead = issue.instead === undefined ? "" : `\n    instead: ${issue.instead}`;
  return `${where}: ${issue.kind}: ${issue.object}: ${path}${issue.message}${instead}`;
}

/** Also used by both importers: true when any issue is an error, or is unsupported and not allowed. */
export function importFailed(issues: readonly ImportIssue[], allowUnsupported: boolean): boolean {
  return issues.some((i) => i.kind === "error" || (i.kind === "unsupported" && !allowUnsupported));
}
