/**
 * `ramp apply -f FILE [--dry-run]` — flags as code: validate the file locally (errors located by
 * line:column), then send it whole to the server, which validates again and applies it in one transaction.
 */
import { validateFlagFile } from "@ramp/engine";
import { formatIssue, where } from "../issues.js";
import { parsePath, parseText, readText } from "../load.js";
import { err, fail, out } from "../output.js";
import type { ApplyResult } from "../remote/api-types.js";
import { type ApiClient, HttpError } from "../remote/client.js";
import { formatChanges } from "../remote/format.js";

export interface ApplyOptions {
  /** A path, or `-` for standard input. */
  readonly file: string;
  readonly dryRun: boolean;
  readonly json: boolean;
}

export async function applyCommand(o: ApplyOptions, client: ApiClient): Promise<void> {
  const text = readText(o.file);
  const file = o.file === "-" ? "<stdin>" : o.file;
  const loaded = parseText(file, text);
  const issues = validateFlagFile(loaded.value);
  for (const i of issues)
    (i.severity === "error" ? err : out)(formatIssue(where(file, loaded.locate(i.path)), i));
  const errors = issues.filter((i) => i.severity === "error").length;
  if (errors > 0) {
    err(`${file}: ${errors} error(s); nothing was applied`);
    return fail(1);
  }
  let result: ApplyResult;
  try {
    result = await client.json<ApplyResult>("POST", "/api/v1/apply", {
      query: { dryRun: o.dryRun },
      raw: { body: text, contentType: contentTypeOf(text) },
    });
  } catch (e) {
    // The server's validation speaks in the same paths as the engine's: point at the lines too.
    if (!(e instanceof HttpError) || e.status !== 400 || e.details.length === 0) throw e;
    err(`ramp: the server rejected ${file} (${e.code}): ${e.message}`);
    for (const d of e.details) {
      const at = definedInFile(loaded.value, d.path) ? loaded.locate(d.path) : undefined;
      err(formatIssue(where(file, at), { ...d, severity: "error" }));
    }
    err(`${file}: ${e.details.length} error(s); nothing was applied`);
    return fail(1);
  }
  out(o.json ? JSON.stringify(result, null, 2) : formatChanges(result));
}

/** JSON goes as JSON; anything else is YAML (of which JSON is a subset, so this only picks the label). */
export function contentTypeOf(text: string): "application/json" | "application/yaml" {
  try {
    JSON.parse(text);
    return "application/json";
  } catch {
    return "application/yaml";
  }
}

/**
 * Whether the flag or segment a server path names (`flags.KEY…`, `segments.KEY…`) is in the file: the
 * server validates the project with the file applied, so a problem may sit in a flag the file never had.
 */
export function definedInFile(doc: unknown, path: string): boolean {
  const [section, key] = parsePath(path);
  if (typeof section !== "string" || typeof key !== "string") return true;
  const part = isObject(doc) ? doc[section] : undefined;
  return isObject(part) && Object.hasOwn(part, key);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
