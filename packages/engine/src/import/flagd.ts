/**
 * Imports a flagd flag definition (https://flagd.dev/reference/flag-definitions/) as a Ramp flag
 * file: one environment with `hashing: flagd`, whose rules reproduce each flag's targeting so that
 * every context keeps its variant — fractional buckets included.
 */
import type { FlagDefinition, FlagFile, FlagType, RuleDefinition } from "../schema/flag-file.js";
import type { Issue } from "../types.js";
import { joinPath } from "../validate/structure.js";
import { isObject, type Json, type JsonObject } from "./flagd-jsonlogic.js";
import type { Scope } from "./flagd-operands.js";
import { type TargetingContext, targetingRules } from "./flagd-targeting.js";

export interface FlagdImportOptions {
  /** The environment to create (default "default"). */
  readonly environment?: string;
}

export interface ImportResult {
  readonly file: FlagFile;
  /** Errors: constructs whose behaviour Ramp cannot reproduce. Warnings: faithful apart from what they say. */
  readonly issues: Issue[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const DOCUMENT_KEYS = new Set(["$schema", "flags", "$evaluators", "metadata"]);
const FLAG_KEYS = new Set(["state", "variants", "defaultVariant", "targeting", "metadata"]);

/**
 * Converts a flagd flag definition document into a Ramp flag file.
 * @example
 * const { file, issues } = importFlagd(JSON.parse(text), { environment: "production" });
 */
export function importFlagd(definition: unknown, options: FlagdImportOptions = {}): ImportResult {
  const issues: Issue[] = [];
  let environment = options.environment ?? "default";
  if (!NAME.test(environment)) {
    issues.push({
      path: "",
      message: `'${environment}' is not a valid environment name; using 'default'`,
      severity: "error",
    });
    environment = "default";
  }
  const file = {
    version: 1 as const,
    environments: [environment],
    flags: {} as Record<string, FlagDefinition>,
  };
  if (!isObject(definition as Json) || !isObject((definition as JsonObject).flags ?? null)) {
    issues.push({
      path: "flags",
      message: "a flagd definition is an object with a `flags` object",
      expected: "{ flags: { … } }",
      severity: "error",
    });
    return { file, issues };
  }
  const doc = definition as JsonObject;
  for (const key of Object.keys(doc)) {
    if (!DOCUMENT_KEYS.has(key))
      issues.push({
        path: joinPath("", key),
        message: "not part of a flagd definition; ignored",
        severity: "warning",
      });
  }
  if (isObject(doc.metadata ?? null) && Object.keys(doc.metadata as JsonObject).length > 0) {
    issues.push({
      path: "metadata",
      message: "flag set metadata is not imported (flagd returns it as flag metadata)",
      severity: "warning",
    });
  }
  const evaluators = doc.$evaluators ?? {};
  if (!isObject(evaluators))
    issues.push({
      path: "$evaluators",
      message: "$evaluators must be an object; ignored",
      severity: "error",
    });
  const shared = isObject(evaluators) ? evaluators : {};
  const taken = new Set<string>();
  for (const [key, raw] of Object.entries(doc.flags as JsonObject)) {
    const path = joinPath("flags", key);
    const rampKey = rampName(key, taken, "flag");
    if (rampKey !== key)
      issues.push({
        path,
        message: `renamed '${rampKey}': Ramp flag keys are ${NAME_HINT}`,
        severity: "warning",
      });
    const flag = importFlag({ key, rampKey, path, environment, evaluators: shared, issues }, raw);
    if (flag !== undefined) file.flags[rampKey] = flag;
  }
  return { file, issues };
}

const NAME_HINT = "letters, digits, '_', '.', ':' or '-', starting with a letter or digit, at most 128";

/** A Ramp name for a flagd key or variant name, distinct from those already taken. */
function rampName(name: string, taken: Set<string>, kind: string): string {
  let base = name.replace(/[^A-Za-z0-9_.:-]/g, "_");
  if (!/^[A-Za-z0-9]/.test(base)) base = `${kind === "flag" ? "f" : "v"}${base}`;
  base = base.slice(0, 120);
  let candidate = base;
  for (let i = 2; taken.has(candidate); i++) candidate = `${base}-${i}`;
  taken.add(candidate);
  return candidate;
}

function typeOf(values: readonly Json[]): FlagType | undefined {
  const kinds = new Set(values.map((v) => (v === null ? "null" : Array.isArray(v) ? "object" : typeof v)));
  const [only] = kinds;
  if (kinds.size !== 1 || only === undefined) return undefined;
  return only === "boolean" || only === "string" || only === "number" || only === "object" ? only : undefined;
}

interface FlagImport {
  /** The flagd key: `$flagd.flagKey`, and the salt of flagd's default bucketing. */
  readonly key: string;
  readonly rampKey: string;
  readonly path: string;
  readonly environment: string;
  readonly evaluators: JsonObject;
  readonly issues: Issue[];
}

/** A flag's parts that do not depend on its targeting, checked and named for Ramp. */
interface FlagHead {
  readonly on: boolean;
  readonly type: FlagType;
  readonly variants: JsonObject;
  /** flagd variant name → Ramp variant name, in flagd's order. */
  readonly names: ReadonlyMap<string, string>;
  readonly defaultVariant: string | undefined;
  /** The Ramp name of the defaultVariant (or of a stand-in when there is none). */
  readonly offVariant: string;
}

function readFlag(f: FlagImport, raw: JsonObject): FlagHead | undefined {
  const { path, issues } = f;
  const error = (at: string, message: string) => issues.push({ path: at, message, severity: "error" });
  const warn = (at: string, message: string) => issues.push({ path: at, message, severity: "warning" });
  for (const k of Object.keys(raw))
    if (!FLAG_KEYS.has(k)) warn(joinPath(path, k), "not part of a flagd flag; ignored");
  const state = raw.state;
  if (state !== "ENABLED" && state !== "DISABLED") {
    error(
      joinPath(path, "state"),
      `state must be ENABLED or DISABLED (flagd rejects the whole definition); got ${JSON.stringify(state ?? null)}`,
    );
    return undefined;
  }
  const variants = raw.variants ?? null;
  if (!isObject(variants) || Object.keys(variants).length === 0) {
    error(joinPath(path, "variants"), "a flag needs variants: { NAME: VALUE, … }; not imported");
    return undefined;
  }
  const type = typeOf(Object.values(variants));
  if (type === undefined) {
    error(
      joinPath(path, "variants"),
      "variant values must all be booleans, all strings, all numbers or all objects; not imported",
    );
    return undefined;
  }
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of Object.keys(variants)) {
    const ramp = rampName(name, taken, "variant");
    if (ramp !== name)
      warn(joinPath(joinPath(path, "variants"), name), `renamed '${ramp}': results name the Ramp variant`);
    names.set(name, ramp);
  }
  const dv = raw.defaultVariant ?? null;
  if (dv !== null && dv !== "" && (typeof dv !== "string" || !names.has(dv))) {
    error(
      joinPath(path, "defaultVariant"),
      `${JSON.stringify(dv)} is not a variant (flagd rejects the whole definition); not imported`,
    );
    return undefined;
  }
  const defaultVariant = typeof dv === "string" && dv !== "" ? dv : undefined;
  const offVariant =
    defaultVariant !== undefined ? names.get(defaultVariant) : fallbackVariant(variants, names);
  if (offVariant === undefined) return undefined;
  if (defaultVariant === undefined) {
    error(
      joinPath(path, "defaultVariant"),
      `no defaultVariant: flagd answers the caller's default (reason DEFAULT) where Ramp serves '${offVariant}'`,
    );
  }
  if (isObject(raw.metadata ?? null) && Object.keys(raw.metadata as JsonObject).length > 0) {
    warn(joinPath(path, "metadata"), "flag metadata is not imported");
  }
  return { on: state === "ENABLED", type, variants, names, defaultVariant, offVariant };
}

/**
 * One flag. flagd's defaultVariant becomes Ramp's offVariant, which serves both a DISABLED flag and,
 * with no `default` in the environment, the contexts no rule matches — reason DEFAULT, as flagd says
 * when its targeting yields null. Only a flag without targeting gets `default:`, for reason STATIC.
 */
function importFlag(f: FlagImport, raw: Json): FlagDefinition | undefined {
  const { key, path, environment, evaluators, issues } = f;
  if (!isObject(raw)) {
    issues.push({
      path,
      message: "a flag is an object with state, variants and defaultVariant; not imported",
      severity: "error",
    });
    return undefined;
  }
  const head = readFlag(f, raw);
  if (head === undefined) return undefined;
  const error = (at: string, message: string) => issues.push({ path: at, message, severity: "error" });
  const warn = (at: string, message: string) => issues.push({ path: at, message, severity: "warning" });
  const rules: RuleDefinition[] = [];
  const splitOrders: TargetingContext["splitOrders"] = [];
  const targeting = raw.targeting ?? null;
  // flagd-core treats a targeting without keys ({}, "", numbers, booleans) as none: reason STATIC.
  const targeted =
    targeting !== null && typeof targeting === "object"
      ? Object.keys(targeting).length > 0
      : typeof targeting === "string" && targeting !== "";
  if (targeted) {
    const scope: Scope = { flagKey: key, unsupported: error };
    const { names: variants, defaultVariant } = head;
    const ctx: TargetingContext = { scope, warn, variants, defaultVariant, rules, splitOrders };
    targetingRules(resolveRefs(targeting, evaluators, 0), joinPath(path, "targeting"), ctx);
  }
  const order = variantOrder([...head.names.values()], splitOrders, error);
  const valueByName = new Map([...head.names].map(([flagd, ramp]) => [ramp, head.variants[flagd] ?? null]));
  const variants: Record<string, Json> = {};
  for (const name of order) variants[name] = valueByName.get(name) ?? null;
  const declared = Object.keys(variants);
  for (const s of splitOrders) {
    if (!isSubsequence(s.order, declared))
      error(s.path, `Ramp cannot order the variants to keep flagd's bucket order ${s.order.join(", ")}`);
  }
  return {
    type: head.type,
    variants,
    offVariant: head.offVariant,
    environments: {
      [environment]: {
        on: head.on,
        hashing: "flagd",
        ...(f.rampKey !== key && { salt: key }),
        ...(targeted ? (rules.length > 0 ? { rules } : {}) : { default: head.offVariant }),
      },
    },
  };
}

/** Without a defaultVariant Ramp still needs an offVariant: a boolean flag's false one, else the first. */
function fallbackVariant(variants: JsonObject, names: ReadonlyMap<string, string>): string | undefined {
  const off = Object.entries(variants).find(([, v]) => v === false)?.[0];
  return names.get(off ?? Object.keys(variants)[0] ?? "");
}

/**
 * Replaces `{"$ref": name}` with the shared evaluator as flagd-core does: in the order of
 * `$evaluators`, so a reference inside an evaluator is expanded only when it names a later one.
 */
function resolveRefs(node: Json, evaluators: JsonObject, from: number): Json {
  if (Array.isArray(node)) return node.map((x) => resolveRefs(x, evaluators, from));
  if (!isObject(node)) return node;
  const keys = Object.keys(node);
  const ref = node.$ref;
  if (keys.length === 1 && typeof ref === "string") {
    const index = Object.keys(evaluators).indexOf(ref);
    const body = evaluators[ref];
    if (index >= from && body !== undefined) return resolveRefs(body, evaluators, index + 1);
    return node;
  }
  const out: Record<string, Json> = {};
  for (const k of keys) out[k] = resolveRefs(node[k] ?? null, evaluators, from);
  return out;
}

/**
 * The flag's variants in an order where every split's variants come in its bucket order (Ramp gives
 * split ranges in variant order), otherwise as flagd lists them.
 */
function variantOrder(
  names: readonly string[],
  splits: TargetingContext["splitOrders"],
  error: (path: string, message: string) => void,
): string[] {
  const after = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const s of splits) {
    for (let i = 1; i < s.order.length; i++) {
      const [a, b] = [s.order[i - 1], s.order[i]];
      if (a !== undefined && b !== undefined) after.get(b)?.add(a);
    }
  }
  const out: string[] = [];
  const placed = new Set<string>();
  while (out.length < names.length) {
    const next = names.find((n) => !placed.has(n) && [...(after.get(n) ?? [])].every((m) => placed.has(m)));
    if (next === undefined) {
      error(
        splits[0]?.path ?? "",
        "fractionals list the same variants in conflicting orders; Ramp keeps one variant order per flag",
      );
      return [...names];
    }
    out.push(next);
    placed.add(next);
  }
  return out;
}

function isSubsequence(xs: readonly string[], ys: readonly string[]): boolean {
  let j = 0;
  for (const y of ys) if (j < xs.length && xs[j] === y) j++;
  return j === xs.length;
}
