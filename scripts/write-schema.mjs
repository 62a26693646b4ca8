// Writes packages/engine/schema/flags.schema.json from the engine's format definition
// (run `npm run schema` after changing packages/engine/src/schema/flag-file.ts; a test checks it is current).
import { mkdirSync, writeFileSync } from "node:fs";
import { flagFile, toJsonSchema } from "../packages/engine/dist/index.js";

const out = new URL("../packages/engine/schema/flags.schema.json", import.meta.url);
mkdirSync(new URL(".", out), { recursive: true });
const schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://ramp.dev/schema/flags.schema.json",
  title: "Ramp flag file",
  ...toJsonSchema(flagFile),
};
writeFileSync(out, `${JSON.stringify(schema, null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
