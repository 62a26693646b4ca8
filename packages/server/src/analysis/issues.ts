/**
 * Helpers for validating analysis documents: every problem becomes an `Issue` with the path of the
 * offending field (`spec.metrics[0].successCondition`) and, for misspelt names, the nearest known one.
 */

import { describeValue, type Issue, isPlainObject, joinPath, nearest } from "@ramp/engine";

export type { Issue };
export { describeValue, isPlainObject, joinPath };

/** Collects issues; a check appends and carries on, so one pass reports every problem. */
export class IssueList {
  readonly items: Issue[] = [];

  error(path: string, message: string, suggestion?: string): void {
    this.items.push(
      suggestion === undefined
        ? { path, message, severity: "error" }
        : { path, message, suggestion, severity: "error" },
    );
  }

  get ok(): boolean {
    return this.items.length === 0;
  }
}

/** Reports every key of `obj` that is not in `known`, suggesting the nearest known one. */
export function checkKnownKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  path: string,
  issues: IssueList,
): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = nearestName(key, known);
    issues.error(
      joinPath(path, key),
      `unknown field '${key}'${near === undefined ? "" : ` (did you mean '${near}'?)`}`,
      near,
    );
  }
}

/** The closest name for "did you mean" hints (the engine's, so every validator suggests alike). */
export function nearestName(word: string, candidates: readonly string[]): string | undefined {
  return nearest(word, candidates);
}
