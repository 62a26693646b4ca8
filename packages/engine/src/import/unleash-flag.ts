/**
 * One Unleash feature as a Ramp flag: its strategies as ordered rules with gates, its variants as
 * splits under `hashing: unleash`, and the variant values getVariant() reads back (see unleash.ts).
 */
import { compileExpression } from "../expr/index.js";
import type { JsonValue } from "../schema/dsl.js";
import type { EnvironmentDefinition, RuleDefinition } from "../schema/flag-file.js";
import type { Issue } from "../types.js";
import { and, type Cel, type Test } from "./unleash-cel.js";
import {
  constraintsTest,
  hostnameTest,
  overrideTest,
  remoteAddressTest,
  userWithIdTest,
} from "./unleash-constraints.js";
import type { UnleashFeature, UnleashStrategy, UnleashVariant } from "./unleash-payload.js";

export type Warn = (path: string, message: string, severity?: Issue["severity"]) => void;

export interface BuiltFlag {
  readonly type: "boolean" | "object";
  readonly variants: Record<string, JsonValue>;
  /** Variant key → the name Unleash's getVariant() reports for it ("disabled" for on and off). */
  readonly unleashNames: ReadonlyMap<string, string>;
  readonly environment: EnvironmentDefinition;
}

/** Unleash's default stickiness for variants: userId, sessionId, remoteAddress, else random. */
const VARIANT_DEFAULT_STICKINESS = ["userId", "sessionId", "remoteAddress", "$random"];
/** flexibleRollout's default stickiness: userId, sessionId, else random. */
const ROLLOUT_DEFAULT_STICKINESS = ["userId", "sessionId", "$random"];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Variants to choose from, as Unleash's selectVariantDefinition sees them. */
interface VariantSource {
  readonly variants: readonly UnleashVariant[];
  readonly salt: string;
  readonly stickiness: string;
  /** Prefix of the variant keys ("" for the feature's own, "strategyN." for a strategy's). */
  readonly keyPrefix: string;
}

/** A strategy's condition and gate, before what it serves. */
interface RuleBase {
  readonly name: string;
  /** Where the strategy (or override) sits in the payload, for issues. */
  readonly path: string;
  /** When the strategy's own conditions hold (constraints, user ids, addresses). */
  readonly when: Cel;
  readonly segments: readonly string[];
  readonly rollout: RuleDefinition["rollout"] | undefined;
}

type Serve =
  | { readonly variant: string }
  | { readonly split: Record<string, number>; readonly bucketBy: string | string[]; readonly salt: string };

/** What a variant source serves: rules for its overrides, then a variant or a split for the rest. */
interface Served {
  readonly overrides: readonly { readonly test: Test; readonly variant: string; readonly name: string }[];
  readonly serve: Serve;
}

/** Builds one feature's flag; `segmentKeys` maps Unleash segment ids to Ramp segment names. */
export function buildFlag(
  f: UnleashFeature,
  segmentKeys: ReadonlyMap<number, string>,
  warn: Warn,
): BuiltFlag {
  return new FlagBuilder(f, segmentKeys, warn).build();
}

class FlagBuilder {
  readonly #variants: Record<string, JsonValue> = {
    off: { name: "disabled", enabled: false, feature_enabled: false },
  };
  readonly #unleashNames = new Map<string, string>([["off", "disabled"]]);
  readonly #taken = new Set<string>(["on", "off"]);
  readonly #keys = new Map<UnleashVariant, string>();
  readonly #rules: RuleDefinition[] = [];
  #usesOn = false;

  constructor(
    private readonly f: UnleashFeature,
    private readonly segmentKeys: ReadonlyMap<number, string>,
    private readonly warn: Warn,
  ) {}

  build(): BuiltFlag {
    const f = this.f;
    const own: VariantSource | undefined =
      totalWeight(f.variants) > 0
        ? {
            variants: f.variants,
            salt: f.name,
            stickiness: f.variants[0]?.stickiness ?? "default",
            keyPrefix: "",
          }
        : undefined;
    let dflt: EnvironmentDefinition["default"] = "off";
    if (f.strategies === undefined) {
      this.warn(
        `${f.path}.strategies`,
        "`strategies` is not an array: Unleash's SDK reports the feature off",
      );
    } else if (f.strategies.length === 0) {
      dflt = this.#noStrategies(own);
    } else {
      for (const [i, s] of f.strategies.entries()) this.#strategy(s, i, own);
    }
    const environment: EnvironmentDefinition = {
      on: f.enabled && f.strategies !== undefined,
      hashing: "unleash",
      ...(this.#rules.length > 0 && { rules: this.#rules }),
      default: dflt,
    };
    if (this.#keys.size === 0) {
      const unleashNames = new Map([
        ["on", "disabled"],
        ["off", "disabled"],
      ]);
      return { type: "boolean", variants: { on: true, off: false }, unleashNames, environment };
    }
    if (this.#usesOn) {
      this.#variants.on = { name: "disabled", enabled: false, feature_enabled: true };
      this.#unleashNames.set("on", "disabled");
    }
    return { type: "object", variants: this.#variants, unleashNames: this.#unleashNames, environment };
  }

  /** No strategies: on for everyone, serving the feature's variants. */
  #noStrategies(own: VariantSource | undefined): EnvironmentDefinition["default"] {
    const { overrides, serve } = this.#served(own);
    for (const o of overrides) {
      const path = `${this.f.path}.variants`;
      const base = { name: `override ${o.name}`, path, when: o.test.holds, segments: [], rollout: undefined };
      this.#push(base, [], { variant: o.variant });
    }
    return "variant" in serve
      ? serve.variant
      : { split: serve.split, bucketBy: serve.bucketBy, salt: serve.salt };
  }

  /** A strategy's rules: one per variant override, then one serving its (or the feature's) variants. */
  #strategy(s: UnleashStrategy, i: number, own: VariantSource | undefined): void {
    const path = `${this.f.path}.strategies[${i}]`;
    const base = this.#base(s, i, path);
    if (base === undefined) return;
    const source = totalWeight(s.variants) > 0 ? strategySource(s, i, path, this.warn) : own;
    const { overrides, serve } = this.#served(source);
    // A random gate draws again at each rule: keeping a strategy's rules mutually exclusive
    // reproduces Unleash's single draw per strategy.
    const exclusive = usesRandom(base.rollout?.bucketBy);
    const earlier: Test[] = [];
    for (const o of overrides) {
      const override = {
        ...base,
        name: `${base.name}: override ${o.name}`,
        when: and(base.when, o.test.holds),
      };
      this.#push(override, exclusive ? earlier : [], { variant: o.variant });
      earlier.push(o.test);
    }
    this.#push(base, exclusive ? earlier : [], serve);
  }

  /** The condition, segments and gate of one strategy; undefined when it can never be enabled. */
  #base(s: UnleashStrategy, i: number, path: string): RuleBase | undefined {
    const p = s.parameters;
    let when = constraintsTest(s.constraints, `${path}.constraints`, this.warn).holds;
    let rollout: RuleDefinition["rollout"] | undefined;
    switch (s.name) {
      case "default":
        break;
      case "userWithId":
        when = and(when, userWithIdTest(p.userIds).holds);
        break;
      case "remoteAddress":
        when = and(when, remoteAddressTest(p.IPs).holds);
        break;
      case "applicationHostname":
        this.warn(
          `${path}.name`,
          "applicationHostname tests the SDK host's name: imported as a test of the attribute `hostname`",
        );
        when = and(when, hostnameTest(p.hostNames).holds);
        break;
      case "gradualRolloutUserId":
        rollout = gate(p.percentage, "userId", p.groupId || "");
        break;
      case "gradualRolloutSessionId":
        rollout = gate(p.percentage, "sessionId", p.groupId || "");
        break;
      case "gradualRolloutRandom":
        rollout = gate(p.percentage, "$random", undefined);
        break;
      case "flexibleRollout":
        if (!p.groupId)
          this.warn(
            `${path}.parameters`,
            "flexibleRollout without a groupId: bucketed with an empty group, as Unleash's Node SDK does",
          );
        rollout = gate(p.rollout, rolloutBucketBy(p.stickiness || "default"), p.groupId || "");
        break;
      default:
        this.warn(
          `${path}.name`,
          `custom strategy '${s.name}' has no Ramp equivalent: it never matches here`,
          "error",
        );
        return undefined;
    }
    const segments: string[] = [];
    for (const id of s.segments) {
      const key = this.segmentKeys.get(id);
      if (key === undefined) {
        this.warn(
          `${path}.segments`,
          `segment ${id} is not in the payload: the strategy never matches, as in Unleash`,
        );
        return undefined;
      }
      segments.push(key);
    }
    if (when.kind === "const" && !when.value) return undefined;
    return { name: `${s.title ?? s.name} (strategy ${i + 1})`, path, when, segments, rollout };
  }

  /** What a variant source serves; without one, `on` (enabled, no variant). */
  #served(source: VariantSource | undefined): Served {
    if (source === undefined) {
      this.#usesOn = true;
      return { overrides: [], serve: { variant: "on" } };
    }
    // Declared in Unleash's order first: a split's ranges follow the flag's variant order.
    for (const v of source.variants)
      if (v.weight > 0 || v.overrides.length > 0) this.#key(v, source.keyPrefix);
    const overrides = source.variants
      .filter((v) => v.overrides.length > 0)
      .map((v) => ({
        test: overrideTest(v.overrides),
        variant: this.#key(v, source.keyPrefix),
        name: v.name,
      }));
    const weighted = source.variants.filter((v) => v.weight > 0);
    const only = weighted.length === 1 ? weighted[0] : undefined;
    if (only !== undefined) return { overrides, serve: { variant: this.#key(only, source.keyPrefix) } };
    const split: Record<string, number> = {};
    for (const v of weighted) split[this.#key(v, source.keyPrefix)] = v.weight;
    return { overrides, serve: { split, bucketBy: variantBucketBy(source.stickiness), salt: source.salt } };
  }

  /** The variant key of an Unleash variant, declaring its value on first use. */
  #key(v: UnleashVariant, prefix: string): string {
    const known = this.#keys.get(v);
    if (known !== undefined) return known;
    const key = uniqueName(`${prefix}${v.name}`, this.#taken, `${prefix}variant`);
    this.#keys.set(v, key);
    const value: Record<string, JsonValue> = { name: v.name, enabled: true, feature_enabled: true };
    if (v.payload !== undefined) value.payload = { type: v.payload.type, value: v.payload.value };
    this.#variants[key] = value;
    this.#unleashNames.set(key, v.name);
    return key;
  }

  /** Appends the rule serving `serve` when `base` holds and every test of `exclude` fails, if it can match. */
  #push(base: RuleBase, exclude: readonly Test[], serve: Serve): void {
    const cond: Cel = and(base.when, ...exclude.map((t) => t.fails));
    if (cond.kind === "const" && !cond.value) return;
    const rule: RuleDefinition = { name: base.name };
    if (cond.kind === "expr") {
      const compiled = compileExpression(cond.src, { selfNames: ["user", "context"] });
      if (!compiled.ok) {
        this.warn(
          base.path,
          `rule '${base.name}' cannot be written in Ramp (${compiled.error.message}): left out`,
          "error",
        );
        return;
      }
      rule.if = cond.src;
    }
    if (base.segments.length > 0)
      rule.segment = base.segments.length === 1 ? (base.segments[0] ?? "") : [...base.segments];
    if (base.rollout !== undefined) rule.rollout = base.rollout;
    if ("variant" in serve) rule.variant = serve.variant;
    else Object.assign(rule, { split: serve.split, bucketBy: serve.bucketBy, salt: serve.salt });
    this.#rules.push(rule);
  }
}

/** A rollout gate as Unleash computes it: murmur3(groupId:id) mod 100 + 1 ≤ percentage, when percentage > 0. */
function gate(
  percentage: string | undefined,
  bucketBy: string | string[],
  salt: string | undefined,
): RuleDefinition["rollout"] | undefined {
  const n = Number(percentage);
  const pct = Number.isNaN(n) ? 0 : Math.min(100, Math.max(0, n));
  // At 100% a gate that can always bucket admits everyone: no gate needed.
  if (pct >= 100 && usesRandom(bucketBy)) return undefined;
  return { percentage: pct, bucketBy, ...(salt !== undefined && { salt }) };
}

function usesRandom(bucketBy: string | readonly string[] | undefined): boolean {
  return bucketBy === "$random" || (Array.isArray(bucketBy) && bucketBy.includes("$random"));
}

/** The attributes flexibleRollout hashes, for a `stickiness` setting. */
function rolloutBucketBy(stickiness: string): string | string[] {
  if (stickiness === "default") return [...ROLLOUT_DEFAULT_STICKINESS];
  return stickiness === "random" ? "$random" : stickiness;
}

/** The attributes Unleash hashes to pick a variant, for a `stickiness` setting. */
function variantBucketBy(stickiness: string): string | string[] {
  if (stickiness === "default") return [...VARIANT_DEFAULT_STICKINESS];
  return stickiness === "" ? "$random" : [stickiness, "$random"];
}

function strategySource(s: UnleashStrategy, i: number, path: string, warn: Warn): VariantSource {
  const groupId = s.parameters.groupId;
  if (groupId === undefined)
    warn(
      `${path}.parameters`,
      "strategy variants without a groupId: Unleash's Node SDK hashes them with the group 'undefined', as imported",
    );
  const stickiness = s.variants[0]?.stickiness || s.parameters.stickiness;
  return {
    variants: s.variants,
    salt: String(groupId),
    stickiness: stickiness === undefined ? "default" : stickiness,
    keyPrefix: `strategy${i + 1}.`,
  };
}

const totalWeight = (vs: readonly UnleashVariant[]): number => vs.reduce((sum, v) => sum + v.weight, 0);

/** A valid, unused Ramp name for `wanted`: disallowed characters become '_'. */
export function uniqueName(wanted: string, taken: Set<string>, fallback: string): string {
  let base = wanted.replace(/[^A-Za-z0-9_.:-]/g, "_");
  if (!/^[A-Za-z0-9]/.test(base)) base = `${fallback}-${base}`;
  base = base.slice(0, 120);
  let name = base;
  for (let n = 2; taken.has(name) || !NAME.test(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}
