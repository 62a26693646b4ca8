/**
 * Rules as the editor holds them (text fields, as typed) and back to the flag format. Whatever the
 * user typed is sent as is — the engine's validation, not the editor, says what is wrong and where.
 */
import type { JsonValue, ProblemDetail, Rule } from "../../api/types.js";

export const SPLIT = "__split";

export interface RuleDraft {
  readonly id: string;
  readonly name: string;
  readonly condition: string;
  /** Segment names, comma-separated. */
  readonly segments: string;
  /** A variant name, or SPLIT. */
  readonly serve: string;
  readonly split: Readonly<Record<string, string>>;
  /** The rollout gate's percentage ("" = no gate). */
  readonly gate: string;
  /** Fields the editor does not show, kept as they were. */
  readonly extra: Readonly<Record<string, unknown>>;
}

let counter = 0;
const newId = () => `rule-${++counter}`;

const num = (s: string): JsonValue => (s.trim() !== "" && Number.isFinite(Number(s)) ? Number(s) : s);

export function toDraft(rule: Rule, variants: readonly string[]): RuleDraft {
  const { name, if: cond, segment, variant, split, rollout, ...rest } = rule;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) extra[k] = v;
  return {
    id: newId(),
    name: name ?? "",
    condition: cond ?? "",
    segments: segment === undefined ? "" : Array.isArray(segment) ? segment.join(", ") : segment,
    serve: split !== undefined ? SPLIT : (variant ?? variants[0] ?? ""),
    split: Object.fromEntries(variants.map((v) => [v, String(split?.[v] ?? 0)])),
    gate: rollout === undefined ? "" : String(rollout.percentage),
    extra,
  };
}

export function emptyDraft(variants: readonly string[]): RuleDraft {
  return toDraft({ if: "", variant: variants[0] ?? "" }, variants);
}

export function toRule(d: RuleDraft): Rule {
  const rule: Rule = { ...d.extra };
  if (d.name.trim() !== "") rule.name = d.name.trim();
  if (d.condition.trim() !== "") rule.if = d.condition;
  const segments = d.segments
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (segments.length === 1) rule.segment = segments[0];
  else if (segments.length > 1) rule.segment = segments;
  if (d.serve === SPLIT) {
    const split: Record<string, JsonValue> = {};
    for (const [v, share] of Object.entries(d.split))
      if (share.trim() !== "" && Number(share) !== 0) split[v] = num(share);
    rule.split = split as Record<string, number>;
  } else rule.variant = d.serve;
  if (d.gate.trim() !== "") rule.rollout = { percentage: num(d.gate) as number };
  return rule;
}

export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (to < 0 || to >= out.length) return out;
  const [item] = out.splice(from, 1);
  if (item !== undefined) out.splice(to, 0, item);
  return out;
}

export interface PlacedProblems {
  /** Problems by rule index, each with the path inside the rule (`if`, `variant`, `split.on` …). */
  readonly byRule: ReadonlyMap<number, readonly (ProblemDetail & { readonly field: string })[]>;
  /** Problems elsewhere in the flag. */
  readonly other: readonly ProblemDetail[];
}

/** Places the engine's problems (paths like `flags.x.environments.production.rules[1].if`) on the rules. */
export function placeProblems(details: readonly ProblemDetail[], env: string): PlacedProblems {
  const byRule = new Map<number, (ProblemDetail & { field: string })[]>();
  const other: ProblemDetail[] = [];
  const marker = `environments.${env}.rules[`;
  for (const d of details) {
    const at = d.path.indexOf(marker);
    const m = at === -1 ? null : /^(\d+)\]\.?(.*)$/.exec(d.path.slice(at + marker.length));
    if (m === null) {
      other.push(d);
      continue;
    }
    const index = Number(m[1]);
    const list = byRule.get(index) ?? [];
    list.push({ ...d, field: m[2] ?? "" });
    byRule.set(index, list);
  }
  return { byRule, other };
}
