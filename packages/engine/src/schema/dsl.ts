/**
 * A small schema language that is at once a JSON Schema document, a TypeScript type (via `Static`)
 * and the input of Ramp's structural validator, so the three can never drift apart.
 */

export interface Annotations {
  readonly description?: string;
  readonly examples?: readonly unknown[];
}

export interface StringSchema extends Annotations {
  readonly kind: "string";
  readonly pattern?: string;
  readonly patternHint?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: "date" | "cel";
}
export interface NumberSchema extends Annotations {
  readonly kind: "number";
  readonly minimum?: number;
  readonly maximum?: number;
}
export interface BooleanSchema extends Annotations {
  readonly kind: "boolean";
}
export interface EnumSchema<V extends string | number = string | number> extends Annotations {
  readonly kind: "enum";
  readonly values: readonly V[];
}
export interface JsonSchemaAny extends Annotations {
  readonly kind: "json";
}
export interface ArraySchema<I extends Schema = Schema> extends Annotations {
  readonly kind: "array";
  readonly items: I;
  readonly minItems?: number;
  readonly maxItems?: number;
}
export interface RecordSchema<V extends Schema = Schema> extends Annotations {
  readonly kind: "record";
  readonly values: V;
  readonly keyPattern?: string;
  readonly keyHint?: string;
  readonly maxProperties?: number;
}
export type Props = Readonly<Record<string, Schema>>;
export interface ObjectSchema<P extends Props = Props, R extends keyof P = keyof P> extends Annotations {
  readonly kind: "object";
  readonly props: P;
  readonly required: readonly R[];
}
export interface UnionSchema<O extends readonly Schema[] = readonly Schema[]> extends Annotations {
  readonly kind: "union";
  readonly options: O;
  /** Words for the error message when no option fits, e.g. "a variant name or { split: … }". */
  readonly expected: string;
}

export type Schema =
  | StringSchema
  | NumberSchema
  | BooleanSchema
  | EnumSchema
  | JsonSchemaAny
  | ArraySchema
  | RecordSchema
  | ObjectSchema
  | UnionSchema;

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type a schema describes. */
export type Static<S> = S extends StringSchema
  ? string
  : S extends NumberSchema
    ? number
    : S extends BooleanSchema
      ? boolean
      : S extends EnumSchema<infer V>
        ? V
        : S extends JsonSchemaAny
          ? JsonValue
          : S extends ArraySchema<infer I>
            ? Static<I>[]
            : S extends RecordSchema<infer V>
              ? Record<string, Static<V>>
              : S extends ObjectSchema<infer P, infer R>
                ? Simplify<
                    { [K in R & keyof P]: Static<P[K]> } & { [K in Exclude<keyof P, R>]?: Static<P[K]> }
                  >
                : S extends UnionSchema<infer O>
                  ? Static<O[number]>
                  : never;

export const t = {
  string: (o: Omit<StringSchema, "kind"> = {}): StringSchema => ({ kind: "string", ...o }),
  number: (o: Omit<NumberSchema, "kind"> = {}): NumberSchema => ({ kind: "number", ...o }),
  boolean: (o: Omit<BooleanSchema, "kind"> = {}): BooleanSchema => ({ kind: "boolean", ...o }),
  enum: <const V extends string | number>(values: readonly V[], o: Annotations = {}): EnumSchema<V> => ({
    kind: "enum",
    values,
    ...o,
  }),
  json: (o: Annotations = {}): JsonSchemaAny => ({ kind: "json", ...o }),
  array: <I extends Schema>(items: I, o: Omit<ArraySchema, "kind" | "items"> = {}): ArraySchema<I> => ({
    kind: "array",
    items,
    ...o,
  }),
  record: <V extends Schema>(values: V, o: Omit<RecordSchema, "kind" | "values"> = {}): RecordSchema<V> => ({
    kind: "record",
    values,
    ...o,
  }),
  object: <P extends Props, const R extends keyof P = never>(
    props: P,
    required: readonly R[] = [],
    o: Annotations = {},
  ): ObjectSchema<P, R> => ({ kind: "object", props, required, ...o }),
  union: <const O extends readonly Schema[]>(
    options: O,
    expected: string,
    o: Annotations = {},
  ): UnionSchema<O> => ({
    kind: "union",
    options,
    expected,
    ...o,
  }),
};

type JsonSchemaDoc = { [k: string]: unknown };

/** Renders a schema as JSON Schema (draft 2020-12). */
export function toJsonSchema(s: Schema): JsonSchemaDoc {
  const ann: JsonSchemaDoc = {};
  if (s.description !== undefined) ann.description = s.description;
  if (s.examples !== undefined) ann.examples = s.examples;
  switch (s.kind) {
    case "string":
      return {
        type: "string",
        ...(s.pattern !== undefined && { pattern: s.pattern }),
        ...(s.minLength !== undefined && { minLength: s.minLength }),
        ...(s.maxLength !== undefined && { maxLength: s.maxLength }),
        ...(s.format === "date" && { format: "date" }),
        ...ann,
      };
    case "number":
      return {
        type: "number",
        ...(s.minimum !== undefined && { minimum: s.minimum }),
        ...(s.maximum !== undefined && { maximum: s.maximum }),
        ...ann,
      };
    case "boolean":
      return { type: "boolean", ...ann };
    case "enum":
      return { enum: [...s.values], ...ann };
    case "json":
      return { ...ann };
    case "array":
      return {
        type: "array",
        items: toJsonSchema(s.items),
        ...(s.minItems !== undefined && { minItems: s.minItems }),
        ...(s.maxItems !== undefined && { maxItems: s.maxItems }),
        ...ann,
      };
    case "record":
      return {
        type: "object",
        ...(s.keyPattern !== undefined && { propertyNames: { pattern: s.keyPattern } }),
        additionalProperties: toJsonSchema(s.values),
        ...ann,
      };
    case "object": {
      const properties: JsonSchemaDoc = {};
      for (const [k, v] of Object.entries(s.props)) properties[k] = toJsonSchema(v);
      return {
        type: "object",
        properties,
        ...(s.required.length > 0 && { required: [...s.required].map(String) }),
        additionalProperties: false,
        ...ann,
      };
    }
    case "union":
      return { anyOf: s.options.map(toJsonSchema), ...ann };
  }
}
