/**
 * Turns a parsed flag file into a FlagSet: structure check, then each segment and flag compiled,
 * then cross-flag checks (prerequisite cycles, environment names, expiry). Every problem becomes
 * an Issue with its path; nothing here throws on bad input.
 */
import { compileExpression, type Program } from "../expr/index.js";
import { type FlagDefinition, type FlagFile, flagFile as flagFileSchema } from "../schema/flag-file.js";
import type { Issue } from "../types.js";
import { checkStructure, isPlainObject, joinPath, UNKNOWN_FIELD } from "../validate/structure.js";
import { nearest } from "../validate/suggest.js";
import { type CompiledFlag, compileFlag, variantsOf } from "./compile-flag.js";
import type { SegmentTest } from "./decide.js";
import { errorResult, metadataOf } from "./results.js";
import type { Decide } from "./runtime.js";

export interface CompileOptions {
  /** Keep flags that fail validation, answering PARSE_ERROR, instead of rejecting the whole file. */
  readonly lenient?: boolean;
  /** Today, for expiry warnings (default Date.now). */
  readonly now?: () => number;
}

/** A flag ready to evaluate, or a broken one (lenient mode) that answers PARSE_ERROR. */
export interface FlagEntry {
  readonly key: string;
  readonly type: FlagDefinition["type"] | undefined;
  readonly compiled: CompiledFlag | undefined;
  readonly broken: Decide | undefined;
}

export interface CompiledFile {
  readonly definition: FlagFile;
  readonly environments: readonly string[];
  readonly flags: ReadonlyMap<string, FlagEntry>;
  readonly errors: Issue[];
  readonly warnings: Issue[];
}

const SELF_NAMES = ["user", "context"] as const;

export function compileFile(doc: unknown, options: CompileOptions = {}): CompiledFile {
  const issues: Issue[] = [];
  if (!isPlainObject(doc)) {
    issues.push({
      path: "",
      message: "a flag file is an object with a `flags` field",
      expected: "{ flags: { … } }",
      severity: "error",
    });
    return { definition: { flags: {} }, environments: [], flags: new Map(), errors: issues, warnings: [] };
  }
  checkStructure(flagFileSchema, doc, "", issues);
  const definition = doc as FlagFile;
  // Meaning checks skip only the parts whose shape is wrong, so one file reports every problem.
  const shapeIssues = issues.filter((i) => !UNKNOWN_FIELD.has(i));
  const structurallyBad = (prefix: string, except?: string) =>
    shapeIssues.some(
      (i) =>
        (i.path === prefix || i.path.startsWith(`${prefix}.`) || i.path.startsWith(`${prefix}[`)) &&
        (except === undefined || !i.path.startsWith(except)),
    );
  const flagDefs = isPlainObject(doc.flags) ? (doc.flags as Record<string, FlagDefinition>) : {};
  const segmentDefs = isPlainObject(doc.segments) ? doc.segments : {};

  const compile = (source: string, path: string): Program | undefined => {
    const r = compileExpression(source, { selfNames: SELF_NAMES });
    if (r.ok) return r.program;
    const { line, column } = position(source, r.error.offset);
    issues.push({
      path,
      message: `does not compile: ${r.error.message} (${line > 1 ? `line ${line}, ` : ""}column ${column})`,
      expected: 'a CEL expression, e.g. user.plan == "enterprise"',
      ...(r.error.suggestion !== undefined && { suggestion: r.error.suggestion }),
      severity: "error",
    });
    return undefined;
  };

  // Segments.
  const segments = new Map<string, SegmentTest>();
  for (const [name, raw] of Object.entries(segmentDefs)) {
    const path = joinPath("segments", name);
    if (structurallyBad(path) || !isPlainObject(raw)) continue;
    const seg = raw as { if?: string; include?: string[]; exclude?: string[]; bucketBy?: string };
    const program = seg.if !== undefined ? compile(seg.if, `${path}.if`) : undefined;
    if (seg.if !== undefined && program === undefined) continue;
    segments.set(
      name,
      segmentTest(program, seg.include ?? [], seg.exclude ?? [], seg.bucketBy ?? "targetingKey"),
    );
  }

  // Flags.
  const flagVariants = new Map<string, readonly string[]>();
  const flagShapeBad = (key: string) => {
    const path = joinPath("flags", key);
    return structurallyBad(path, `${path}.environments.`);
  };
  for (const [key, def] of Object.entries(flagDefs)) {
    if (!flagShapeBad(key)) flagVariants.set(key, Object.keys(variantsOf(def)));
  }
  const scope = { segments, flagVariants, compile, issues, skip: (path: string) => structurallyBad(path) };
  const flags = new Map<string, FlagEntry>();
  for (const [key, def] of Object.entries(flagDefs)) {
    const path = joinPath("flags", key);
    const compiled = flagShapeBad(key) ? undefined : compileFlag(key, def, scope, path);
    flags.set(key, { key, type: isPlainObject(def) ? def.type : undefined, compiled, broken: undefined });
  }
  checkPrerequisiteCycles(flagDefs, flagVariants, issues);

  // Environments: the declared list, else every environment named by a flag, in order of appearance.
  const declared = Array.isArray(doc.environments) ? (doc.environments as string[]) : undefined;
  const seen = new Set<string>(declared ?? []);
  for (const [key, def] of Object.entries(flagDefs)) {
    if (!isPlainObject(def) || !isPlainObject(def.environments)) continue;
    for (const env of Object.keys(def.environments)) {
      if (declared !== undefined && !declared.includes(env)) {
        const guess = nearest(env, declared);
        issues.push({
          path: `${joinPath("flags", key)}.environments.${env}`,
          message: `environment '${env}' is not in the file's environments list`,
          expected: `one of ${declared.join(", ")}`,
          ...(guess !== undefined && { suggestion: `did you mean '${guess}'?` }),
          severity: "error",
        });
      }
      seen.add(env);
    }
  }
  const environments = [...seen];
  const today = new Date(options.now?.() ?? Date.now()).toISOString().slice(0, 10);
  for (const [key, entry] of flags) {
    const def = flagDefs[key];
    if (entry.compiled === undefined || def === undefined) continue;
    for (const env of environments) {
      if (!entry.compiled.environments.has(env) && !(env in def.environments))
        issues.push({
          path: `${joinPath("flags", key)}.environments`,
          message: `no configuration for environment '${env}': the flag is off there`,
          severity: "warning",
        });
    }
    if (def.expires !== undefined && def.expires < today)
      issues.push({
        path: `${joinPath("flags", key)}.expires`,
        message: `expired on ${def.expires}: the flag is stale; remove it from code and from this file`,
        severity: "warning",
      });
    if (def.expires !== undefined && Number.isNaN(Date.parse(def.expires)))
      issues.push({
        path: `${joinPath("flags", key)}.expires`,
        message: `${def.expires} is not a calendar date`,
        severity: "error",
      });
  }

  const errors = issues.filter((i) => i.severity === "error");
  const warnings = issues.filter((i) => i.severity === "warning");
  if (options.lenient === true) {
    for (const [key, entry] of flags) {
      const mine = errors.filter(
        (i) => i.path.startsWith(`${joinPath("flags", key)}.`) || i.path === joinPath("flags", key),
      );
      if (entry.compiled !== undefined && mine.length === 0) continue;
      const first = mine[0] ?? errors[0];
      const message = `flag '${key}' is invalid: ${first ? `${first.path}: ${first.message}` : "it depends on an invalid segment"}`;
      const metadata = isPlainObject(flagDefs[key]) ? metadataOf(flagDefs[key] as FlagDefinition) : {};
      flags.set(key, {
        ...entry,
        compiled: undefined,
        broken: (_ctx, rt) => errorResult(key, "PARSE_ERROR", message, rt.defaultValue, metadata),
      });
    }
  }
  return { definition, environments, flags, errors, warnings };
}

function segmentTest(
  program: Program | undefined,
  include: readonly string[],
  exclude: readonly string[],
  bucketBy: string,
): SegmentTest {
  const inc = new Set(include);
  const exc = new Set(exclude);
  if (inc.size === 0 && exc.size === 0)
    return program === undefined ? () => false : (ctx, env) => program(ctx, env) === true;
  return (ctx, env) => {
    const k = ctx[bucketBy];
    if (typeof k === "string") {
      if (exc.has(k)) return false;
      if (inc.has(k)) return true;
    }
    return program !== undefined && program(ctx, env) === true;
  };
}

function checkPrerequisiteCycles(
  defs: Readonly<Record<string, FlagDefinition>>,
  valid: ReadonlyMap<string, readonly string[]>,
  issues: Issue[],
): void {
  const state = new Map<string, "visiting" | "done">();
  const reported = new Set<string>();
  const visit = (key: string, trail: string[]): void => {
    if (state.get(key) === "done") return;
    if (state.get(key) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(key)), key];
      const id = [...cycle].sort().join(",");
      if (!reported.has(id)) {
        reported.add(id);
        issues.push({
          path: `${joinPath("flags", key)}.prerequisites`,
          message: `prerequisites form a cycle: ${cycle.join(" → ")}`,
          expected: "prerequisites without cycles",
          severity: "error",
        });
      }
      return;
    }
    state.set(key, "visiting");
    for (const p of defs[key]?.prerequisites ?? [])
      if (valid.has(p.flag) && p.flag !== key) visit(p.flag, [...trail, key]);
    state.set(key, "done");
  };
  for (const key of valid.keys()) visit(key, []);
}

function position(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, offset));
  const lines = before.split("\n");
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}
