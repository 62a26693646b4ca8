/**
 * The flags being served: the last good snapshot and its compiled environment. Every change compiles
 * once here; evaluations only read `evaluator`.
 */
import { compileFlagSet, type FlagEnvironment, type FlagFile } from "@ramp/engine";
import { applyPatch, changedFlags, type Patch, type Snapshot } from "./snapshot.js";

/** Where the flags being served came from. */
export type FlagSource = "stream" | "cache" | "file";

export interface LoadedFlags {
  readonly snapshot: Snapshot;
  readonly evaluator: FlagEnvironment;
  readonly source: FlagSource;
}

export type Installed =
  | { readonly applied: true; readonly flagsChanged: string[]; readonly first: boolean }
  | { readonly applied: false; readonly reason: string };

export class FlagStore {
  #current: LoadedFlags | undefined;

  get current(): LoadedFlags | undefined {
    return this.#current;
  }

  /** The compiled environment evaluations run on, or undefined before any flags arrived. */
  get evaluator(): FlagEnvironment | undefined {
    return this.#current?.evaluator;
  }

  /**
   * Installs a whole snapshot. From the stream, a duplicate of the version held is ignored, and so is
   * an older one unless `rewind` says the server means it: the put answering a new connection's
   * Last-Event-ID is the server's whole state (after a restore from backup, versions go back).
   * Flags from the cache or a file yield to any put.
   */
  put(snapshot: Snapshot, source: FlagSource, rewind = false): Installed {
    const current = this.#current;
    if (current !== undefined && current.source === "stream" && source === "stream") {
      const held = current.snapshot.version;
      if (snapshot.version === held) return { applied: false, reason: `version ${held} is already held` };
      if (snapshot.version < held && !rewind)
        return { applied: false, reason: `version ${snapshot.version} is older than ${held}` };
    }
    return this.#install(snapshot, source);
  }

  /** Applies a patch to the flags held; duplicates and patches older than them are ignored. */
  patch(patch: Patch): Installed {
    const current = this.#current;
    if (current === undefined) return { applied: false, reason: "a patch arrived before any snapshot" };
    if (patch.version <= current.snapshot.version)
      return {
        applied: false,
        reason: `version ${patch.version} is not newer than ${current.snapshot.version}`,
      };
    const { environment, file } = current.snapshot;
    return this.#install({ environment, version: patch.version, file: applyPatch(file, patch) }, "stream");
  }

  /** Installs flags compiled by the caller (a file the application gave; see compileFlags). */
  load(flags: LoadedFlags): void {
    this.#current = flags;
  }

  #install(snapshot: Snapshot, source: FlagSource): Installed {
    const compiled = compileFlags(snapshot.file, snapshot.environment, true);
    if (!compiled.ok) return { applied: false, reason: compiled.message };
    const before = this.#current;
    this.#current = { snapshot, evaluator: compiled.evaluator, source };
    return {
      applied: true,
      flagsChanged: changedFlags(before?.snapshot.file, snapshot.file),
      first: before === undefined,
    };
  }
}

/**
 * Compiles one environment of a flag file (default: its first). Lenient for payloads (a broken flag
 * answers PARSE_ERROR and the rest work); strict for files the application gives, whose problems are
 * reported with their paths.
 */
export function compileFlags(
  file: unknown,
  environment: string | undefined,
  lenient: boolean,
):
  | {
      readonly ok: true;
      readonly evaluator: FlagEnvironment;
      readonly environment: string;
      readonly file: FlagFile;
    }
  | { readonly ok: false; readonly message: string } {
  const compiled = compileFlagSet(file, { lenient });
  if (!compiled.ok) {
    const issues = compiled.errors.map((issue) => `  ${issue.path || "(file)"}: ${issue.message}`).join("\n");
    return { ok: false, message: `the flag file does not compile:\n${issues}` };
  }
  const name = environment ?? compiled.flagSet.environments[0];
  const evaluator = name === undefined ? undefined : compiled.flagSet.environment(name);
  if (name === undefined || evaluator === undefined) {
    const known = compiled.flagSet.environments.join(", ") || "none";
    return { ok: false, message: `the flag file has no environment '${name ?? "(any)"}' (it has: ${known})` };
  }
  return { ok: true, evaluator, environment: name, file: compiled.flagSet.definition };
}
