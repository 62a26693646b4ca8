/**
 * flagd evaluates every argument of `fractional` first, so a bucket's variant or weight may be an
 * expression (`["red", {"if": [...]}]`). Ramp splits are constant: each combination of those
 * expressions' outcomes becomes its own split, under a guard saying when that combination holds.
 */
import { and, type Cel, call, isFalse, lit, not, or, rel, TRUE } from "./flagd-cel.js";
import { condition } from "./flagd-conditions.js";
import type { Json } from "./flagd-jsonlogic.js";
import { isObject } from "./flagd-jsonlogic.js";
import { operand, operatorOf } from "./flagd-operands.js";
import type { TargetingContext } from "./flagd-rules.js";

/** Constant bucket entries, and when they are the ones flagd computes (error-free CEL). */
export interface Combination {
  readonly when: Cel;
  readonly entries: readonly Json[];
}

interface Outcome {
  readonly when: Cel;
  readonly value: Json;
}

/** Past this many combinations the rules would say more about the importer than about the flag. */
const MAX_COMBINATIONS = 16;

export function expandEntries(
  entries: readonly Json[],
  path: string,
  offset: number,
  ctx: TargetingContext,
): Combination[] | undefined {
  let combinations: Combination[] = [{ when: TRUE, entries: [] }];
  for (const [i, entry] of entries.entries()) {
    const at = `${path}[${i + offset}]`;
    // Not a list: left as it is for the bucket check, which says what flagd does with it.
    let choices: Outcome[] = [{ when: TRUE, value: entry }];
    if (Array.isArray(entry)) {
      choices = [{ when: TRUE, value: [] }];
      for (const [j, part] of entry.entries()) {
        const outcomes = outcomesOf(part, `${at}[${j}]`, j === 0 ? "variant" : "weight", ctx);
        if (outcomes === undefined) return undefined;
        choices = choices.flatMap((c) =>
          outcomes.map((o) => ({ when: and(c.when, o.when), value: [...(c.value as Json[]), o.value] })),
        );
      }
    }
    combinations = combinations
      .flatMap((c) => choices.map((o) => ({ when: and(c.when, o.when), entries: [...c.entries, o.value] })))
      .filter((c) => !isFalse(c.when));
    if (combinations.length > MAX_COMBINATIONS) {
      ctx.scope.unsupported(at, `the computed buckets make over ${MAX_COMBINATIONS} combinations to import`);
      return undefined;
    }
  }
  return combinations;
}

/** The values a bucket part can take: a constant, an `if` over constants, or (variants) a `var`. */
function outcomesOf(
  node: Json,
  path: string,
  role: "variant" | "weight",
  ctx: TargetingContext,
): Outcome[] | undefined {
  if (!isObject(node)) return [{ when: TRUE, value: node }];
  const o = operatorOf(node);
  if (o?.op === "if" || o?.op === "?:")
    return ifOutcomes(o.args, `${path}.${o.op === "if" ? "if" : '"?:"'}`, role, ctx);
  if (o?.op === "var" && role === "variant") return variableOutcomes(node, path, ctx);
  ctx.scope.unsupported(
    path,
    `a computed ${role} in a fractional bucket must be an 'if'${role === "variant" ? " or a 'var'" : ""} to import`,
  );
  return undefined;
}

function ifOutcomes(
  args: Json,
  path: string,
  role: "variant" | "weight",
  ctx: TargetingContext,
): Outcome[] | undefined {
  if (!Array.isArray(args)) {
    ctx.scope.unsupported(path, "'if' needs a list; flagd fails on this (ERROR)");
    return undefined;
  }
  if (args.length === 0) return [{ when: TRUE, value: null }];
  const items = args.length === 1 || args.length % 2 === 1 ? args : [...args, null];
  const out: Outcome[] = [];
  let undecided: Cel = TRUE;
  for (let i = 0; i + 1 < items.length; i += 2) {
    const c = condition(items[i] ?? null, `${path}[${i}]`, ctx.scope);
    const then = outcomesOf(items[i + 1] ?? null, `${path}[${i + 1}]`, role, ctx);
    if (c === undefined || then === undefined) return undefined;
    for (const t of then) out.push({ when: and(undecided, c.tot, t.when), value: t.value });
    undecided = and(undecided, not(c.tot));
  }
  const last = items.length - 1;
  const otherwise = outcomesOf(items[last] ?? null, `${path}[${last}]`, role, ctx);
  if (otherwise === undefined) return undefined;
  for (const e of otherwise) out.push({ when: and(undecided, e.when), value: e.value });
  return out.filter((x) => !isFalse(x.when));
}

/** A variant named by a context attribute: one outcome per variant, and null when it is missing. */
function variableOutcomes(node: Json, path: string, ctx: TargetingContext): Outcome[] | undefined {
  const x = operand(node, path, ctx.scope);
  if (x === undefined) return undefined;
  if (x.kind === "const") return [{ when: TRUE, value: x.value }];
  if (x.kind === "number") {
    ctx.scope.unsupported(path, "$flagd.timestamp as a bucket's variant is not supported by the importer");
    return undefined;
  }
  const v = x.nullable ? call("default", x.safe, lit(null)) : x.value;
  const out: Outcome[] = [];
  for (const name of ctx.variants.keys()) {
    const tests: Cel[] = [rel(v, "==", lit(name))];
    if (name === "true" || name === "false") tests.push(rel(v, "==", lit(name === "true")));
    if (name !== "" && String(Number(name)) === name) tests.push(rel(v, "==", lit(Number(name))));
    out.push({ when: or(...tests), value: name });
  }
  // Missing: a null share (flagd's DEFAULT). A value naming no variant is flagd's ERROR for that
  // share only; it is served like null so that the other shares keep their variants.
  out.push({ when: not(or(...out.map((o) => o.when))), value: null });
  return out.filter((o) => !isFalse(o.when));
}
