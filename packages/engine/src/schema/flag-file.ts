/**
 * The flags-as-code format: one definition from which the TypeScript types, the published JSON
 * Schema (schema/flags.schema.json) and the structural validator all come.
 */
import { type Static, t } from "./dsl.js";

const NAME = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$";
const NAME_HINT = "letters, digits, '_', '.', ':' or '-', starting with a letter or digit, at most 128";

export const flagKey = t.string({ pattern: NAME, patternHint: NAME_HINT, description: "A flag key." });
const variantName = t.string({ pattern: NAME, patternHint: NAME_HINT, description: "A variant name." });

export const attributeList = t.union(
  [t.string({ minLength: 1 }), t.array(t.string({ minLength: 1 }), { minItems: 1 })],
  "an attribute name or a list of them",
  {
    description:
      "Context attribute whose value is hashed for bucketing (default targetingKey). With a list, the first attribute present is used; '$random' draws a random bucket (not sticky).",
  },
);

export const hashingMode = t.enum(["ramp", "unleash", "flagd"], {
  description:
    "Bucket hash. ramp: murmur3_32(salt + ':' + value) mod 10000. unleash and flagd reproduce those products' buckets so imported flags keep their users.",
});

export const split = t.record(t.number({ minimum: 0 }), {
  keyPattern: NAME,
  keyHint: "a variant name",
  description:
    "Percentage per variant (0.01 steps), summing to 100; with hashing unleash or flagd, that product's integer weights. Order follows the flag's variants.",
  examples: [{ on: 25, off: 75 }],
});

const bucketing = {
  bucketBy: attributeList,
  salt: t.string({ description: "Hash salt (default: the flag key). Flags sharing a salt share buckets." }),
};

export const rolloutGate = t.object(
  {
    percentage: t.number({
      minimum: 0,
      maximum: 100,
      description: "Share of matching contexts that this rule takes.",
    }),
    ...bucketing,
  },
  ["percentage"],
  {
    description:
      "Only this share of the contexts that match the rule take it; the rest fall through to the next rule.",
  },
);

export const rule = t.object(
  {
    name: t.string({ description: "Shown as the matched rule in evaluation results." }),
    description: t.string(),
    if: t.string({
      format: "cel",
      minLength: 1,
      description: 'CEL expression over the context, e.g. plan == "enterprise".',
    }),
    segment: t.union(
      [t.string({ minLength: 1 }), t.array(t.string({ minLength: 1 }), { minItems: 1 })],
      "a segment name or a list of them",
      {
        description: "Segment(s) the context must belong to (all of them).",
      },
    ),
    rollout: rolloutGate,
    variant: variantName,
    split,
    ...bucketing,
  },
  [],
  {
    description:
      "Matches when `if` holds and the context is in every `segment`; serves `variant` or `split`.",
  },
);

export const serve = t.union(
  [
    variantName,
    t.object({ variant: variantName }, ["variant"]),
    t.object({ split, ...bucketing }, ["split"]),
  ],
  "a variant name, { variant: NAME } or { split: { NAME: PERCENT, … } }",
);

export const environment = t.object(
  {
    on: t.boolean({ description: "The kill switch: false serves offVariant to everyone (reason DISABLED)." }),
    targets: t.record(t.array(t.string()), {
      keyPattern: NAME,
      keyHint: "a variant name",
      description: "Individual targets: variant → targeting keys.",
    }),
    rules: t.array(rule, { description: "Ordered; the first match wins." }),
    default: serve,
    ...bucketing,
    hashing: hashingMode,
  },
  ["on"],
);

export const prerequisite = t.object(
  {
    flag: flagKey,
    variant: variantName,
    variants: t.array(variantName, { minItems: 1 }),
  },
  ["flag"],
  { description: "The named flag must evaluate (same environment and context) to one of these variants." },
);

export const flag = t.object(
  {
    description: t.string(),
    owner: t.string(),
    tags: t.array(t.string()),
    expires: t.string({
      format: "date",
      pattern: "^\\d{4}-\\d{2}-\\d{2}$",
      patternHint: "a date YYYY-MM-DD",
      description: "When the flag is expected to be removed; past it the flag counts as stale.",
    }),
    type: t.enum(["boolean", "string", "number", "object"]),
    variants: t.record(t.json(), { keyPattern: NAME, keyHint: "a variant name" }),
    offVariant: variantName,
    prerequisites: t.array(prerequisite),
    environments: t.record(environment, { keyPattern: NAME, keyHint: "an environment name" }),
  },
  ["type", "environments"],
);

export const segment = t.object(
  {
    description: t.string(),
    if: t.string({ format: "cel", minLength: 1 }),
    include: t.array(t.string(), { description: "Keys always in the segment." }),
    exclude: t.array(t.string(), { description: "Keys never in the segment (wins over include and if)." }),
    bucketBy: t.string({
      minLength: 1,
      description: "Attribute matched against include/exclude (default targetingKey).",
    }),
  },
  [],
);

export const flagFile = t.object(
  {
    $schema: t.string(),
    version: t.enum([1]),
    environments: t.array(t.string({ pattern: NAME, patternHint: NAME_HINT }), {
      description: "Environment names in order; the first is the default for `ramp eval`.",
    }),
    segments: t.record(segment, { keyPattern: NAME, keyHint: "a segment name" }),
    flags: t.record(flag, { keyPattern: NAME, keyHint: "a flag key" }),
  },
  ["flags"],
  { description: "A Ramp flag file (flags as code)." },
);

export type FlagFile = Static<typeof flagFile>;
export type FlagDefinition = Static<typeof flag>;
export type EnvironmentDefinition = Static<typeof environment>;
export type RuleDefinition = Static<typeof rule>;
export type SegmentDefinition = Static<typeof segment>;
export type ServeDefinition = Static<typeof serve>;
export type SplitDefinition = Static<typeof split>;
export type PrerequisiteDefinition = Static<typeof prerequisite>;
export type HashingMode = Static<typeof hashingMode>;
export type FlagType = FlagDefinition["type"];
