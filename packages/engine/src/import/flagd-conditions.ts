/**
 * flagd targeting conditions (JsonLogic) as CEL. Each condition has two forms: `pos`, short, true
 * exactly where flagd's value is truthy and elsewhere false or a CEL error (a rule's `if` treats an
 * error as no match, as flagd treats a falsy value); and `tot`, the same truth with no errors, for
 * use under negation. Neither promises anything where flagd itself throws (its ERROR results).
 */
import { and, type Cel, call, FALSE, ifThen, lit, NULL, not, or, rel, TRUE } from "./flagd-cel.js";
import { comparison, membership } from "./flagd-comparisons.js";
import { affix, semVer } from "./flagd-custom-ops.js";
import { COMPARE_OPS, type CompareOp, isObject, type Json, truthy } from "./flagd-jsonlogic.js";
import {
  type Cond,
  constant,
  joinPath,
  NEVER,
  type Operand,
  operatorOf,
  reportOperator,
  type Scope,
  variable,
} from "./flagd-operands.js";

/** A condition: the truthiness of a JsonLogic node. Undefined (reported) when it cannot be translated. */
export function condition(node: Json, path: string, scope: Scope): Cond | undefined {
  const o = operatorOf(node);
  if (o === undefined) {
    if (isObject(node)) {
      reportOperator(scope, path, node, "");
      return undefined;
    }
    if (typeof node === "boolean") return constant(node);
    if (node === null) return NEVER;
    const t = truthy(node) ? TRUE : FALSE;
    return { pos: t, tot: t };
  }
  const at = joinPath(path, o.op);
  const { op, args } = o;
  if (COMPARE_OPS.has(op)) return comparison(op as CompareOp, args, at, scope);
  switch (op) {
    case "var": {
      const x = variable(args, at, scope);
      return x === undefined ? undefined : truthiness(x);
    }
    case "!":
    case "not":
    case "!!": {
      const inner = condition(
        Array.isArray(args) ? (args[0] ?? null) : args,
        Array.isArray(args) ? `${at}[0]` : at,
        scope,
      );
      if (inner === undefined) return undefined;
      return op === "!!"
        ? { pos: inner.pos, tot: inner.tot, fls: not(inner.tot) }
        : { pos: not(inner.tot), tot: not(inner.tot), fls: inner.tot };
    }
    case "and":
    case "or":
      return logical(op, args, at, scope);
    case "if":
    case "?:":
      return conditional(args, at, scope);
    case "in":
      return membership(args, at, scope);
    case "starts_with":
    case "ends_with":
      return affix(op === "starts_with" ? "startsWith" : "endsWith", args, at, scope);
    case "sem_ver":
      return semVer(args, at, scope);
    default:
      reportOperator(scope, path, node, "in a condition");
      return undefined;
  }
}

function truthiness(x: Operand): Cond {
  if (x.kind === "const") return constant(truthy(x.value));
  if (x.kind === "number") {
    const c = rel(x.value, "!=", lit(0));
    return { pos: c, tot: c };
  }
  const falsy = lit([null, false, 0, "", [], {}]);
  const pos = not(rel(x.value, "in", falsy));
  if (!x.nullable) return { pos, tot: pos };
  return { pos, tot: not(rel(call("default", x.safe, NULL), "in", falsy)) };
}

function logical(op: "and" | "or", args: Json, path: string, scope: Scope): Cond | undefined {
  if (!Array.isArray(args)) {
    scope.unsupported(path, `'${op}' needs a list of conditions; flagd fails on this (ERROR)`);
    return undefined;
  }
  if (args.length === 0) return NEVER;
  const parts: Cond[] = [];
  for (const [i, a] of args.entries()) {
    const c = condition(a, `${path}[${i}]`, scope);
    if (c === undefined) return undefined;
    parts.push(c);
  }
  const combine = op === "and" ? and : or;
  const pos = combine(...parts.map((c) => c.pos));
  const tot = combine(...parts.map((c) => c.tot));
  // The value is an operand's value: exactly false when the deciding operand is exactly false.
  let fls: Cel | undefined = FALSE;
  for (const [i, c] of parts.entries()) {
    if (c.fls === undefined) fls = undefined;
    if (fls === undefined || c.fls === undefined) continue;
    const before = parts.slice(0, i).map((p) => (op === "and" ? p.tot : not(p.tot)));
    if (op === "and") fls = or(fls, and(...before, c.fls));
    else if (i === parts.length - 1) fls = and(...before, c.fls);
  }
  return fls === undefined ? { pos, tot } : { pos, tot, fls };
}

function conditional(args: Json, path: string, scope: Scope): Cond | undefined {
  if (!Array.isArray(args)) {
    scope.unsupported(path, "'if' needs a list; flagd fails on this (ERROR)");
    return undefined;
  }
  if (args.length === 0) return NEVER;
  const items = args.length % 2 === 1 ? args : [...args, null];
  const last = condition(items[items.length - 1] ?? null, `${path}[${items.length - 1}]`, scope);
  if (last === undefined) return undefined;
  let tot = last.tot;
  let fls = last.fls;
  for (let i = items.length - 3; i >= 0; i -= 2) {
    const c = condition(items[i] ?? null, `${path}[${i}]`, scope);
    const then = condition(items[i + 1] ?? null, `${path}[${i + 1}]`, scope);
    if (c === undefined || then === undefined) return undefined;
    tot = ifThen(c.tot, then.tot, tot);
    fls = fls === undefined || then.fls === undefined ? undefined : ifThen(c.tot, then.fls, fls);
  }
  return fls === undefined ? { pos: tot, tot } : { pos: tot, tot, fls };
}
