import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toJsonSchema } from "./dsl.js";
import { flagFile } from "./flag-file.js";

const committed = JSON.parse(
  readFileSync(new URL("../../schema/flags.schema.json", import.meta.url), "utf8"),
) as Record<string, unknown>;
const examples = parse(
  readFileSync(new URL("../../../../examples/flags.yaml", import.meta.url), "utf8"),
) as unknown;

describe("the published JSON Schema", () => {
  it("is generated from the same definition as the types (run `npm run schema` if this fails)", () => {
    const { $schema: _a, $id: _b, title: _c, ...rest } = committed;
    expect(rest).toEqual(toJsonSchema(flagFile));
  });

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(committed);

  it("accepts examples/flags.yaml", () => {
    expect(validate(examples), JSON.stringify(validate.errors)).toBe(true);
  });

  it("rejects unknown fields and wrong types, as the engine's validator does", () => {
    expect(
      validate({ flags: { f: { type: "boolean", environments: { p: { on: true, rulez: [] } } } } }),
    ).toBe(false);
    expect(validate({ flags: { f: { type: "bool", environments: {} } } })).toBe(false);
    expect(validate({ flags: { f: { type: "boolean", environments: { p: { on: "yes" } } } } })).toBe(false);
  });
});
