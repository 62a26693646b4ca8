/**
 * flagd's `fractional` as Ramp splits (`hashing: flagd`): the same murmur3 hash of the same string and
 * the same integer weights, so every context keeps its bucket.
 */
import { murmur3 } from "../hash/murmur3.js";
import type { RuleDefinition } from "../schema/flag-file.js";
import { expandEntries } from "./flagd-bucket-entries.js";
import { and, attribute, type Cel, call, lit, rel } from "./flagd-cel.js";
import { isObject, type Json, jsString } from "./flagd-jsonlogic.js";
import { joinPath, type Operand, operand, operatorOf } from "./flagd-operands.js";
import { addRule, serve, type TargetingContext } from "./flagd-rules.js";

interface Bucket {
  readonly name: string | null;
  readonly weight: number;
}

const MAX_TOTAL_WEIGHT = 2147483647;

/**
 * fractional: [bucketing value?, [variant, weight?], …]. Without a string first argument flagd hashes
 * flagKey + targetingKey; with one it hashes that string alone.
 */
export function emitFractional(
  args: Json,
  path: string,
  guards: readonly Cel[],
  ctx: TargetingContext,
): boolean {
  if (!Array.isArray(args) || args.length === 0) {
    ctx.warn(path, "this fractional has no buckets: flagd always answers the default variant here");
    return false;
  }
  const first = args[0] ?? null;
  const byTargetingKey = Array.isArray(first);
  if (!byTargetingKey && typeof first !== "string" && (typeof first !== "object" || first === null)) {
    ctx.warn(
      `${path}[0]`,
      "the bucketing value is neither a string nor a bucket: flagd always answers the default variant here",
    );
    return false;
  }
  const offset = byTargetingKey ? 0 : 1;
  const combinations = expandEntries(args.slice(offset), path, offset, ctx);
  if (combinations === undefined) return false;
  let by: BucketingValue = { kind: "constant", text: typeof first === "string" ? first : undefined };
  if (!byTargetingKey && typeof first !== "string") {
    const found = bucketingValue(first, `${path}[0]`, ctx);
    if (found === undefined) return false;
    by = found;
    if (by.kind === "constant" && by.text === undefined) {
      ctx.warn(
        `${path}[0]`,
        "the bucketing value is never a string: flagd always answers the default variant here",
      );
      return false;
    }
  }
  let complete = combinations.length === 1 && by.kind === "constant" && !byTargetingKey;
  for (const combination of combinations) {
    const buckets = parseBuckets(combination.entries, path, offset, ctx);
    const where = [...guards, combination.when];
    if (buckets === undefined) complete = false;
    else if (byTargetingKey) {
      const tk = attribute(["targetingKey"]);
      splitRule(buckets, [...where, rel(tk, "!=", lit(""))], "targetingKey", undefined, path, ctx);
    } else if (by.kind === "constant")
      complete = serveBucket(by.text ?? "", buckets, where, path, ctx) && complete;
    else bucketsByAttribute(by, buckets, where, path, ctx);
  }
  return complete;
}

/** Splits hashing an attribute; the values that flagd hashes to a constant string get their variant now. */
function bucketsByAttribute(
  by: Extract<BucketingValue, { kind: "attribute" }>,
  buckets: readonly Bucket[],
  guards: readonly Cel[],
  path: string,
  ctx: TargetingContext,
): void {
  const { read, fallback, prefix, cat } = by;
  // `cat` stringifies numbers, booleans and null ("null"); a bare `var` must give a string.
  const missingText = cat ? prefix + catText(fallback) : typeof fallback === "string" ? fallback : undefined;
  if (missingText !== undefined)
    serveBucket(missingText, buckets, [...guards, call("isNil", read)], path, ctx);
  serveBucket(prefix, buckets, [...guards, rel(read, "==", lit(""))], path, ctx);
  const keyed = cat
    ? rel(call("string", read), "!=", lit(""))
    : and(rel(read, "!=", lit("")), rel(call("string", read), "==", read));
  splitRule(buckets, [...guards, keyed], by.name, prefix, path, ctx);
}

/** A `cat` part as flagd-core's compiled `cat` joins it: JavaScript's `'' + part` (null is "null"). */
function catText(v: Json): string {
  return v === null ? "null" : jsString(v);
}

type BucketingValue =
  | { readonly kind: "constant"; readonly text: string | undefined }
  | {
      readonly kind: "attribute";
      readonly name: string;
      readonly read: Cel;
      readonly fallback: Json;
      /** Hashed before the attribute's value (Ramp's salt). */
      readonly prefix: string;
      /** Built with `cat`: always a string, the attribute stringified (null as "null"). */
      readonly cat: boolean;
    };

/** The first argument of fractional: a `var`, or a `cat` of constants ending with one `var`. */
function bucketingValue(node: Json, path: string, ctx: TargetingContext): BucketingValue | undefined {
  const o = operatorOf(node);
  if (o?.op === "var") {
    const x = operand(node, path, ctx.scope);
    if (x === undefined) return undefined;
    if (x.kind === "const")
      return { kind: "constant", text: typeof x.value === "string" ? x.value : undefined };
    if (x.kind === "number") return { kind: "constant", text: undefined };
    return attributeBucketing(x, path, "", false, ctx);
  }
  if (o?.op !== "cat") {
    ctx.scope.unsupported(
      path,
      "fractional's bucketing value must be a 'var' or a 'cat' of constants and one 'var' to import",
    );
    return undefined;
  }
  const parts = Array.isArray(o.args) ? o.args : [o.args];
  let prefix = "";
  let suffix = "";
  let found: BucketingValue | undefined;
  for (const [i, part] of parts.entries()) {
    const x = operand(part, joinPath(`${path}.cat`, i), ctx.scope);
    if (x === undefined) return undefined;
    if (x.kind === "const") {
      if (isObject(x.value) || Array.isArray(x.value)) {
        ctx.scope.unsupported(
          joinPath(`${path}.cat`, i),
          "only strings, numbers and booleans can be concatenated into a bucketing value",
        );
        return undefined;
      }
      const text = catText(x.value);
      if (found === undefined) prefix += text;
      else suffix += text;
    } else if (x.kind === "number") {
      ctx.scope.unsupported(
        joinPath(`${path}.cat`, i),
        "bucketing by $flagd.timestamp (a new bucket every second) is not supported by the importer",
      );
      return undefined;
    } else if (found !== undefined) {
      ctx.scope.unsupported(
        joinPath(`${path}.cat`, i),
        "a bucketing value built from more than one context value is not supported by the importer",
      );
      return undefined;
    } else {
      found = attributeBucketing(x, joinPath(`${path}.cat`, i), prefix, true, ctx);
      if (found === undefined) return undefined;
    }
  }
  if (suffix !== "") {
    ctx.scope.unsupported(
      path,
      `Ramp hashes salt + value: text after the context value ('${suffix}') cannot be reproduced`,
    );
    return undefined;
  }
  return found ?? { kind: "constant", text: prefix };
}

function attributeBucketing(
  x: Extract<Operand, { kind: "attr" }>,
  path: string,
  prefix: string,
  cat: boolean,
  ctx: TargetingContext,
): BucketingValue | undefined {
  const [name] = x.name;
  if (x.name.length !== 1 || name === undefined || name === "$random") {
    ctx.scope.unsupported(
      path,
      `Ramp buckets by a top-level context attribute; '${x.name.join(".")}' is not one`,
    );
    return undefined;
  }
  return { kind: "attribute", name, read: x.read, fallback: x.fallback, prefix, cat };
}

function parseBuckets(
  entries: readonly Json[],
  path: string,
  offset: number,
  ctx: TargetingContext,
): Bucket[] | undefined {
  const buckets: Bucket[] = [];
  for (const [i, entry] of entries.entries()) {
    const at = `${path}[${i + offset}]`;
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) {
      ctx.warn(
        at,
        "a fractional bucket must be [variant] or [variant, weight]: flagd answers the default variant for this whole fractional",
      );
      return undefined;
    }
    const [v, w] = entry;
    if (typeof v === "object" && v !== null) {
      ctx.warn(
        `${at}[0]`,
        "a bucket's variant must be a string, number, boolean or null: flagd answers the default variant for this whole fractional",
      );
      return undefined;
    }
    if (w !== undefined && (typeof w !== "number" || !Number.isInteger(w))) {
      ctx.warn(
        `${at}[1]`,
        "fractional weights must be integers: flagd answers the default variant for this whole fractional",
      );
      return undefined;
    }
    buckets.push({ name: v === null ? null : jsString(v), weight: Math.max(0, w ?? 1) });
  }
  const total = buckets.reduce((s, b) => s + b.weight, 0);
  if (total === 0 || total > MAX_TOTAL_WEIGHT) {
    ctx.warn(
      path,
      `the weights add up to ${total}: flagd answers the default variant for this whole fractional`,
    );
    return undefined;
  }
  return buckets;
}

/** flagd's bucket for a hashed value: floor(hash × total / 2³²) against the cumulative weights. */
function bucketFor(value: string, buckets: readonly Bucket[]): Bucket | undefined {
  const total = buckets.reduce((s, b) => s + b.weight, 0);
  const point = Number((BigInt(murmur3(value)) * BigInt(total)) >> 32n);
  let end = 0;
  for (const b of buckets) {
    end += b.weight;
    if (point < end) return b;
  }
  return undefined;
}

/** A bucketing value known now: its bucket's variant, as a plain rule (flagd: TARGETING_MATCH too). */
function serveBucket(
  value: string,
  buckets: readonly Bucket[],
  guards: readonly Cel[],
  path: string,
  ctx: TargetingContext,
): boolean {
  const b = bucketFor(value, buckets);
  return b !== undefined && serve(b.name ?? undefined, path, guards, ctx);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A split rule (flagd hashing: `salt + value`), or a plain rule when one variant takes every bucket. */
function splitRule(
  buckets: readonly Bucket[],
  guards: readonly Cel[],
  bucketBy: string,
  salt: string | undefined,
  path: string,
  ctx: TargetingContext,
): boolean {
  const entries: { name: string; weight: number }[] = [];
  for (const b of buckets) {
    if (b.weight === 0) continue;
    let name = b.name;
    if (name === null) {
      if (ctx.defaultVariant === undefined) {
        ctx.scope.unsupported(
          path,
          "a null bucket serves the caller's default (the flag has no defaultVariant), which a Ramp split cannot",
        );
        return false;
      }
      ctx.warn(
        path,
        `the null bucket is served as '${ctx.defaultVariant}' (flagd's defaultVariant) with reason SPLIT where flagd says DEFAULT`,
      );
      name = ctx.defaultVariant;
    }
    const ramp = ctx.variants.get(name);
    if (ramp === undefined) {
      ctx.scope.unsupported(
        path,
        `bucket '${name}' is not a variant of the flag; flagd answers ERROR (GENERAL) for its share`,
      );
      return false;
    }
    const previous = entries[entries.length - 1];
    if (previous?.name === ramp) previous.weight += b.weight;
    else if (entries.some((e) => e.name === ramp)) {
      ctx.scope.unsupported(
        path,
        `variant '${name}' takes two separate ranges of this fractional; a Ramp split gives each variant one range`,
      );
      return false;
    } else entries.push({ name: ramp, weight: b.weight });
  }
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) {
    addRule(guards, { variant: only.name }, path, ctx);
    return true;
  }
  // Buckets depend only on the weights' ratios, so dividing by their gcd changes no user's variant.
  const g = entries.reduce((d, e) => gcd(d, e.weight), 0);
  const split: Record<string, number> = {};
  for (const e of entries) split[e.name] = e.weight / g;
  ctx.splitOrders.push({ path, order: entries.map((e) => e.name) });
  const where: Omit<RuleDefinition, "if"> = {
    split,
    ...(bucketBy !== "targetingKey" && { bucketBy }),
    ...(salt !== undefined && { salt }),
  };
  addRule(guards, where, path, ctx);
  return true;
}
