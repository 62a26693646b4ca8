/**
 * `ramp demo [--once] [--fast]` — the first run of DESIGN.md §7: Ramp's server on SQLite, the demo
 * service run by the process platform behind the built-in proxy, demo users, a good version promoted
 * step by step and a bad one aborted by analysis. Live in a terminal; with --once, plain lines and
 * an exit status (0: v2 promoted and v3 aborted).
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { err, fail, out } from "../output.js";
import { ApiClient } from "../remote/client.js";
import { LiveDisplay, LogDisplay, type StoryDisplay } from "./display.js";
import { demoDocuments, proxyPortProblem } from "./documents.js";
import { runStory, type StoryResult } from "./story.js";

export interface DemoOptions {
  /** Headless: plain progress lines, then exit 0 if the story ended as it should, else 1. */
  readonly once: boolean;
  /** Shorter steps (about half the time). */
  readonly fast: boolean;
  /** The server's port (0: any free port). */
  readonly port: number;
  /** The proxy's port instead of the rollout file's (0: any free port). */
  readonly proxyPort?: number | undefined;
  /** The SQLite database, the admin token, the logs. */
  readonly data: string;
  /** The story's time limit. */
  readonly timeoutSeconds: number;
}

export async function demoCommand(o: DemoOptions): Promise<void> {
  const documents = demoDocuments({ fast: o.fast, proxyPort: o.proxyPort });
  const busy = await proxyPortProblem(documents);
  if (busy !== undefined) {
    err(`ramp demo: ${busy}`);
    return fail(1);
  }
  // Loaded here, like `ramp server`: the other commands do not pay for Fastify and the drivers.
  const { startServer } = await import("@ramp/server");
  mkdirSync(o.data, { recursive: true });
  const adminToken = demoAdminToken(o.data);
  const logFile = join(o.data, "demo.log");
  const log = createWriteStream(logFile, { flags: "a" });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      port: o.port,
      data: o.data,
      adminToken,
      log: (m) => log.write(`${new Date().toISOString()} ${m}\n`),
    });
  } catch (e) {
    err(`ramp demo: cannot start the server: ${e instanceof Error ? e.message : String(e)}`);
    log.end();
    return fail(1);
  }

  const stop = new AbortController();
  let ended: "interrupted" | "timeout" | undefined;
  const interrupt = () => {
    ended ??= "interrupted";
    stop.abort();
  };
  const onPipe = (e: NodeJS.ErrnoException) => e.code === "EPIPE" && interrupt();
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  // Nobody reads any more (`| head`): stop, and clean up as on Ctrl-C.
  process.stdout.on("error", onPipe);
  const timer = setTimeout(() => {
    ended ??= "timeout";
    stop.abort();
  }, o.timeoutSeconds * 1000);

  const intro = [
    "Ramp demo: progressive delivery of examples/demo-service",
    `  server  ${server.url} (SQLite in ${o.data}; its log in ${logFile})`,
  ];
  const live = !o.once && process.stdout.isTTY === true;
  const display: StoryDisplay = live ? new LiveDisplay(process.stdout, intro) : new LogDisplay(out);
  if (!live) out(intro.join("\n"));
  let result: StoryResult | undefined;
  try {
    result = await runStory({
      client: new ApiClient({ server: server.url, token: adminToken }),
      documents,
      display,
      signal: stop.signal,
      fast: o.fast,
    });
  } catch (e) {
    if (ended === undefined) err(`ramp demo: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    display.close();
    clearTimeout(timer);
  }

  if (ended === "timeout") err(`ramp demo: the story did not end within ${o.timeoutSeconds} s`);
  if (result !== undefined) out(["", "Result:", ...result.summary.map((l) => `  ${l}`)].join("\n"));
  const ok = result?.promoted === true && result.aborted;
  if (!o.once && ended === undefined) {
    out(
      [
        "",
        `The server keeps running at ${server.url}. In another terminal:`,
        `  export RAMP_SERVER=${server.url} RAMP_TOKEN=$(cat ${join(o.data, "admin-token")})`,
        "  npx ramp rollout get demo --watch      # or: rollout list, rollout set-version demo v2, …",
        "Ctrl-C stops it.",
      ].join("\n"),
    );
    await new Promise<void>((resolve) =>
      stop.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
  }
  // A second Ctrl-C while the demo cleans up means "now".
  const force = (): void => {
    err("ramp demo: stopping now");
    process.exit(130);
  };
  process.removeListener("SIGINT", interrupt);
  process.removeListener("SIGTERM", interrupt);
  process.once("SIGINT", force);
  process.once("SIGTERM", force);
  await server.close();
  await new Promise<void>((resolve) => log.end(resolve));
  process.removeListener("SIGINT", force);
  process.removeListener("SIGTERM", force);
  process.stdout.removeListener("error", onPipe);
  if (result === undefined && ended === "interrupted") fail(130);
  else if (!ok) fail(1);
}

/**
 * The admin token the demo (and `npm start`) uses, kept in `<data>/admin-token` (mode 0600) so every
 * run of the local demo uses the same one: RAMP_ADMIN_TOKEN, else the file's, else a new one.
 */
export function demoAdminToken(data: string, env: NodeJS.ProcessEnv = process.env): string {
  const file = join(data, "admin-token");
  const token =
    env.RAMP_ADMIN_TOKEN ??
    (existsSync(file)
      ? readFileSync(file, "utf8").trim()
      : `ramp_admin_${randomBytes(30).toString("base64url")}`);
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}
