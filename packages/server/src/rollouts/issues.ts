/** Collects the problems of one Rollout document, each with its path, for compile.ts and its helpers. */
import { type Issue, joinPath } from "@ramp/engine";

export { joinPath };

export interface IssueExtra {
  readonly expected?: string | undefined;
  readonly suggestion?: string | undefined;
}

function defined(extra: IssueExtra): { expected?: string; suggestion?: string } {
  return {
    ...(extra.expected !== undefined && { expected: extra.expected }),
    ...(extra.suggestion !== undefined && { suggestion: extra.suggestion }),
  };
}

export class IssueSink {
  readonly list: Issue[] = [];
  /** Issues from the structural check that make a part's meaning unreadable (not unknown fields). */
  readonly #shape: readonly Issue[];

  constructor(structural: readonly Issue[], shape: readonly Issue[]) {
    this.list.push(...structural);
    this.#shape = shape;
  }

  error(path: string, message: string, extra: IssueExtra = {}): void {
    this.list.push({ path, message, ...defined(extra), severity: "error" });
  }

  warn(path: string, message: string, extra: IssueExtra = {}): void {
    this.list.push({ path, message, ...defined(extra), severity: "warning" });
  }

  /** Whether the structural check already found the value at `path` (or inside it) malformed. */
  malformed(path: string): boolean {
    return this.#shape.some(
      (i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`),
    );
  }

  get hasErrors(): boolean {
    return this.list.some((i) => i.severity === "error");
  }

  /** An integer check the schema language cannot express; true when `value` is one. */
  integer(path: string, value: number | undefined): boolean {
    if (value === undefined || Number.isInteger(value)) return true;
    this.error(path, `${value} is not a whole number`, { expected: "an integer" });
    return false;
  }
}

/** The keys of `value` that are set (not undefined), in document order. */
export function presentKeys<K extends string>(value: Partial<Record<K, unknown>>, keys: readonly K[]): K[] {
  return keys.filter((k) => value[k] !== undefined);
}

/** "a", "a and b", "a, b and c". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
