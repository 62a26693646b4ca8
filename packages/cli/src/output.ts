/** Writing to stdout/stderr without losing the tail when stdout is a pipe. */

export function out(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function err(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Exit status is set, never forced: process.exit() would cut off a pipe's pending output. */
export function fail(code = 1): void {
  process.exitCode = code;
}

export class UsageError extends Error {}
