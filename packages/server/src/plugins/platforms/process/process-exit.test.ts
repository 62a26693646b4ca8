/**
 * No orphans when the server process ends: a child Node process (the "server") runs the process
 * platform, deploys the demo service, and then exits, throws, or is sent SIGTERM; its replicas must die
 * with it. The platform's sources are transpiled for that child, as Node 20 cannot run TypeScript.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SERVICE, isRunning, until } from "./process-test-kit.shared-test.js";

const platforms = fileURLToPath(new URL("..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "ramp-process-exit-"));

function transpile(): void {
  const sources = readdirSync(platforms, { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith(".shared-test.ts"),
  );
  for (const file of sources) {
    const { outputText } = ts.transpileModule(readFileSync(join(platforms, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const target = join(out, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(out, "package.json"), '{ "type": "module" }');
  writeFileSync(
    join(out, "server.js"),
    `import { ProcessPlatform } from "./${relative(platforms, join(platforms, "process", "process-platform.js"))}";
const platform = new ProcessPlatform();
// A graceful shutdown registered before any replica runs, as a server registers it at start.
if (process.argv[2] === "graceful")
  process.once("SIGTERM", () => void platform.close().then(() => process.exit(0)));
await platform.deploy({ service: "shop", version: "v1", replicas: 2,
  command: [process.execPath, ${JSON.stringify(DEMO_SERVICE)}], readiness: { intervalMs: 50 } });
const { replicas } = await platform.status("shop", "v1");
console.log(JSON.stringify(replicas.map((r) => r.pid)));
const how = process.argv[2];
if (how === "exit") process.exit(0);
if (how === "throw") throw new Error("the server crashed");
setInterval(() => {}, 1000); // "signal": wait to be killed
`,
  );
}

beforeAll(transpile);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs the server; resolves with the replicas' pids once it has deployed them. */
async function startServer(
  how: string,
): Promise<{ server: ChildProcess; pids: number[]; exited: Promise<unknown> }> {
  const server = spawn(process.execPath, [join(out, "server.js"), how], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => server.once("exit", (code, signal) => resolve({ code, signal })));
  let stdout = "";
  let stderr = "";
  server.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  server.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const line = await until(`the server's replica pids (stderr: ${stderr})`, () =>
    stdout.includes("\n") ? stdout.slice(0, stdout.indexOf("\n")) : undefined,
  );
  return { server, pids: JSON.parse(line) as number[], exited };
}

/** SIGKILL is sent before the server exits, but a busy kernel may take a moment to carry it out. */
async function gone(pids: readonly number[]): Promise<void> {
  await until(`replicas ${pids.join(", ")} gone`, () => (pids.some(isRunning) ? undefined : true), 5000);
}

describe("process platform: no replica outlives the server", () => {
  it.each([
    ["calls process.exit()", "exit", { code: 0, signal: null }],
    ["dies of an uncaught exception", "throw", { code: 1, signal: null }],
  ])("when the server %s", async (_, how, exit) => {
    const { pids, exited } = await startServer(how);
    expect(pids).toHaveLength(2);
    expect(await exited).toEqual(exit);
    await gone(pids);
  });

  it("when the server is sent SIGTERM and has no handler of its own, it still dies of the signal", async () => {
    const { server, pids, exited } = await startServer("signal");
    for (const pid of pids) expect(isRunning(pid)).toBe(true);
    server.kill("SIGTERM");
    expect(await exited).toEqual({ code: null, signal: "SIGTERM" });
    await gone(pids);
  });

  it("when the server handles SIGTERM with a once() listener, its graceful stop runs, not the backstop", async () => {
    const { server, pids, exited } = await startServer("graceful");
    server.kill("SIGTERM");
    // The backstop would SIGKILL the replicas and re-raise SIGTERM: the server would die of the signal.
    expect(await exited).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });
});
