/**
 * The building blocks of flagd conditions as CEL: the two-form condition (`Cond`), operands (constants,
 * context attributes, $flagd properties), and `byCases`, which decides an attribute test by the kinds of
 * value the attribute can hold, as flagd's JsonLogic does.
 */
import { joinPath } from "../validate/structure.js";
import { attribute, type Cel, call, FALSE, ifThen, lit, not, or, rel, TRUE } from "./flagd-cel.js";
import { FLAGD_OPERATORS, isObject, type Json, splitVarPath } from "./flagd-jsonlogic.js";

export interface Cond {
  readonly pos: Cel;
  readonly tot: Cel;
  /** Where the value is exactly `false`, for operators whose value is true, false or null (error-free). */
  readonly fls?: Cel;
}

export interface Scope {
  /** The flag's key as flagd knows it: `$flagd.flagKey`. */
  readonly flagKey: string;
  /** Records an error: a construct the importer cannot reproduce. */
  readonly unsupported: (path: string, message: string) => void;
}

/** A comparison operand: a constant, a context attribute, or a number always present ($flagd.timestamp). */
export type Operand =
  | { readonly kind: "const"; readonly value: Json }
  /** `read` errors when the attribute is missing; `value` is `default(read, fallback)` when there is a fallback. */
  | {
      readonly kind: "attr";
      readonly name: readonly string[];
      readonly read: Cel;
      /** Like `read`, but a missing or null object on a dotted path reads as missing. */
      readonly safe: Cel;
      readonly value: Cel;
      readonly fallback: Json;
      readonly nullable: boolean;
    }
  | { readonly kind: "number"; readonly value: Cel };

export type Dynamic = Exclude<Operand, { kind: "const" }>;

export const NOW_SECONDS: Cel = call("int", call("now"));
export const constant = (v: boolean): Cond => ({
  pos: v ? TRUE : FALSE,
  tot: v ? TRUE : FALSE,
  fls: v ? FALSE : TRUE,
});
/** flagd's null: never true, never exactly false. */
export const NEVER: Cond = { pos: FALSE, tot: FALSE, fls: FALSE };

export { joinPath };

/** The one operator of a JsonLogic node, or undefined when the node is not an operation. */
export function operatorOf(node: Json): { op: string; args: Json } | undefined {
  if (!isObject(node)) return undefined;
  const keys = Object.keys(node);
  const op = keys[0];
  if (keys.length !== 1 || op === undefined) return undefined;
  return { op, args: node[op] ?? null };
}

export function reportOperator(scope: Scope, path: string, node: Json, where: string): void {
  const o = operatorOf(node);
  if (o === undefined) {
    scope.unsupported(
      path,
      `${JSON.stringify(node)} is not a JsonLogic operation (one key naming the operator); flagd rejects it`,
    );
  } else if (o.op === "$ref") {
    scope.unsupported(
      path,
      `'$ref' to ${JSON.stringify(o.args)} names no shared evaluator; flagd rejects the targeting (PARSE_ERROR)`,
    );
  } else if (FLAGD_OPERATORS.has(o.op)) {
    scope.unsupported(path, `operator '${o.op}' ${where} is not supported by the importer`);
  } else {
    scope.unsupported(path, `unknown operator '${o.op}'; flagd rejects the targeting (PARSE_ERROR)`);
  }
}

/** A JsonLogic value used as an operand, or undefined (reported) when it is not one we can translate. */
export function operand(node: Json, path: string, scope: Scope): Operand | undefined {
  if (Array.isArray(node) && node.some((x) => typeof x === "object" && x !== null)) {
    scope.unsupported(path, "a list with computed or nested elements is not supported by the importer");
    return undefined;
  }
  if (!isObject(node)) return { kind: "const", value: node };
  const o = operatorOf(node);
  if (o?.op === "var") return variable(o.args, joinPath(path, "var"), scope);
  reportOperator(scope, path, node, "as an operand");
  return undefined;
}

export function variable(arg: Json, path: string, scope: Scope): Operand | undefined {
  const [key, fallback] = Array.isArray(arg) ? [arg[0] ?? null, arg[1] ?? null] : [arg, null];
  if (
    isObject(fallback) ||
    (Array.isArray(fallback) && fallback.some((x) => typeof x === "object" && x !== null))
  ) {
    scope.unsupported(path, "a computed default in 'var' is not supported by the importer");
    return undefined;
  }
  if ((typeof key !== "string" && typeof key !== "number") || key === "") {
    scope.unsupported(path, "'var' of the whole context is not supported by the importer");
    return undefined;
  }
  const text = String(key);
  if (text.includes("../")) {
    scope.unsupported(path, `'var' of a scope above ('${text}') is not supported by the importer`);
    return undefined;
  }
  const name = splitVarPath(text);
  if (name[0] === "$flagd") {
    if (name.length === 2 && name[1] === "flagKey") return { kind: "const", value: scope.flagKey };
    if (name.length === 2 && name[1] === "timestamp") return { kind: "number", value: NOW_SECONDS };
    if (name.length === 1) {
      scope.unsupported(path, "'var' of the whole $flagd object is not supported by the importer");
      return undefined;
    }
    return { kind: "const", value: fallback };
  }
  const read = attribute(name);
  const safe = attribute(name, true);
  if (fallback === null) return { kind: "attr", name, read, safe, value: read, fallback, nullable: true };
  return {
    kind: "attr",
    name,
    read,
    safe,
    value: call("default", safe, lit(fallback)),
    fallback,
    nullable: false,
  };
}

/** The operand's value as CEL, and a test for "missing or null" when it can be. */
export const valueCel = (x: Dynamic): Cel => x.value;
export const nilTest = (x: Dynamic): Cel => (x.kind === "attr" && x.nullable ? call("isNil", x.safe) : FALSE);
/** Whether a present primitive is a string (error-free for null, booleans, numbers and strings). */
export const isString = (v: Cel): Cel => rel(call("string", v), "==", v);

/**
 * A test over the values an attribute can hold: `sym` decides for numbers and strings; the values it
 * gets wrong (or errors on) — missing, true, false, "", 0 — are decided first, as flagd decides them.
 */
export interface Sym {
  readonly pos: Cel;
  readonly tot: Cel;
  /** What the CEL gives for a present value: a boolean, or undefined for an error. */
  readonly on: (v: Json) => boolean | undefined;
}

export function byCases(x: Dynamic, flagd: (v: Json) => boolean | undefined, sym: Sym): Cond {
  const v = valueCel(x);
  const peeled: { test: Cel; result: boolean }[] = [];
  if (x.kind === "attr" && x.nullable) {
    const r = flagd(null);
    peeled.push({ test: nilTest(x), result: r === true });
  }
  if (x.kind === "attr") {
    for (const probe of [true, false, "", 0] as const) {
      const r = flagd(probe);
      if (r !== undefined && r !== sym.on(probe)) peeled.push({ test: rel(v, "==", lit(probe)), result: r });
    }
  }
  let tot = sym.tot;
  for (let i = peeled.length - 1; i >= 0; i--) {
    const p = peeled[i];
    if (p !== undefined) tot = ifThen(p.test, p.result ? TRUE : FALSE, tot);
  }
  const pos = or(sym.pos, ...peeled.filter((p) => p.result).map((p) => p.test));
  return { pos, tot, fls: not(tot) };
}
