/** One problem in a flag file, printed the same way by `ramp lint` and `ramp apply`: `FILE:LINE:COL: error: PATH: MESSAGE`. */

export interface PrintableIssue {
  readonly path: string;
  readonly message: string;
  readonly expected?: string | undefined;
  readonly suggestion?: string | undefined;
  readonly severity: "error" | "warning";
}

/** `where` is the file, with `:line:column` when known. */
export function formatIssue(where: string, i: PrintableIssue): string {
  const lines = [`${where}: ${i.severity}: ${i.path === "" ? "" : `${i.path}: `}${i.message}`];
  if (i.expected !== undefined) lines.push(`    expected: ${i.expected}`);
  if (i.suggestion !== undefined) lines.push(`    ${i.suggestion}`);
  return lines.join("\n");
}

export function where(file: string, at: { line: number; column?: number | undefined } | undefined): string {
  return at === undefined ? file : `${file}:${at.line}:${at.column ?? 1}`;
}
