// `npm start`: Ramp's server on SQLite (./.ramp), the example flags applied, a few live evaluations
// printed, then it keeps serving until Ctrl-C. The admin token is kept in .ramp/admin-token (mode 0600)
// so every start of this local demo can use it.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer } from "../packages/server/dist/index.js";

const root = new URL("..", import.meta.url).pathname;
const data = process.env.RAMP_DATA ?? join(root, ".ramp");
const port = Number(process.env.PORT ?? 4320);
mkdirSync(data, { recursive: true });
const tokenFile = join(data, "admin-token");
const adminToken =
  process.env.RAMP_ADMIN_TOKEN ??
  (existsSync(tokenFile)
    ? readFileSync(tokenFile, "utf8").trim()
    : `ramp_admin_${randomBytes(30).toString("base64url")}`);
writeFileSync(tokenFile, adminToken, { mode: 0o600 });

const server = await startServer({ port, data, adminToken });
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close().then(() => process.stdout.write("stopped\n"));
  });
}
const auth = { authorization: `Bearer ${adminToken}` };

const applied = await fetch(`${server.url}/api/v1/apply`, {
  method: "POST",
  headers: { ...auth, "content-type": "application/yaml" },
  body: readFileSync(join(root, "examples/flags.yaml"), "utf8"),
});
if (!applied.ok) throw new Error(`applying examples/flags.yaml failed: ${await applied.text()}`);
const { changes } = await applied.json();
const created = changes.filter((c) => c.action !== "unchanged").length;

async function evaluate(env, context) {
  const r = await fetch(`${server.url}/ofrep/v1/evaluate/flags/new_checkout?env=${env}`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ context }),
  });
  return r.json();
}

const lines = [
  `Ramp is running: ${server.url}`,
  `  database   ${join(data, "ramp.db")} (SQLite)`,
  `  admin token (kept in ${tokenFile}): ${adminToken}`,
  `  examples/flags.yaml applied: ${created} change(s)`,
  "",
  "new_checkout, evaluated over OFREP:",
];
for (const [env, label, context] of [
  ["production", "beta-1 (individual target)", { targetingKey: "beta-1" }],
  ["production", "an enterprise customer", { targetingKey: "u-100", plan: "enterprise", country: "DE" }],
  ["production", "a user in Vietnam", { targetingKey: "u-101", plan: "free", country: "VN" }],
  ["staging", "beta-1 in staging (kill switch)", { targetingKey: "beta-1" }],
]) {
  const r = await evaluate(env, context);
  lines.push(`  ${label.padEnd(34)} ${String(r.value).padEnd(6)} ${r.reason}`);
}
const others = await Promise.all(
  Array.from({ length: 1000 }, (_, i) =>
    evaluate("production", { targetingKey: `user-${i}`, plan: "free", country: "DE" }),
  ),
);
const on = others.filter((r) => r.value === true).length;
lines.push(
  `  ${"1,000 other users (25% rollout)".padEnd(34)} ${`${on} on`.padEnd(6)} SPLIT — the same users on every start`,
);
lines.push(
  "",
  "Try it:",
  `  export RAMP_SERVER=${server.url} RAMP_TOKEN=$(cat ${tokenFile})`,
  "  npx ramp flags off new_checkout --env production",
  `  curl -s -X POST -H "Authorization: Bearer $RAMP_TOKEN" -H 'content-type: application/json' \\`,
  `    -d '{"context":{"targetingKey":"beta-1"}}' '${server.url}/ofrep/v1/evaluate/flags/new_checkout?env=production'`,
  "",
  "Ctrl-C stops the server.",
);
process.stdout.write(`${lines.join("\n")}\n`);

