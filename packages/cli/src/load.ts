/** Reads a YAML or JSON file and maps issue paths back to line:column in it. */

import { readFileSync, statSync } from "node:fs";
import { splitPath } from "@ramp/engine";
import { isMap, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/** Flag files are configuration, not data: anything bigger is a mistake. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface Loaded {
  readonly value: unknown;
  /** Line and column of a path like flags.x.rules[2].if, when the file has it. */
  readonly locate: (path: string) => { line: number; column: number } | undefined;
}

export class LoadError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export function loadFile(file: string): Loaded {
  return parseText(file, readText(file));
}

/** The file's text; `-` reads standard input. */
export function readText(file: string): string {
  let text: string;
  try {
    if (file !== "-") {
      const size = statSync(file).size;
      if (size > MAX_FILE_BYTES)
        throw new LoadError(file, `file is ${size} bytes; the limit is ${MAX_FILE_BYTES}`);
    }
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    if (e instanceof LoadError) throw e;
    throw new LoadError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (text.length > MAX_FILE_BYTES)
    throw new LoadError(file, `input is over the limit of ${MAX_FILE_BYTES} bytes`);
  return text;
}

export function parseText(file: string, text: string): Loaded {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: `on`, `off`, `yes` stay strings (variant names), dates stay strings.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    // linePos exists only with prettyErrors; the offset through the line counter is the fallback.
    const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    const message = (first.message.split("\n")[0] ?? first.message).replace(
      / at line \d+, column \d+:?$/,
      "",
    );
    throw new LoadError(file, message, pos?.line, pos?.col);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new LoadError(file, e instanceof Error ? e.message : String(e));
  }
  return { value, locate: locator(doc.contents, lineCounter) };
}

/** Line and column (1-based) of a path inside a parsed YAML node, when the node has it. */
export function locator(
  contents: unknown,
  lineCounter: LineCounter,
): (path: string) => { line: number; column: number } | undefined {
  return (path) => {
    const range = nodeAt(contents, path)?.range;
    if (range === undefined || range === null) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { line, column: col };
  };
}

/**
 * The deepest node of a parsed YAML tree that `path` reaches: the value there (its key when the value is
 * empty), or with `onKey` the key naming each field reached (what a report about the field points at).
 */
export function nodeAt(contents: unknown, path: string, onKey = false): Node | null | undefined {
  let node: unknown = contents;
  let last: unknown = node;
  for (const seg of parsePath(path)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      if (pair === undefined) break;
      last = pair.key;
      node = pair.value;
      if (node !== null && !onKey) last = node;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
      if (node === undefined) break;
      last = node;
    } else break;
  }
  return last as Node | null | undefined;
}

/** Splits an issue path into its keys and indices (the engine's inverse of joinPath). */
export const parsePath = splitPath;
