// `npm run api-types -w @ramp/ui`: regenerates packages/ui/src/api/openapi.ts from the built server's
// /openapi.json (the npm script builds the server first). packages/ui/test/api-types.test.ts fails when it is stale.
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generateApiTypes, OUTPUT } from "./api-types-lib.mjs";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const serverEntry = new URL("../../server/dist/index.js", import.meta.url);
if (!existsSync(serverEntry)) {
  console.error("packages/server/dist is not built: run `npx tsc -b packages/server` first");
  process.exitCode = 1;
} else {
  const { startServer } = await import(serverEntry.href);
  writeFileSync(`${root}${OUTPUT}`, await generateApiTypes(startServer));
  console.log(`wrote ${OUTPUT}`);
}
