/**
 * `ramp import --from argo|flagger FILE`: reads the manifests, converts them with the server's
 * importers (the same ones the server's loaders check), prints Ramp's documents on stdout and the
 * report on stderr, each line pointing at the field in FILE.
 */
import {
  checkImportOptions,
  formatImportIssue,
  type ImportIssue,
  importArgo,
  importFlagger,
} from "@ramp/server/rollouts";
import { isMap, isSeq, LineCounter, type Node, parseAllDocuments, stringify } from "yaml";
import { LoadError, nodeAt, readText } from "../load.js";
import { err, fail, out, UsageError } from "../output.js";
import type { ImportOptions } from "./import.js";

export function importRollouts(o: ImportOptions, from: "argo" | "flagger"): void {
  // The addresses go through the server's loader first: a bad one is the command line's fault (exit
  // 2 with the usage), not one line per rollout of the file.
  const bad = checkImportOptions(o.rollout ?? {});
  if (bad.length > 0) throw new UsageError(bad.join("; "));
  const file = o.file === "-" ? "<stdin>" : o.file;
  const text = readText(o.file);
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first === undefined) continue;
    const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    throw new LoadError(file, first.message.split("\n")[0] ?? first.message, pos.line, pos.col);
  }
  const values = docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown);
  const importer = from === "argo" ? importArgo : importFlagger;
  const result = importer(values, o.rollout ?? {});

  // Issue indices count documents after `kind: List` items are spread; lines are known without Lists.
  const hasList = values.some((v) => (v as { kind?: unknown } | null)?.kind === "List");
  const where = (i: ImportIssue) => {
    const node = hasList ? undefined : keyAt(docs[i.document]?.contents, i.path);
    const range = node?.range;
    if (range === undefined || range === null) return file;
    const { line, col } = lineCounter.linePos(range[0]);
    return `${file}:${line}:${col}`;
  };
  for (const issue of result.issues) err(formatImportIssue(issue, where(issue)));

  const errors = result.issues.filter((i) => i.kind === "error").length;
  const unsupported = result.issues.filter((i) => i.kind === "unsupported").length;
  if (errors > 0) {
    err(`${file}: ${errors} error(s); nothing was imported`);
    fail(1);
    return;
  }
  if (unsupported > 0 && !o.allowUnsupported) {
    err(
      `${file}: ${unsupported} field(s) cannot be carried over as written (listed above); rerun with --allow-unsupported to drop them and import the rest`,
    );
    fail(1);
    return;
  }
  if (result.documents.length === 0) {
    const kinds = from === "argo" ? "Rollout or AnalysisTemplate" : "Canary or MetricTemplate";
    err(`${file}: no ${kinds} documents; nothing was imported`);
    fail(1);
    return;
  }
  if (unsupported > 0) err(`${file}: ${unsupported} field(s) dropped or replaced (--allow-unsupported)`);
  out(
    o.json
      ? JSON.stringify(result.documents, null, 2)
      : result.documents.map((d) => stringify(d, { lineWidth: 0 })).join("---\n"),
  );
}

/** The node naming `path` in a document: the key of its last field (what a report points at), else the nearest parent. */
function keyAt(contents: unknown, path: string): Node | null | undefined {
  return isMap(contents) || isSeq(contents) ? nodeAt(contents, path, true) : undefined;
}
