/** `ramp lint FILE…` — every problem of every file, with its path and line; exit 1 on any error. */
import { type Issue, validateFlagFile } from "@ramp/engine";
import { formatIssue, where } from "../issues.js";
import { LoadError, loadFile } from "../load.js";
import { err, fail, out } from "../output.js";

export interface LintOptions {
  readonly files: readonly string[];
  readonly json: boolean;
}

interface Located extends Issue {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export function lint(options: LintOptions): void {
  const all: Located[] = [];
  for (const file of options.files) {
    try {
      const loaded = loadFile(file);
      for (const issue of validateFlagFile(loaded.value))
        all.push({ file, ...issue, ...loaded.locate(issue.path) });
    } catch (e) {
      if (!(e instanceof LoadError)) throw e;
      all.push({
        file,
        path: "",
        message: e.message,
        severity: "error",
        ...(e.line !== undefined && { line: e.line }),
        ...(e.column !== undefined && { column: e.column }),
      });
    }
  }
  const errors = all.filter((i) => i.severity === "error").length;
  const warnings = all.length - errors;
  if (options.json) out(JSON.stringify({ errors, warnings, issues: all }, null, 2));
  else {
    for (const i of all) {
      const at = i.line === undefined ? undefined : { line: i.line, column: i.column };
      (i.severity === "error" ? err : out)(formatIssue(where(i.file, at), i));
    }
    const summary = `${options.files.length} file(s): ${errors} error(s), ${warnings} warning(s)`;
    (errors > 0 ? err : out)(summary);
  }
  if (errors > 0) fail(1);
}
