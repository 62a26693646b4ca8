/**
 * Validates one flag's meaning (beyond its structure) and compiles each of its environments into
 * a `Decide` closure, in a single walk so that what lint accepts is exactly what evaluation runs.
 */
import { gateChooser, keyReader, splitChooser } from "../bucket.js";
import type { Program } from "../expr/index.js";
import type {
  EnvironmentDefinition,
  FlagDefinition,
  HashingMode,
  RuleDefinition,
  ServeDefinition,
  SplitDefinition,
} from "../schema/flag-file.js";
import type { EvaluationResult, FlagMetadata, FlagValue, Issue, Reason } from "../types.js";
import { joinPath } from "../validate/structure.js";
import { nearest } from "../validate/suggest.js";
import { assemble, type RuleDecide, ruleDecide, type SegmentTest, type Serve } from "./decide.js";
import { errorResult, metadataOf, type ResultParts, result } from "./results.js";
import type { Ctx, Decide, Runtime } from "./runtime.js";

export interface FlagScope {
  readonly segments: ReadonlyMap<string, SegmentTest>;
  readonly flagVariants: ReadonlyMap<string, readonly string[]>;
  readonly compile: (source: string, path: string) => Program | undefined;
  readonly issues: Issue[];
  /** True for a part whose shape is already reported wrong: its meaning is not checked. */
  readonly skip: (path: string) => boolean;
}

export interface CompiledFlag {
  readonly key: string;
  readonly type: FlagDefinition["type"];
  readonly variants: readonly string[];
  readonly offVariant: string | undefined;
  readonly metadata: FlagMetadata;
  /** Decide per environment name; environments the flag does not configure are absent. */
  readonly environments: ReadonlyMap<string, Decide>;
  /** Served in environments the flag does not configure: the off variant, DISABLED. */
  readonly unconfigured: Decide;
}

const BOOLEAN_VARIANTS: Readonly<Record<string, FlagValue>> = { on: true, off: false };

/** The flag's variants, with the boolean default `{ on: true, off: false }` when omitted. */
export function variantsOf(def: FlagDefinition): Readonly<Record<string, FlagValue>> {
  return def.variants ?? (def.type === "boolean" ? BOOLEAN_VARIANTS : {});
}

function fitsType(type: FlagDefinition["type"], v: FlagValue): boolean {
  switch (type) {
    case "boolean":
      return typeof v === "boolean";
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "object":
      return typeof v === "object" && v !== null;
  }
}

/** offVariant, or for a boolean flag the single variant whose value is false. */
export function offVariantOf(def: FlagDefinition): string | undefined {
  if (def.offVariant !== undefined) return def.offVariant;
  if (def.type !== "boolean") return undefined;
  const falses = Object.entries(variantsOf(def)).filter(([, v]) => v === false);
  return falses.length === 1 ? falses[0]?.[0] : undefined;
}

export function compileFlag(
  key: string,
  def: FlagDefinition,
  scope: FlagScope,
  base: string,
): CompiledFlag | undefined {
  const issues = scope.issues;
  const before = issues.length;
  const err = (path: string, message: string, extra: Partial<Issue> = {}) =>
    issues.push({ path, message, severity: "error", ...extra });
  const variants = variantsOf(def);
  const names = Object.keys(variants);
  const metadata = metadataOf(def);

  if (names.length === 0)
    err(`${base}.variants`, "a flag needs at least one variant", {
      expected: "variants: { NAME: VALUE, … }",
    });
  for (const [name, value] of Object.entries(variants)) {
    if (!fitsType(def.type, value))
      err(`${base}.variants.${name}`, `value ${JSON.stringify(value)} is not a ${def.type}`, {
        expected: `a ${def.type} value, as the flag's type says`,
      });
  }
  const variantRef = (path: string, name: string): boolean => {
    if (name in variants) return true;
    const guess = nearest(name, names);
    err(path, `unknown variant '${name}'`, {
      expected: `one of ${names.join(", ")}`,
      ...(guess !== undefined && { suggestion: `did you mean '${guess}'?` }),
    });
    return false;
  };
  const offName = offVariantOf(def);
  if (offName === undefined)
    err(`${base}.offVariant`, "missing offVariant: the variant served when the flag is off", {
      expected: "the name of one of the flag's variants",
    });
  else variantRef(`${base}.offVariant`, offName);

  for (const [i, p] of (def.prerequisites ?? []).entries()) {
    const path = `${base}.prerequisites[${i}]`;
    if (p.flag === key) err(`${path}.flag`, "a flag cannot be its own prerequisite");
    const theirs = scope.flagVariants.get(p.flag);
    if (theirs === undefined) {
      const guess = nearest(p.flag, scope.flagVariants.keys());
      err(
        `${path}.flag`,
        `unknown flag '${p.flag}'`,
        guess !== undefined ? { suggestion: `did you mean '${guess}'?` } : {},
      );
    }
    if ((p.variant === undefined) === (p.variants === undefined))
      err(path, "give exactly one of variant or variants", { expected: "{ flag: KEY, variant: NAME }" });
    for (const v of p.variant !== undefined ? [p.variant] : (p.variants ?? [])) {
      if (theirs !== undefined && !theirs.includes(v))
        err(
          `${path}.variant${p.variant === undefined ? "s" : ""}`,
          `flag '${p.flag}' has no variant '${v}'`,
          {
            expected: `one of ${theirs.join(", ")}`,
          },
        );
    }
  }

  const environments = new Map<string, Decide>();
  for (const [envName, envDef] of Object.entries(def.environments)) {
    const envPath = joinPath(`${base}.environments`, envName);
    if (scope.skip(envPath)) continue;
    const decide = compileEnvironment(key, def, envDef, scope, envPath, {
      variants,
      variantRef,
      metadata,
      offName,
    });
    if (decide !== undefined) environments.set(envName, decide);
  }
  if (issues.slice(before).some((i) => i.severity === "error") || offName === undefined) return undefined;
  const offResult = result({
    key,
    value: variants[offName] ?? null,
    variant: offName,
    reason: "DISABLED",
    flagMetadata: metadata,
  });
  return {
    key,
    type: def.type,
    variants: names,
    offVariant: offName,
    metadata,
    environments,
    unconfigured: () => offResult,
  };
}

interface FlagParts {
  readonly variants: Readonly<Record<string, FlagValue>>;
  readonly variantRef: (path: string, name: string) => boolean;
  readonly metadata: FlagMetadata;
  readonly offName: string | undefined;
}

function compileEnvironment(
  key: string,
  def: FlagDefinition,
  env: EnvironmentDefinition,
  scope: FlagScope,
  base: string,
  parts: FlagParts,
): Decide | undefined {
  const { variants, variantRef, metadata, offName } = parts;
  const issues = scope.issues;
  const before = issues.length;
  const err = (path: string, message: string, extra: Partial<Issue> = {}) =>
    issues.push({ path, message, severity: "error", ...extra });
  const mode: HashingMode = env.hashing ?? "ramp";
  const envSalt = env.salt ?? key;
  const envBucketBy = env.bucketBy ?? "targetingKey";
  /** The result serving `variant`: built once here, so that evaluation allocates nothing. */
  const served = (variant: string, reason: Reason, extra: Partial<ResultParts> = {}): EvaluationResult =>
    result({ key, value: variants[variant] ?? null, variant, reason, flagMetadata: metadata, ...extra });

  const missingKey = (attr: string | readonly string[]) => {
    const what = typeof attr === "string" ? `'${attr}'` : attr.map((a) => `'${a}'`).join(" or ");
    const message = `a percentage split needs ${what} in the context`;
    return (rt: Runtime) => errorResult(key, "TARGETING_KEY_MISSING", message, rt.defaultValue, metadata);
  };

  const compileServe = (
    path: string,
    variant: string | undefined,
    split: SplitDefinition | undefined,
    bucketBy: string | readonly string[] | undefined,
    salt: string | undefined,
    rule: { index: number; name: string | undefined } | undefined,
    bare = false,
  ): Serve | undefined => {
    if ((variant === undefined) === (split === undefined)) {
      err(path, variant === undefined ? "serves nothing" : "has both variant and split", {
        expected: "exactly one of variant: NAME or split: { NAME: PERCENT, … }",
      });
      return undefined;
    }
    const ruleFields = rule === undefined ? {} : { ruleIndex: rule.index, ruleName: rule.name };
    if (variant !== undefined) {
      if (!variantRef(bare ? path : `${path}.variant`, variant)) return undefined;
      const r = served(variant, rule === undefined ? "STATIC" : "TARGETING_MATCH", ruleFields);
      return () => r;
    }
    if (split === undefined || !checkSplit(`${path}.split`, split, mode, variantRef, err)) return undefined;
    // Variants take consecutive ranges in the flag's declaration order, whatever the split's key order.
    const order = Object.keys(variants).filter((v) => v in split);
    const weights = order.map((v) => split[v] ?? 0);
    const choose = splitChooser(mode, salt ?? envSalt, weights);
    const results = order.map((v) => served(v, "SPLIT", ruleFields));
    const by = bucketBy ?? envBucketBy;
    const keyOf = keyReader(by);
    const missing = missingKey(by);
    return (ctx, rt) => {
      const k = keyOf(ctx, rt.random);
      if (k === undefined) return missing(rt);
      return results[choose(k)] ?? missing(rt);
    };
  };

  // Individual targets.
  let targets: Map<string, EvaluationResult> | undefined;
  for (const [variant, keys] of Object.entries(env.targets ?? {})) {
    const path = `${base}.targets.${variant}`;
    if (!variantRef(path, variant)) continue;
    const r = served(variant, "TARGETING_MATCH");
    targets ??= new Map();
    for (const [i, k] of keys.entries()) {
      const prior = targets.get(k);
      if (prior !== undefined && prior.variant !== variant)
        err(`${path}[${i}]`, `'${k}' is already a target of variant '${prior.variant}'`, {
          expected: "each targeting key under one variant",
        });
      targets.set(k, r);
    }
  }

  // Rules.
  const rules: RuleDecide[] = [];
  for (const [i, rule] of (env.rules ?? []).entries()) {
    const compiled = compileRule(rule, `${base}.rules[${i}]`, i);
    if (compiled !== undefined) rules.push(compiled);
  }
  function compileRule(rule: RuleDefinition, path: string, index: number): RuleDecide | undefined {
    const program = rule.if !== undefined ? scope.compile(rule.if, `${path}.if`) : undefined;
    const segmentNames =
      rule.segment === undefined ? [] : typeof rule.segment === "string" ? [rule.segment] : rule.segment;
    const segments: SegmentTest[] = [];
    for (const [j, name] of segmentNames.entries()) {
      const s = scope.segments.get(name);
      if (s !== undefined) segments.push(s);
      else {
        const guess = nearest(name, scope.segments.keys());
        err(
          typeof rule.segment === "string" ? `${path}.segment` : `${path}.segment[${j}]`,
          `unknown segment '${name}'`,
          {
            expected: "the name of a segment under `segments`",
            ...(guess !== undefined && { suggestion: `did you mean '${guess}'?` }),
          },
        );
      }
    }
    let gate: ((ctx: Ctx, rt: Runtime) => boolean) | undefined;
    if (rule.rollout !== undefined) {
      const g = rule.rollout;
      if (mode !== "unleash" && !isHundredth(g.percentage))
        err(`${path}.rollout.percentage`, `${g.percentage} is finer than 0.01%`, {
          expected: "a percentage in steps of 0.01",
        });
      const admit = gateChooser(mode, g.salt ?? envSalt, g.percentage);
      const keyOf = keyReader(g.bucketBy ?? envBucketBy);
      gate = (ctx, rt) => {
        const k = keyOf(ctx, rt.random);
        return k !== undefined && admit(k);
      };
    }
    const serve = compileServe(path, rule.variant, rule.split, rule.bucketBy, rule.salt, {
      index,
      name: rule.name,
    });
    if (serve === undefined || (rule.if !== undefined && program === undefined)) return undefined;
    return ruleDecide(program, segments, gate, serve);
  }

  // Default.
  const d: ServeDefinition | undefined = env.default;
  let dflt: Serve | undefined;
  if (d === undefined) {
    const r = offName === undefined ? undefined : served(offName, "DEFAULT");
    dflt = r === undefined ? undefined : () => r;
  } else if (typeof d === "string")
    dflt = compileServe(`${base}.default`, d, undefined, undefined, undefined, undefined, true);
  else if ("variant" in d)
    dflt = compileServe(`${base}.default`, d.variant, undefined, undefined, undefined, undefined);
  else dflt = compileServe(`${base}.default`, undefined, d.split, d.bucketBy, d.salt, undefined);

  if (issues.length > before || dflt === undefined || offName === undefined) return undefined;
  const offResult = served(offName, "DISABLED");
  if (!env.on) return () => offResult;
  const prereqs = (def.prerequisites ?? []).map((p) => ({
    flag: p.flag,
    variants: new Set(p.variant !== undefined ? [p.variant] : (p.variants ?? [])),
    failed: served(offName, "PREREQUISITE_FAILED", {
      flagMetadata: Object.freeze({ ...metadata, prerequisite: p.flag }),
    }),
  }));
  return assemble(prereqs, targets, rules, dflt);
}

function isHundredth(x: number): boolean {
  return Math.abs(x * 100 - Math.round(x * 100)) < 1e-6;
}

function checkSplit(
  path: string,
  split: SplitDefinition,
  mode: HashingMode,
  variantRef: (path: string, name: string) => boolean,
  err: (path: string, message: string, extra?: Partial<Issue>) => void,
): boolean {
  let ok = true;
  const entries = Object.entries(split);
  if (entries.length === 0) {
    err(path, "a split needs at least one variant", { expected: "{ NAME: PERCENT, … }" });
    return false;
  }
  for (const [name, w] of entries) {
    if (!variantRef(`${path}.${name}`, name)) ok = false;
    if (mode === "ramp" && !isHundredth(w)) {
      err(`${path}.${name}`, `${w}% is finer than 0.01%`, { expected: "a percentage in steps of 0.01" });
      ok = false;
    }
    if (mode !== "ramp" && !Number.isInteger(w)) {
      err(`${path}.${name}`, `${w} is not an integer weight`, {
        expected: `an integer weight (hashing: ${mode})`,
      });
      ok = false;
    }
  }
  const total = entries.reduce((s, [, w]) => s + w, 0);
  if (mode === "ramp" && Math.round(total * 100) !== 10_000) {
    const suggestion = entries.length === 2 ? splitSuggestion(entries) : undefined;
    err(path, `percentages add up to ${Math.round(total * 100) / 100}, not 100`, {
      expected: "percentages summing to 100",
      ...(suggestion !== undefined && { suggestion }),
    });
    ok = false;
  }
  if (mode !== "ramp" && total <= 0) {
    err(path, "weights add up to 0", { expected: "at least one positive weight" });
    ok = false;
  }
  return ok;
}

function splitSuggestion(entries: readonly [string, number][]): string | undefined {
  const [a, b] = entries;
  if (a === undefined || b === undefined) return undefined;
  return `did you mean { ${a[0]}: ${a[1]}, ${b[0]}: ${Math.round((100 - a[1]) * 100) / 100} }?`;
}
