/**
 * Compiled per-environment snapshots of a project's flags, rebuilt on change and shared by OFREP,
 * SDK sync and the admin API. The store is the source of truth; this is a cache keyed by the
 * project's change sequence.
 */
import { compileFlagSet, type FlagEnvironment, type FlagFile } from "@ramp/engine";
import type { ChangeRow, FlagRow, Json, SegmentRow, Store } from "../store/store.js";

export interface EnvironmentSnapshot {
  readonly projectId: number;
  readonly environment: string;
  /** The project's seq when the snapshot was read. */
  readonly version: number;
  readonly etag: string;
  /** The flag file restricted to this environment (non-archived flags, all segments). */
  readonly file: FlagFile;
  /** Ready to evaluate; flags that fail to compile answer PARSE_ERROR (lenient). */
  readonly evaluator: FlagEnvironment;
}

export interface ChangeNotice {
  readonly projectId: number;
  readonly version: number;
  /** What changed since the previous notice; empty after a resync (then re-read everything). */
  readonly changes: readonly ChangeRow[];
  readonly resync: boolean;
}

/** A flag's document restricted to one environment (what SDKs of that environment see). */
export function flagForEnvironment(row: FlagRow, environment: string): { [k: string]: Json } {
  const def = row.definition;
  const envs = (def.environments ?? {}) as { [k: string]: Json };
  const own = envs[environment];
  return { ...def, environments: own === undefined ? {} : { [environment]: own } };
}

export function buildEnvironmentFile(
  environment: string,
  flags: readonly FlagRow[],
  segments: readonly SegmentRow[],
): FlagFile {
  const file: { [k: string]: Json } = {
    version: 1,
    environments: [environment],
    segments: Object.fromEntries(segments.map((s) => [s.key, s.definition])),
    flags: Object.fromEntries(
      flags.filter((f) => !f.archived).map((f) => [f.key, flagForEnvironment(f, environment)]),
    ),
  };
  return file as unknown as FlagFile;
}

export class SnapshotCache {
  readonly #cache = new Map<string, Promise<EnvironmentSnapshot | undefined>>();
  readonly #listeners = new Set<(n: ChangeNotice) => void>();
  readonly #seen = new Map<number, number>();
  readonly #unsubscribe: () => void;
  /** Notices are handled one at a time so listeners see versions in order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store) {
    this.#unsubscribe = store.onChange((e) => {
      const step = "resync" in e ? () => this.#resyncAll() : () => this.#advance(e.projectId, e.seq);
      this.#queue = this.#queue.then(step).catch((err: unknown) => {
        // A failed read must not wedge the queue; the next notice or resync repairs the cache.
        this.#cache.clear();
        console.error("ramp: change notification failed:", err);
      });
    });
  }

  close(): void {
    this.#unsubscribe();
  }

  /** The current snapshot of an environment, or undefined if the environment does not exist. */
  get(projectId: number, environment: string): Promise<EnvironmentSnapshot | undefined> {
    const k = `${projectId}\u0000${environment}`;
    let p = this.#cache.get(k);
    if (p === undefined) {
      p = this.#build(projectId, environment);
      this.#cache.set(k, p);
      p.catch(() => this.#cache.delete(k));
    }
    return p;
  }

  /** Called after every change that reached this replica (own writes and other replicas'), in seq order. */
  onChange(listener: (n: ChangeNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #build(projectId: number, environment: string): Promise<EnvironmentSnapshot | undefined> {
    const envs = await this.store.listEnvironments(projectId);
    if (!envs.some((e) => e.key === environment)) return undefined;
    // Read seq first: a write landing between the reads makes the snapshot newer than its version
    // claims, never older, so a client that resumes from it cannot miss a change.
    const project = await this.store.getProject(projectId);
    const [flags, segments] = await Promise.all([
      this.store.listFlags(projectId),
      this.store.listSegments(projectId),
    ]);
    const version = project?.seq ?? 0;
    // From now on this replica follows the project: a resync after a lost connection covers it too.
    if (!this.#seen.has(projectId)) this.#seen.set(projectId, version);
    const file = buildEnvironmentFile(environment, flags, segments);
    const compiled = compileFlagSet(file, { lenient: true });
    if (!compiled.ok)
      throw new Error(`snapshot of ${environment} does not compile: ${compiled.errors[0]?.message ?? "?"}`);
    const evaluator = compiled.flagSet.environment(environment);
    if (evaluator === undefined) throw new Error(`snapshot of ${environment} has no environment`);
    return { projectId, environment, version, etag: `"${projectId}-${version}"`, file, evaluator };
  }

  async #advance(projectId: number, seq: number): Promise<void> {
    const from = this.#seen.get(projectId) ?? seq - 1;
    if (seq <= from) return;
    this.#seen.set(projectId, seq);
    this.#invalidate(projectId);
    const changes = (await this.store.changesSince(projectId, from)).filter((c) => c.seq <= seq);
    for (const l of this.#listeners) l({ projectId, version: seq, changes, resync: false });
  }

  async #resyncAll(): Promise<void> {
    for (const projectId of new Set([...this.#seen.keys()])) {
      const project = await this.store.getProject(projectId);
      if (project === undefined) continue;
      this.#seen.set(projectId, project.seq);
      this.#invalidate(projectId);
      for (const l of this.#listeners) l({ projectId, version: project.seq, changes: [], resync: true });
    }
    this.#cache.clear();
  }

  #invalidate(projectId: number): void {
    for (const k of this.#cache.keys()) if (k.startsWith(`${projectId}\u0000`)) this.#cache.delete(k);
  }
}
