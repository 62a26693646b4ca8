/** Human-readable renderings of the API's answers; pure functions of the data, so they are tested alone. */
import type { ServeDefinition } from "@ramp/engine";
import { table } from "../table.js";
import type {
  ApplyResult,
  AuditEntry,
  AuditVerdict,
  Change,
  DiffEntry,
  FlagDocument,
  TokenInfo,
} from "./api-types.js";
import type { ConnectionError, HttpError } from "./client.js";

/** `ramp: 400 invalid_flag_file: …` then every detail with its path, then what to do. */
export function formatHttpError(e: HttpError): string {
  const lines = [`ramp: server answered ${e.status} ${e.code}: ${e.message}`];
  for (const d of e.details) {
    lines.push(`  ${d.path === "" ? "" : `${d.path}: `}${d.message}`);
    if (d.expected !== undefined) lines.push(`      expected: ${d.expected}`);
    if (d.suggestion !== undefined) lines.push(`      ${d.suggestion}`);
  }
  if (e.hint !== undefined) lines.push(`hint: ${e.hint}`);
  return lines.join("\n");
}

export function formatConnectionError(e: ConnectionError): string {
  return [
    `ramp: ${e.message}`,
    "hint: is it running? Start one with `ramp server`, or point --server / RAMP_SERVER at it",
  ].join("\n");
}

/** A value in a diff or a summary: compact JSON, cut at `max` characters. */
export function formatValue(v: unknown, max = 60): string {
  if (v === undefined) return "(none)";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const MARK: Record<Change["action"], string> = { create: "+", update: "~", unchanged: "=" };

/** The plan or result of `ramp apply`: one line per object, diffs under updates, a count at the end. */
export function formatChanges(result: ApplyResult): string {
  const lines: string[] = [];
  const width = Math.max(0, ...result.changes.map((c) => c.kind.length + c.key.length + 1));
  for (const c of result.changes) {
    lines.push(`${MARK[c.action] ?? "?"} ${`${c.kind} ${c.key}`.padEnd(width)}  ${c.action}`);
    // A create's diff is the whole document: the file already shows it.
    if (c.action === "update") for (const d of c.diff ?? []) lines.push(`    ${formatDiff(d)}`);
  }
  const n = (a: Change["action"]) => result.changes.filter((c) => c.action === a).length;
  lines.push(
    result.dryRun
      ? `Dry run: ${n("create")} to create, ${n("update")} to update, ${n("unchanged")} unchanged; nothing was written.`
      : `Applied: ${n("create")} created, ${n("update")} updated, ${n("unchanged")} unchanged (project version ${result.version}).`,
  );
  return lines.join("\n");
}

export function formatDiff(d: DiffEntry): string {
  if (d.before === undefined) return `${d.path}: + ${formatValue(d.after)}`;
  if (d.after === undefined) return `${d.path}: - ${formatValue(d.before)}`;
  return `${d.path}: ${formatValue(d.before)} → ${formatValue(d.after)}`;
}

/** What an environment serves by default: `on`, or `on 25% / off 75%`. */
export function describeServe(serve: ServeDefinition | undefined, offVariant?: string): string {
  if (serve === undefined) return offVariant === undefined ? "(off variant)" : `${offVariant} (off variant)`;
  if (typeof serve === "string") return serve;
  if ("variant" in serve) return serve.variant;
  return Object.entries(serve.split)
    .map(([variant, pct]) => `${variant} ${pct}%`)
    .join(" / ");
}

function tagsOf(f: FlagDocument): string {
  return (f.tags ?? []).join(",");
}

/**
 * `ramp flags list`: with an environment, its state and default per flag; without, one on/off
 * column per environment.
 */
export function flagsTable(flags: readonly FlagDocument[], env?: string): string {
  const name = (f: FlagDocument) => (f.archived ? `${f.key} (archived)` : f.key);
  if (env !== undefined) {
    return table(
      ["KEY", "TYPE", "STATE", "RULES", "DEFAULT", "TAGS", "VERSION"],
      flags.map((f) => {
        const e = f.environments[env];
        return [
          name(f),
          f.type,
          e === undefined ? "-" : e.on === true ? "on" : "off",
          e === undefined ? "-" : String(e.rules?.length ?? 0),
          e === undefined ? "-" : describeServe(e.default, f.offVariant),
          tagsOf(f),
          String(f.version),
        ];
      }),
    );
  }
  const envs = [...new Set(flags.flatMap((f) => Object.keys(f.environments)))];
  return table(
    ["KEY", "TYPE", ...envs.map((e) => e.toUpperCase()), "TAGS", "VERSION"],
    flags.map((f) => [
      name(f),
      f.type,
      ...envs.map((e) => {
        const state = f.environments[e];
        return state === undefined ? "-" : state.on === true ? "on" : "off";
      }),
      tagsOf(f),
      String(f.version),
    ]),
  );
}

/** `ramp flags get KEY`: the flag in a few lines; `-o yaml` gives the whole document. */
export function flagSummary(f: FlagDocument): string {
  const lines = [`${f.key} (${f.type}, version ${f.version}${f.archived ? ", archived" : ""})`];
  if (f.description !== undefined) lines.push(`  ${f.description}`);
  const meta = [
    f.owner !== undefined && `owner: ${f.owner}`,
    f.tags !== undefined && f.tags.length > 0 && `tags: ${f.tags.join(", ")}`,
    f.expires !== undefined && `expires: ${f.expires}`,
  ].filter((s): s is string => typeof s === "string");
  if (meta.length > 0) lines.push(`  ${meta.join("   ")}`);
  if (f.variants !== undefined) {
    const vs = Object.entries(f.variants).map(([k, v]) => `${k}=${formatValue(v, 30)}`);
    lines.push(`  variants: ${vs.join(", ")}${f.offVariant !== undefined ? ` (off: ${f.offVariant})` : ""}`);
  }
  if (f.prerequisites !== undefined && f.prerequisites.length > 0)
    lines.push(
      `  prerequisites: ${f.prerequisites.map((p) => `${p.flag}=${(p.variants ?? [p.variant ?? "?"]).join("|")}`).join(", ")}`,
    );
  for (const [name, e] of Object.entries(f.environments)) {
    const parts = [e.on === true ? "on" : "off"];
    const targets = Object.values(e.targets ?? {}).reduce((n, keys) => n + keys.length, 0);
    if (targets > 0) parts.push(`${targets} target${targets === 1 ? "" : "s"}`);
    const rules = e.rules?.length ?? 0;
    if (rules > 0) parts.push(`${rules} rule${rules === 1 ? "" : "s"}`);
    parts.push(`default ${describeServe(e.default, f.offVariant)}`);
    lines.push(`  ${name}: ${parts.join(" · ")}`);
  }
  lines.push(`  created ${f.createdAt}, updated ${f.updatedAt}`);
  return lines.join("\n");
}

export function tokensTable(tokens: readonly TokenInfo[]): string {
  return table(
    ["ID", "SCOPE", "ENVIRONMENT", "NAME", "CREATED", "REVOKED"],
    tokens.map((t) => [t.id, t.scope, t.environment ?? "-", t.name, t.createdAt ?? "", t.revokedAt ?? "-"]),
  );
}

export function auditTable(entries: readonly AuditEntry[]): string {
  return table(
    ["SEQ", "AT", "ACTOR", "ACTION", "KIND", "KEY", "CHANGED"],
    entries.map((e) => [
      String(e.seq),
      e.at,
      e.actor,
      e.action,
      e.kind,
      e.key,
      formatValue((e.diff ?? []).map((d) => (d.path === "" ? "(all)" : d.path)).join(", "), 50),
    ]),
  );
}

export function formatVerdict(v: AuditVerdict): string {
  if (v.ok) return `OK: the audit chain holds (${v.entries} entr${v.entries === 1 ? "y" : "ies"} verified)`;
  const bad = v.firstBad === undefined ? "an unnamed entry" : `entry ${v.firstBad.seq}: ${v.firstBad.reason}`;
  return `BROKEN: the audit chain fails at ${bad} (${v.entries} entries checked)`;
}
