/**
 * flagd targeting — a JsonLogic expression whose value names a variant — as Ramp's ordered rules.
 * Each path through the `if` chains becomes a rule whose `if` joins the conditions on the way. Where
 * flagd's value is null it serves the defaultVariant with reason DEFAULT, which is what Ramp serves
 * when no rule matches; so the rules after such a path exclude it explicitly.
 */
import { type Cel, isFalse, isTrue, lit, not, or, rel } from "./flagd-cel.js";
import { condition } from "./flagd-conditions.js";
import { emitFractional } from "./flagd-fractional.js";
import { type Json, variantNameOf } from "./flagd-jsonlogic.js";
import { type Cond, joinPath, type Operand, operand, operatorOf, reportOperator } from "./flagd-operands.js";
import { addRule, serve, type TargetingContext } from "./flagd-rules.js";

export type { TargetingContext } from "./flagd-rules.js";

/** Appends the rules for a flag's targeting to `ctx.rules`. */
export function targetingRules(targeting: Json, path: string, ctx: TargetingContext): void {
  emit(targeting, path, [], ctx);
}

/** Emits the rules for `node` under `guards`; returns whether they match every context that reaches it. */
function emit(node: Json, path: string, guards: readonly Cel[], ctx: TargetingContext): boolean {
  if (node === null) return false;
  if (typeof node !== "object") return serve(variantNameOf(node), path, guards, ctx);
  if (Array.isArray(node)) {
    ctx.scope.unsupported(path, "a list as the targeting's result names no variant; flagd answers ERROR");
    return false;
  }
  const o = operatorOf(node);
  if (o === undefined) {
    reportOperator(ctx.scope, path, node, "");
    return false;
  }
  const at = joinPath(path, o.op);
  switch (o.op) {
    case "if":
    case "?:":
      return emitIf(o.args, at, guards, ctx);
    case "fractional":
      return emitFractional(o.args, at, guards, ctx);
    case "var":
      return emitVariable(node, path, guards, ctx);
    default:
      return emitBoolean(node, path, guards, ctx);
  }
}

function emitIf(args: Json, path: string, guards: readonly Cel[], ctx: TargetingContext): boolean {
  if (!Array.isArray(args)) {
    ctx.scope.unsupported(path, "'if' needs a list; flagd fails on this (ERROR)");
    return false;
  }
  if (args.length === 0) return false;
  if (args.length === 1) return emit(args[0] ?? null, `${path}[0]`, guards, ctx);
  const items = args.length % 2 === 1 ? args : [...args, null];
  const pending: Cel[] = [];
  let complete = true;
  for (let i = 0; i + 1 < items.length; i += 2) {
    const c = condition(items[i] ?? null, `${path}[${i}]`, ctx.scope);
    // What follows an untranslatable condition cannot be placed; those contexts fall to DEFAULT.
    if (c === undefined) return false;
    const done = emit(items[i + 1] ?? null, `${path}[${i + 1}]`, [...guards, ...pending, c.pos], ctx);
    if (isTrue(c.tot)) return complete && done;
    if (!done) {
      pending.push(not(c.tot));
      complete = false;
    }
  }
  const last = items.length - 1;
  return emit(items[last] ?? null, `${path}[${last}]`, [...guards, ...pending], ctx) && complete;
}

/** A condition whose value is the result: true and false name the variants "true" and "false". */
function emitBoolean(node: Json, path: string, guards: readonly Cel[], ctx: TargetingContext): boolean {
  const c: Cond | undefined = condition(node, path, ctx.scope);
  if (c === undefined) return false;
  if (c.fls === undefined) {
    ctx.scope.unsupported(
      path,
      "this targeting's value is not true, false or null, so the importer cannot tell which variant it names",
    );
    return false;
  }
  let complete = c.fls.s === not(c.tot).s;
  for (const [name, when] of [
    ["true", c.pos],
    ["false", c.fls],
  ] as const) {
    if (isFalse(when)) continue;
    const ramp = ctx.variants.get(name);
    if (ramp === undefined) {
      ctx.scope.unsupported(
        path,
        `the targeting evaluates to ${name}, which names no variant ('${name}'); flagd answers ERROR (GENERAL) there`,
      );
      complete = false;
    } else addRule([...guards, when], { variant: ramp }, path, ctx);
  }
  return complete;
}

/** A variant named by a context attribute: one rule per variant. */
function emitVariable(node: Json, path: string, guards: readonly Cel[], ctx: TargetingContext): boolean {
  const x: Operand | undefined = operand(node, path, ctx.scope);
  if (x === undefined) return false;
  if (x.kind === "const") return x.value === null ? false : serve(variantNameOf(x.value), path, guards, ctx);
  if (x.kind === "number") {
    ctx.scope.unsupported(
      path,
      "$flagd.timestamp as the targeting's result is not supported by the importer",
    );
    return false;
  }
  for (const [name, ramp] of ctx.variants) {
    const tests: Cel[] = [rel(x.value, "==", lit(name))];
    if (name === "true" || name === "false") tests.push(rel(x.value, "==", lit(name === "true")));
    if (name !== "" && String(Number(name)) === name) tests.push(rel(x.value, "==", lit(Number(name))));
    addRule([...guards, or(...tests)], { variant: ramp }, path, ctx);
  }
  return false;
}
