/** Finds files of the repository from compiled (bench/dist/…) and source (bench/…) locations alike. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The absolute path of `relative` (e.g. "examples/flags.yaml") in the nearest ancestor that has it. */
export function repoFile(relative: string, from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${relative} not found above ${fileURLToPath(from)}`);
    dir = parent;
  }
}
