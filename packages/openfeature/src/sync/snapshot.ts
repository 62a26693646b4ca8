/**
 * The SDK sync payloads (docs/api.md "SDK sync") as data, and the pure steps on them: read a `put`
 * or `patch` from the wire, apply a patch to a flag file, and tell which flags a change touched.
 */
import type { FlagDefinition, FlagFile, SegmentDefinition } from "@ramp/engine";

/** A whole environment's flags at one version: the `put` event, the snapshot route, the cache file. */
export interface Snapshot {
  readonly environment: string;
  readonly version: number;
  readonly file: FlagFile;
}

/** The `patch` event: changed flags and segments, `null` for archived or deleted ones. */
export interface Patch {
  readonly version: number;
  readonly flags: Readonly<Record<string, unknown>>;
  readonly segments: Readonly<Record<string, unknown>>;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/** Reads a `put` payload (or the snapshot route's body, or a cache file). */
export function parseSnapshot(data: unknown): Parsed<Snapshot> {
  const body = typeof data === "string" ? parseJson(data) : { ok: true as const, value: data };
  if (!body.ok) return body;
  const v = body.value;
  if (!isRecord(v)) return fail("the snapshot is not an object");
  if (typeof v.environment !== "string" || v.environment === "")
    return fail("the snapshot has no environment");
  if (!isVersion(v.version)) return fail("the snapshot has no valid version");
  if (!isRecord(v.file) || !isRecord(v.file.flags)) return fail("the snapshot has no flag file");
  return {
    ok: true,
    value: { environment: v.environment, version: v.version, file: v.file as unknown as FlagFile },
  };
}

/** Reads a `patch` payload. */
export function parsePatch(data: string): Parsed<Patch> {
  const body = parseJson(data);
  if (!body.ok) return body;
  const v = body.value;
  if (!isRecord(v)) return fail("the patch is not an object");
  if (!isVersion(v.version)) return fail("the patch has no valid version");
  const flags = v.flags ?? {};
  const segments = v.segments ?? {};
  if (!isRecord(flags) || !isRecord(segments)) return fail("the patch's flags and segments must be objects");
  return { ok: true, value: { version: v.version, flags, segments } };
}

/** Fields a flag document carries over the wire that are not part of the flag file format. */
const DOCUMENT_ONLY = ["key", "version", "archived", "createdAt", "updatedAt"];

/**
 * The flag file after a patch: documents replace entries, `null` (or an archived document) removes
 * them. The input is left untouched; the result shares unchanged entries with it.
 */
export function applyPatch(file: FlagFile, patch: Patch): FlagFile {
  const flags: Record<string, FlagDefinition> = { ...file.flags };
  for (const [key, doc] of Object.entries(patch.flags)) {
    if (!isRecord(doc) || doc.archived === true) delete flags[key];
    else flags[key] = definitionOf(doc) as unknown as FlagDefinition;
  }
  const segments: Record<string, SegmentDefinition> = { ...(file.segments ?? {}) };
  for (const [key, doc] of Object.entries(patch.segments)) {
    if (!isRecord(doc)) delete segments[key];
    else segments[key] = definitionOf(doc) as SegmentDefinition;
  }
  return { ...file, flags, segments };
}

function definitionOf(doc: Record<string, unknown>): Record<string, unknown> {
  const def: Record<string, unknown> = { ...doc };
  for (const field of DOCUMENT_ONLY) delete def[field];
  return def;
}

/**
 * Keys of the flags whose answers may differ between two files: added, removed or edited flags, flags
 * using an edited segment, and flags whose prerequisites are among those (transitively). Sorted.
 */
export function changedFlags(before: FlagFile | undefined, after: FlagFile): string[] {
  const oldFlags = before?.flags ?? {};
  const newFlags = after.flags;
  const changed = new Set<string>();
  for (const key of new Set([...Object.keys(oldFlags), ...Object.keys(newFlags)])) {
    if (!sameJson(oldFlags[key], newFlags[key])) changed.add(key);
  }
  const oldSegments = before?.segments ?? {};
  const newSegments = after.segments ?? {};
  const changedSegments = new Set<string>();
  for (const key of new Set([...Object.keys(oldSegments), ...Object.keys(newSegments)])) {
    if (!sameJson(oldSegments[key], newSegments[key])) changedSegments.add(key);
  }
  for (const [key, def] of Object.entries(newFlags)) {
    if (segmentsOf(def).some((s) => changedSegments.has(s))) changed.add(key);
  }
  // Dependents of changed flags change too; repeat until nothing new is added (prerequisites are acyclic).
  for (let grew = true; grew; ) {
    grew = false;
    for (const [key, def] of Object.entries(newFlags)) {
      if (changed.has(key)) continue;
      if (prerequisitesOf(def).some((flag) => changed.has(flag))) {
        changed.add(key);
        grew = true;
      }
    }
  }
  return [...changed].sort();
}

// The two readers below see documents from the wire, possibly malformed: they check every shape.

function segmentsOf(def: unknown): string[] {
  const out: string[] = [];
  const environments = isRecord(def) ? def.environments : undefined;
  if (!isRecord(environments)) return out;
  for (const env of Object.values(environments)) {
    const rules = isRecord(env) ? env.rules : undefined;
    if (!Array.isArray(rules)) continue;
    for (const rule of rules) {
      const segment = isRecord(rule) ? rule.segment : undefined;
      if (typeof segment === "string") out.push(segment);
      else if (Array.isArray(segment)) out.push(...segment.filter((s): s is string => typeof s === "string"));
    }
  }
  return out;
}

function prerequisitesOf(def: unknown): string[] {
  const list = isRecord(def) ? def.prerequisites : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((p) => (isRecord(p) && typeof p.flag === "string" ? [p.flag] : []));
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return fail(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isVersion(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
