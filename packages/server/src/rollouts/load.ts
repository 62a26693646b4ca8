/**
 * Reads Rollout YAML (one or more documents; other kinds such as AnalysisTemplate are handed back
 * untouched) and compiles each Rollout, pointing every issue at its line and column.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { type Issue, splitPath } from "@ramp/engine";
import { type Document, isMap, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import { compileRollout } from "./compile.js";
import type { RolloutSpec } from "./rollout.js";
import type { RolloutDocument } from "./spec.js";

/** Rollout files are configuration: anything bigger is a mistake. */
export const MAX_ROLLOUT_FILE_BYTES = 4 * 1024 * 1024;

export interface LocatedIssue extends Issue {
  /** 0-based index of the YAML document in the file. */
  readonly document: number;
  readonly line?: number;
  readonly column?: number;
}

export interface LoadedRollout {
  readonly document: number;
  readonly rollout: RolloutSpec;
  readonly source: RolloutDocument;
}

/** A document of another kind (AnalysisTemplate, Service…), for the loader that knows it. */
export interface OtherDocument {
  readonly document: number;
  readonly kind: string | undefined;
  readonly value: unknown;
}

export interface LoadRolloutsResult {
  /** True when no issue is an error. */
  readonly ok: boolean;
  readonly rollouts: LoadedRollout[];
  readonly others: OtherDocument[];
  /** Errors and warnings of every document, in document order. */
  readonly issues: LocatedIssue[];
}

export interface LoadOptions {
  /** Directory that a relative `spec.workload.cwd` is resolved against (the file's own directory). */
  readonly baseDir?: string;
}

/**
 * Parses YAML text holding Rollouts.
 *
 * @example const { ok, rollouts, issues } = parseRollouts(readFileSync("examples/rollout.yaml", "utf8"));
 */
export function parseRollouts(text: string, options: LoadOptions = {}): LoadRolloutsResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const issues: LocatedIssue[] = [];
  const rollouts: LoadedRollout[] = [];
  const others: OtherDocument[] = [];
  if (!Array.isArray(docs)) {
    // An empty stream: the yaml library returns an EmptyStream marker instead of a list.
    return { ok: true, rollouts, others, issues };
  }
  docs.forEach((doc, index) => {
    const first = doc.errors[0];
    if (first !== undefined) {
      const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
      const message = (first.message.split("\n")[0] ?? first.message).replace(
        / at line \d+, column \d+:?$/,
        "",
      );
      issues.push({ document: index, path: "", message, severity: "error", line: pos.line, column: pos.col });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      issues.push({
        document: index,
        path: "",
        message: e instanceof Error ? e.message : String(e),
        severity: "error",
      });
      return;
    }
    if (value === null || value === undefined) return;
    const kind =
      typeof value === "object" && "kind" in value ? (value as { kind?: unknown }).kind : undefined;
    if (kind !== "Rollout") {
      others.push({ document: index, kind: typeof kind === "string" ? kind : undefined, value });
      return;
    }
    const compiled = compileRollout(value);
    for (const issue of compiled.issues) {
      const onKey = issue.message.startsWith("unknown field");
      issues.push({ ...issue, document: index, ...locate(doc, lineCounter, issue.path, onKey) });
    }
    if (compiled.ok) {
      rollouts.push({
        document: index,
        source: compiled.document,
        rollout: withBaseDir(compiled.rollout, options.baseDir),
      });
    }
  });
  return { ok: !issues.some((i) => i.severity === "error"), rollouts, others, issues };
}

/** Reads and parses a Rollout file; a relative workload cwd is resolved against the file's directory. */
export function loadRolloutFile(file: string): LoadRolloutsResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return {
      ok: false,
      rollouts: [],
      others: [],
      issues: [{ document: 0, path: "", message: `cannot read ${file}: ${code}`, severity: "error" }],
    };
  }
  if (text.length > MAX_ROLLOUT_FILE_BYTES) {
    return {
      ok: false,
      rollouts: [],
      others: [],
      issues: [
        {
          document: 0,
          path: "",
          message: `${file} is over the limit of ${MAX_ROLLOUT_FILE_BYTES} bytes`,
          severity: "error",
        },
      ],
    };
  }
  return parseRollouts(text, { baseDir: dirname(resolve(file)) });
}

/** "file:line:column: path: message (expected …; did you mean …?)", for terminals. */
export function formatIssue(issue: LocatedIssue, file = "<rollout>"): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  const details = [issue.expected && `expected ${issue.expected}`, issue.suggestion]
    .filter(Boolean)
    .join("; ");
  return `${where}: ${issue.severity}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}${details ? ` (${details})` : ""}`;
}

function withBaseDir(rollout: RolloutSpec, baseDir: string | undefined): RolloutSpec {
  const workload = rollout.workload;
  if (baseDir === undefined || workload === null) return rollout;
  const cwd =
    workload.cwd === null
      ? baseDir
      : isAbsolute(workload.cwd)
        ? workload.cwd
        : resolve(baseDir, workload.cwd);
  return { ...rollout, workload: { ...workload, cwd } };
}

/** Where `path` is in the document: its value, or with `onKey` the key naming it. */
function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: string,
  onKey: boolean,
): { line?: number; column?: number } {
  let node: unknown = doc.contents;
  let last: unknown = node;
  const segments = parsePath(path);
  for (const [i, seg] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      if (pair === undefined) break;
      last = pair.key;
      node = pair.value;
      if (node !== null && !(onKey && i === segments.length - 1)) last = node;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
      if (node === undefined) break;
      last = node;
    } else break;
  }
  const range = (last as Node | null)?.range;
  if (range === undefined || range === null) return {};
  const { line, col } = lineCounter.linePos(range[0]);
  return { line, column: col };
}

/** Splits an issue path into its keys and indices (the engine's inverse of joinPath). */
export const parsePath = splitPath;
