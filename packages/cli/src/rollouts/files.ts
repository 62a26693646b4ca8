/**
 * Rollout files (`ramp rollout apply`, the demo): multi-document YAML or JSON holding Rollouts and
 * AnalysisTemplates, checked with the server's own loaders so every problem names its line.
 */
import { isAbsolute, resolve } from "node:path";
import { loadAnalysisTemplate, parseRollouts } from "@ramp/server/rollouts";
import { LineCounter, parseAllDocuments } from "yaml";
import type { PrintableIssue } from "../issues.js";
import { locator } from "../load.js";

export interface FileIssue extends PrintableIssue {
  /** 0-based index of the YAML document in the file. */
  readonly document: number;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

export interface RolloutFile {
  /** The documents to send, in file order (empty ones left out); a relative workload cwd made absolute. */
  readonly documents: readonly unknown[];
  /** The file's document index of each entry of `documents`. */
  readonly origins: readonly number[];
  readonly issues: readonly FileIssue[];
  /** Where a path of the file's document `document` is, when it is there. */
  locate(document: number, path: string): { line: number; column: number } | undefined;
}

const TEMPLATE_KINDS: readonly unknown[] = ["AnalysisTemplate", "ClusterAnalysisTemplate"];

/** `baseDir`: what a relative `spec.workload.cwd` is relative to (the file's directory). */
export function parseRolloutFile(text: string, baseDir: string): RolloutFile {
  const rollouts = parseRollouts(text, { baseDir });
  const issues: FileIssue[] = [...rollouts.issues];
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const locators = docs.map((d) => locator(d.contents, lineCounter));
  const locate = (document: number, path: string) => locators[document]?.(path);
  const documents: unknown[] = [];
  const origins: number[] = [];
  docs.forEach((doc, index) => {
    // Syntax errors are parseRollouts' to report, once.
    if (doc.errors.length > 0) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch {
      return;
    }
    if (value === null || value === undefined) return;
    const kind = isRecord(value) ? value.kind : undefined;
    if (TEMPLATE_KINDS.includes(kind)) {
      const loaded = loadAnalysisTemplate(value);
      if (!loaded.ok)
        for (const i of loaded.issues) issues.push({ ...i, document: index, ...locate(index, i.path) });
    } else if (kind !== "Rollout") {
      issues.push({
        document: index,
        path: "kind",
        message: `expected Rollout, AnalysisTemplate or ClusterAnalysisTemplate, got ${JSON.stringify(kind)}`,
        severity: "error",
        ...locate(index, "kind"),
      });
    }
    documents.push(kind === "Rollout" ? withAbsoluteCwd(value, baseDir) : value);
    origins.push(index);
  });
  issues.sort((a, b) => a.document - b.document || (a.line ?? 0) - (b.line ?? 0));
  return { documents, origins, issues, locate };
}

/**
 * The Rollout with `spec.workload.cwd` resolved against `baseDir`: the file says where its commands
 * run relative to itself, and the server cannot know where the file was.
 */
export function withAbsoluteCwd(doc: unknown, baseDir: string): unknown {
  if (!isRecord(doc) || !isRecord(doc.spec) || !isRecord(doc.spec.workload)) return doc;
  const { cwd } = doc.spec.workload;
  if (cwd !== undefined && typeof cwd !== "string") return doc;
  if (cwd !== undefined && isAbsolute(cwd)) return doc;
  const workload = { ...doc.spec.workload, cwd: resolve(baseDir, cwd ?? ".") };
  return { ...doc, spec: { ...doc.spec, workload } };
}

/** Splits a server issue path `[2].spec.replicas` into the sent document's index and the path inside it. */
export function splitDocumentPath(path: string): { index: number; path: string } | undefined {
  const m = /^\[(\d+)\]\.?(.*)$/.exec(path);
  return m?.[1] === undefined ? undefined : { index: Number(m[1]), path: m[2] ?? "" };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
