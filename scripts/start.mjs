// `npm start`: Ramp's server on SQLite (./.ramp), the example flags applied and a few live evaluations
// printed, then the demo's rollout story (the same as `ramp demo`): examples/demo-service behind the
// built-in proxy with demo users, v2 promoted step by step, v3 aborted by analysis. The server keeps
// serving until Ctrl-C. The admin token is kept in .ramp/admin-token (mode 0600), so every start of
// this local demo uses the same one. RAMP_DEMO=fast tells a shorter story, RAMP_DEMO=off none;
// RAMP_PROXY_PORT moves the demo's proxy (0: any free port). The dashboard's address (signed in with the
// admin token) is printed and, on a desktop, opened in the browser (RAMP_OPEN=0: never; never in CI).
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  demoAdminToken,
  demoDocuments,
  LiveDisplay,
  LogDisplay,
  proxyPortProblem,
  runStory,
} from "../packages/cli/dist/demo/index.js";
import { ApiClient } from "../packages/cli/dist/remote/client.js";
import { startServer } from "../packages/server/dist/index.js";

const root = new URL("..", import.meta.url).pathname;
const data = process.env.RAMP_DATA ?? join(root, ".ramp");
const port = Number(process.env.PORT ?? 4320);
const demo = process.env.RAMP_DEMO ?? "on";
if (!["on", "fast", "off"].includes(demo))
  throw new Error(`RAMP_DEMO must be on, fast or off; got '${demo}'`);
const proxyPort = process.env.RAMP_PROXY_PORT === undefined ? undefined : Number(process.env.RAMP_PROXY_PORT);
mkdirSync(data, { recursive: true });
const tokenFile = join(data, "admin-token");
const adminToken = demoAdminToken(data);
const logFile = join(data, "server.log");
const log = createWriteStream(logFile, { flags: "a" });

// The demo's documents, and whether its proxy can listen, before the server (which may start it) runs.
const documents = demo === "off" ? [] : demoDocuments({ fast: demo === "fast", proxyPort });
const busy = demo === "off" ? undefined : await proxyPortProblem(documents);

const server = await startServer({
  port,
  data,
  adminToken,
  log: (m) => log.write(`${new Date().toISOString()} ${m}\n`),
});
// Ctrl-C ends the story (its traffic stops), then the server: its processes and proxy go with it. A
// second one means now. (Listeners stay registered: the process platform re-raises a signal nobody
// else handles.)
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => (stop.signal.aborted ? process.exit(130) : stop.abort()));
const write = (text) => process.stdout.write(`${text}\n`);
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

// The fragment never reaches the server or its logs; the dashboard moves it to sessionStorage at once.
const dashboard = `${server.url}/#token=${adminToken}`;
const opened = openInBrowser(dashboard);

const flags = [
  `Ramp is running: ${server.url}`,
  `  dashboard  ${dashboard}${opened ? " (opened in your browser)" : ""}`,
  `  database   ${join(data, "ramp.db")} (SQLite); server log ${logFile}`,
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
  flags.push(`  ${label.padEnd(34)} ${String(r.value).padEnd(6)} ${r.reason}`);
}
const others = await Promise.all(
  Array.from({ length: 1000 }, (_, i) =>
    evaluate("production", { targetingKey: `user-${i}`, plan: "free", country: "DE" }),
  ),
);
const on = others.filter((r) => r.value === true).length;
flags.push(
  `  ${"1,000 other users (25% rollout)".padEnd(34)} ${`${on} on`.padEnd(6)} SPLIT — the same users on every start`,
);

// The rollout story: live under the flags on a terminal, plain timestamped lines anywhere else.
const live = process.stdout.isTTY === true;
if (!live || demo === "off" || busy !== undefined) write(flags.join("\n"));
if (busy !== undefined) write(`\nNo rollout story: ${busy}; RAMP_PROXY_PORT moves it.`);
else if (demo !== "off") {
  if (!live) write("\nThe rollout story (examples/demo):");
  const display = live ? new LiveDisplay(process.stdout, flags) : new LogDisplay(write);
  try {
    const result = await runStory({
      client: new ApiClient({ server: server.url, token: adminToken }),
      documents,
      display,
      signal: AbortSignal.any([stop.signal, AbortSignal.timeout(300_000)]),
      fast: demo === "fast",
    });
    display.close();
    write(["", "Result:", ...result.summary.map((l) => `  ${l}`)].join("\n"));
  } catch (e) {
    display.close();
    if (!stop.signal.aborted)
      write(`\nThe rollout story stopped: ${e instanceof Error ? e.message : String(e)}`);
  }
}

if (!stop.signal.aborted) {
  write(
    [
      "",
      "Try it:",
      `  open the dashboard: ${dashboard}`,
      `  export RAMP_SERVER=${server.url} RAMP_TOKEN=$(cat ${tokenFile})`,
      "  npx ramp flags off new_checkout --env production",
      `  curl -s -X POST -H "Authorization: Bearer $RAMP_TOKEN" -H 'content-type: application/json' \\`,
      `    -d '{"context":{"targetingKey":"beta-1"}}' '${server.url}/ofrep/v1/evaluate/flags/new_checkout?env=production'`,
      "  npx ramp rollout get demo --watch          # then: npx ramp rollout set-version demo v2",
      "",
      "Ctrl-C stops the server.",
    ].join("\n"),
  );
  await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
}
await server.close();
log.end();
write("stopped");

/** Opens `url` with xdg-open on a desktop session; quietly does nothing without one, in CI, or with RAMP_OPEN=0. */
function openInBrowser(url) {
  const desktop = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
  if (!desktop || process.env.CI || process.env.RAMP_OPEN === "0" || process.platform !== "linux")
    return false;
  try {
    const child = spawn("xdg-open", [url], { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
