/**
 * The flags domain on top of the store: every write is validated by the engine against the whole
 * prospective project state, versioned (If-Match), audited and recorded as a change, in one
 * transaction — so a bad or conflicting write changes nothing.
 */
import { type FlagFile, type Issue, validateFlagFile } from "@ramp/engine";
import { ApiError } from "../http/errors.js";
import {
  AlreadyExistsError,
  type AuditEntryInput,
  type FlagRow,
  type Json,
  type SegmentRow,
  type Store,
  VersionConflictError,
  type WriteTx,
} from "../store/store.js";
import { diffJson, sameJson } from "./diff.js";
import { requireEnvironment } from "./require-environment.js";
import { flagForEnvironment } from "./snapshots.js";

export type JsonObject = { [k: string]: Json };

export interface FlagDocument extends JsonObject {
  key: string;
}

export interface Change {
  readonly kind: "flag" | "segment" | "environment";
  readonly key: string;
  readonly action: "create" | "update" | "unchanged";
  readonly diff?: { path: string; before: Json | undefined; after: Json | undefined }[];
}

const READ_ONLY = new Set(["key", "version", "archived", "createdAt", "updatedAt"]);

/** Every write of a flag, segment or environment: audited, and announced to SDK streams. */
async function recordWrite(
  tx: WriteTx,
  entry: AuditEntryInput & { kind: "flag" | "segment" | "environment" },
): Promise<void> {
  await tx.appendAudit(entry);
  await tx.recordChange(entry.kind, entry.key);
}

export function toDocument(row: FlagRow): JsonObject {
  return {
    key: row.key,
    ...row.definition,
    version: row.version,
    archived: row.archived,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function segmentDocument(row: SegmentRow): JsonObject {
  return {
    key: row.key,
    ...row.definition,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The definition part of a posted document: read-only fields dropped. */
export function definitionOf(doc: unknown): JsonObject {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new ApiError(400, "invalid_flag", "a flag document is a JSON object");
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(doc as JsonObject)) if (!READ_ONLY.has(k)) out[k] = v;
  return out;
}

function invalid(issues: readonly Issue[], what: string): ApiError {
  const errors = issues.filter((i) => i.severity === "error");
  return new ApiError(
    400,
    "invalid_flags",
    `${what}: ${errors.length} problem(s); ${errors[0] ? `${errors[0].path}: ${errors[0].message}` : ""}`,
    errors.map((i) => ({
      path: i.path,
      message: i.message,
      ...(i.expected !== undefined && { expected: i.expected }),
      ...(i.suggestion !== undefined && { suggestion: i.suggestion }),
    })),
  );
}

/** Maps store conflicts to HTTP answers. */
export function storeErrors<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => {
    if (e instanceof VersionConflictError)
      throw new ApiError(
        409,
        "version_conflict",
        `${e.message}: read it again, reapply your change, and retry`,
      );
    if (e instanceof AlreadyExistsError) throw new ApiError(409, `${e.kind}_exists`, e.message);
    throw e;
  });
}

export class FlagService {
  constructor(private readonly store: Store) {}

  /** Validates the project as it would be with `flags`/`segments` replacing their namesakes. */
  async #validate(
    projectId: number,
    flags: ReadonlyMap<string, JsonObject>,
    segments: ReadonlyMap<string, JsonObject | null>,
    extraEnvironments: readonly string[] = [],
  ): Promise<Issue[]> {
    const envs = (await this.store.listEnvironments(projectId)).map((e) => e.key);
    const allFlags: JsonObject = {};
    for (const f of await this.store.listFlags(projectId)) allFlags[f.key] = f.definition;
    for (const [k, v] of flags) allFlags[k] = v;
    const allSegments: JsonObject = {};
    for (const s of await this.store.listSegments(projectId)) allSegments[s.key] = s.definition;
    for (const [k, v] of segments) {
      if (v === null) delete allSegments[k];
      else allSegments[k] = v;
    }
    const file = {
      environments: [...new Set([...envs, ...extraEnvironments])],
      segments: allSegments,
      flags: allFlags,
    };
    return validateFlagFile(file).filter((i) => i.severity === "error");
  }

  async createFlag(projectId: number, actor: string, doc: unknown): Promise<FlagRow> {
    const key = keyOf(doc);
    const def = definitionOf(doc);
    const issues = await this.#validate(projectId, new Map([[key, def]]), new Map());
    if (issues.length > 0) throw invalid(issues, `flag '${key}'`);
    return storeErrors(
      this.store.write(projectId, async (tx) => {
        const row = await tx.putFlag(key, def, 0);
        await recordWrite(tx, { actor, action: "flag.create", kind: "flag", key, before: null, after: def });
        return row;
      }),
    );
  }

  /** Replaces a flag's definition (creating it if absent and no version is expected). */
  async putFlag(
    projectId: number,
    actor: string,
    key: string,
    doc: unknown,
    ifMatch?: number,
  ): Promise<FlagRow> {
    if (typeof doc === "object" && doc !== null && "key" in doc && (doc as { key: unknown }).key !== key)
      throw new ApiError(
        400,
        "key_mismatch",
        `the document's key '${String((doc as { key: unknown }).key)}' is not '${key}'`,
      );
    const def = definitionOf(doc);
    const issues = await this.#validate(projectId, new Map([[key, def]]), new Map());
    if (issues.length > 0) throw invalid(issues, `flag '${key}'`);
    return storeErrors(
      this.store.write(projectId, async (tx) => {
        const before = await tx.getFlag(key);
        if (ifMatch !== undefined && before?.version !== ifMatch)
          throw new VersionConflictError("flag", key, ifMatch, before?.version);
        if (before !== undefined && sameJson(before.definition, def)) return before;
        const row = await tx.putFlag(key, def, before?.version ?? 0);
        await recordWrite(tx, {
          actor,
          action: before === undefined ? "flag.create" : "flag.update",
          kind: "flag",
          key,
          before: before?.definition ?? null,
          after: def,
        });
        return row;
      }),
    );
  }

  /**
   * Read-modify-write of one flag, audited with `action`. Validation reads the project outside the
   * transaction (SQLite has one connection); the write then insists on the version it read, so a
   * concurrent writer makes it retry — or, when the caller sent If-Match, answer 409.
   */
  async updateFlag(
    projectId: number,
    actor: string,
    key: string,
    action: string,
    change: (def: JsonObject) => JsonObject,
    ifMatch?: number,
  ): Promise<FlagRow> {
    for (let attempt = 0; ; attempt++) {
      const before = await this.store.getFlag(projectId, key);
      if (before === undefined) throw new ApiError(404, "flag_not_found", `no flag '${key}'`);
      if (ifMatch !== undefined && before.version !== ifMatch)
        throw new ApiError(
          409,
          "version_conflict",
          `flag '${key}' is at version ${before.version}, not ${ifMatch}`,
        );
      const def = change(structuredClone(before.definition));
      if (sameJson(before.definition, def)) return before;
      const issues = await this.#validate(projectId, new Map([[key, def]]), new Map());
      if (issues.length > 0) throw invalid(issues, `flag '${key}'`);
      try {
        return await this.store.write(projectId, async (tx) => {
          const row = await tx.putFlag(key, def, before.version);
          await recordWrite(tx, { actor, action, kind: "flag", key, before: before.definition, after: def });
          return row;
        });
      } catch (e) {
        if (!(e instanceof VersionConflictError) || ifMatch !== undefined || attempt >= 10)
          return storeErrors(Promise.reject(e));
      }
    }
  }

  setOn(
    projectId: number,
    actor: string,
    key: string,
    env: string,
    on: boolean,
    ifMatch?: number,
  ): Promise<FlagRow> {
    return this.updateFlag(
      projectId,
      actor,
      key,
      on ? "flag.on" : "flag.off",
      (def) => {
        const envs = (def.environments ?? {}) as JsonObject;
        const current = (envs[env] ?? {}) as JsonObject;
        return { ...def, environments: { ...envs, [env]: { ...current, on } } };
      },
      ifMatch,
    );
  }

  setRollout(
    projectId: number,
    actor: string,
    key: string,
    env: string,
    percentage: number,
    variant: string | undefined,
    ifMatch?: number,
  ): Promise<FlagRow> {
    return this.updateFlag(
      projectId,
      actor,
      key,
      "flag.rollout",
      (def) => {
        const variants = Object.keys(
          (def.variants as JsonObject | undefined) ??
            (def.type === "boolean" ? { on: true, off: false } : {}),
        );
        const off =
          typeof def.offVariant === "string" ? def.offVariant : variants.includes("off") ? "off" : undefined;
        if (off === undefined)
          throw new ApiError(400, "no_off_variant", `flag '${key}' has no offVariant to roll out against`);
        const target = variant ?? variants.find((v) => v !== off);
        if (target === undefined || !variants.includes(target))
          throw new ApiError(
            400,
            "unknown_variant",
            `flag '${key}' has no variant '${target ?? ""}'; it has ${variants.join(", ")}`,
          );
        if (target === off)
          throw new ApiError(400, "unknown_variant", `'${target}' is the off variant; roll out another one`);
        const pct = Math.round(percentage * 100) / 100;
        const envs = (def.environments ?? {}) as JsonObject;
        const current = (envs[env] ?? { on: true }) as JsonObject;
        const split = { [target]: pct, [off]: Math.round((100 - pct) * 100) / 100 };
        return { ...def, environments: { ...envs, [env]: { ...current, default: { split } } } };
      },
      ifMatch,
    );
  }

  async setArchived(projectId: number, actor: string, key: string, archived: boolean): Promise<FlagRow> {
    return storeErrors(
      this.store.write(projectId, async (tx) => {
        const before = await tx.getFlag(key);
        if (before === undefined) throw new ApiError(404, "flag_not_found", `no flag '${key}'`);
        if (before.archived === archived) return before;
        const row = await tx.setFlagArchived(key, archived, before.version);
        await recordWrite(tx, {
          actor,
          action: archived ? "flag.archive" : "flag.unarchive",
          kind: "flag",
          key,
          before: null,
          after: null,
        });
        return row;
      }),
    );
  }

  async putSegment(
    projectId: number,
    actor: string,
    key: string,
    doc: unknown,
    ifMatch?: number,
  ): Promise<SegmentRow> {
    const def = definitionOf(doc);
    const issues = await this.#validate(projectId, new Map(), new Map([[key, def]]));
    if (issues.length > 0) throw invalid(issues, `segment '${key}'`);
    return storeErrors(
      this.store.write(projectId, async (tx) => {
        const before = await tx.getSegment(key);
        if (ifMatch !== undefined && before?.version !== ifMatch)
          throw new VersionConflictError("segment", key, ifMatch, before?.version);
        if (before !== undefined && sameJson(before.definition, def)) return before;
        const row = await tx.putSegment(key, def, before?.version ?? 0);
        await recordWrite(tx, {
          actor,
          action: "segment.put",
          kind: "segment",
          key,
          before: before?.definition ?? null,
          after: def,
        });
        return row;
      }),
    );
  }

  async deleteSegment(projectId: number, actor: string, key: string): Promise<void> {
    const issues = await this.#validate(projectId, new Map(), new Map([[key, null]]));
    if (issues.some((i) => i.message.includes(`unknown segment '${key}'`)))
      throw new ApiError(
        409,
        "segment_in_use",
        `segment '${key}' is used by flags: ${issues.map((i) => i.path).join(", ")}`,
      );
    await this.store.write(projectId, async (tx) => {
      const before = await tx.getSegment(key);
      if (before === undefined) throw new ApiError(404, "segment_not_found", `no segment '${key}'`);
      await tx.deleteSegment(key);
      await recordWrite(tx, {
        actor,
        action: "segment.delete",
        kind: "segment",
        key,
        before: before.definition,
        after: null,
      });
    });
  }

  /** Flags as code: the whole file validated, then applied in one transaction (or only compared, dryRun). */
  async apply(
    projectId: number,
    actor: string,
    file: unknown,
    dryRun: boolean,
  ): Promise<{ version: number; changes: Change[] }> {
    const own = validateFlagFile(file).filter((i) => i.severity === "error");
    if (own.length > 0) throw invalid(own, "the file");
    const f = file as FlagFile;
    const flags = new Map(Object.entries(f.flags).map(([k, v]) => [k, v as unknown as JsonObject]));
    const segments = new Map<string, JsonObject | null>(
      Object.entries(f.segments ?? {}).map(([k, v]) => [k, v as unknown as JsonObject]),
    );
    const fileEnvs = new Set<string>(f.environments ?? []);
    for (const def of Object.values(f.flags)) for (const e of Object.keys(def.environments)) fileEnvs.add(e);
    const merged = await this.#validate(projectId, flags, segments, [...fileEnvs]);
    if (merged.length > 0) throw invalid(merged, "the project with this file applied");
    const existingEnvs = new Set((await this.store.listEnvironments(projectId)).map((e) => e.key));
    const run = async (tx: WriteTx | undefined): Promise<{ version: number; changes: Change[] }> => {
      const changes: Change[] = [];
      for (const env of fileEnvs) {
        if (existingEnvs.has(env)) continue;
        changes.push({ kind: "environment", key: env, action: "create" });
        if (tx !== undefined) {
          await tx.putEnvironment(env, env);
          await recordWrite(tx, {
            actor,
            action: "environment.create",
            kind: "environment",
            key: env,
            before: null,
            after: { key: env },
          });
        }
      }
      for (const [key, def] of segments) {
        if (def === null) continue;
        const before =
          tx !== undefined ? await tx.getSegment(key) : await this.store.getSegment(projectId, key);
        const diff = diffJson(before?.definition, def);
        if (before !== undefined && diff.length === 0) {
          changes.push({ kind: "segment", key, action: "unchanged" });
          continue;
        }
        changes.push({ kind: "segment", key, action: before === undefined ? "create" : "update", diff });
        if (tx !== undefined) {
          await tx.putSegment(key, def, before?.version ?? 0);
          await recordWrite(tx, {
            actor,
            action: "segment.put",
            kind: "segment",
            key,
            before: before?.definition ?? null,
            after: def,
          });
        }
      }
      for (const [key, def] of flags) {
        const before = tx !== undefined ? await tx.getFlag(key) : await this.store.getFlag(projectId, key);
        const diff = diffJson(before?.definition, def);
        if (before !== undefined && diff.length === 0 && !before.archived) {
          changes.push({ kind: "flag", key, action: "unchanged" });
          continue;
        }
        changes.push({ kind: "flag", key, action: before === undefined ? "create" : "update", diff });
        if (tx !== undefined) {
          let row = await tx.putFlag(key, def, before?.version ?? 0);
          if (row.archived) row = await tx.setFlagArchived(key, false, row.version);
          await recordWrite(tx, {
            actor,
            action: before === undefined ? "flag.create" : "flag.update",
            kind: "flag",
            key,
            before: before?.definition ?? null,
            after: def,
          });
        }
      }
      const written = changes.filter((c) => c.action !== "unchanged").length;
      return { version: (tx?.project.seq ?? 0) + written, changes };
    };
    if (dryRun) {
      const r = await run(undefined);
      return { ...r, version: (await this.store.getProject(projectId))?.seq ?? 0 };
    }
    return storeErrors(this.store.write(projectId, run));
  }

  /** The project's flag file, optionally restricted to one environment. */
  async export(projectId: number, environment?: string): Promise<JsonObject> {
    const envs =
      environment === undefined
        ? (await this.store.listEnvironments(projectId)).map((e) => e.key)
        : await requireEnvironment(this.store, projectId, environment);
    const flags: JsonObject = {};
    for (const f of await this.store.listFlags(projectId)) {
      if (f.archived) continue;
      flags[f.key] = environment === undefined ? f.definition : flagForEnvironment(f, environment);
    }
    const segments: JsonObject = {};
    for (const s of await this.store.listSegments(projectId)) segments[s.key] = s.definition;
    return { version: 1, environments: environment === undefined ? envs : [environment], segments, flags };
  }
}

function keyOf(doc: unknown): string {
  const key = typeof doc === "object" && doc !== null ? (doc as { key?: unknown }).key : undefined;
  if (typeof key !== "string" || key === "")
    throw new ApiError(400, "invalid_flag", "the flag document needs a `key`");
  return key;
}
