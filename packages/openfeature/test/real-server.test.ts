/**
 * End to end against the real Ramp server (packages/server): the server is killed while the application
 * evaluates, flags change while it is away, and it comes back. Run in-process (startServer / close) and,
 * when the CLI is built, as a child process killed with SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ErrorCode, type Logger, OpenFeature, ProviderEvents, ProviderStatus } from "@openfeature/server-sdk";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startServer } from "../../server/src/server.js";
import { RampProvider } from "../src/index.js";
import { EventLog, waitFor } from "./wait.js";

const ADMIN_TOKEN = "ramp_admin_e2e_0123456789abcdef";
const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));

interface RunningRamp {
  readonly url: string;
  readonly port: number;
  /** Ends the server the launcher's way: close() in-process, SIGKILL for a child. */
  kill(): Promise<void>;
}

type Launch = (database: string, port: number) => Promise<RunningRamp>;

const inProcess: Launch = async (database, port) => {
  const server = await startServer({ port, host: "127.0.0.1", database, adminToken: ADMIN_TOKEN });
  return { url: server.url, port: server.port, kill: () => server.close() };
};

const childProcess: Launch = async (database, port) => {
  const child = spawn(
    process.execPath,
    [CLI, "server", "--port", String(port), "--host", "127.0.0.1", "--database", database],
    {
      env: { ...process.env, RAMP_ADMIN_TOKEN: ADMIN_TOKEN },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`ramp server exited (${code}) before listening:\n${output}`)),
    );
  });
  return {
    url,
    port: Number(new URL(url).port),
    kill: () => killHard(child),
  };
};

function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function admin(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

const banner = (variant: "hello" | "welcome") => ({
  key: "banner_text",
  type: "string",
  variants: { hello: "Hello", welcome: "Welcome" },
  offVariant: "hello",
  environments: { production: { on: true, default: variant }, development: { on: true, default: "hello" } },
});

const checkout = (on: boolean) => ({
  key: "new_checkout",
  type: "boolean",
  variants: { on: true, off: false },
  offVariant: "off",
  environments: { production: { on, targets: { on: ["beta-1"] }, default: "on" } },
});

class QuietLogger implements Logger {
  readonly lines: string[] = [];
  error = (...args: unknown[]) => this.lines.push(`error ${args.join(" ")}`);
  warn = (...args: unknown[]) => this.lines.push(`warn ${args.join(" ")}`);
  info = (): void => {};
  debug = (): void => {};
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await OpenFeature.clearProviders();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => {
  OpenFeature.setLogger(new QuietLogger());
});

const launchers: readonly { readonly name: string; readonly launch: Launch; readonly skip?: string }[] = [
  { name: "in-process (startServer, close)", launch: inProcess },
  {
    name: "child process (ramp server, SIGKILL)",
    launch: childProcess,
    ...(!existsSync(CLI) && { skip: "packages/cli/dist/main.js is not built (run `npx tsc -b`)" }),
  },
];

describe.each(launchers)("RampProvider against the real server, $name", ({ launch, skip }) => {
  it.skipIf(skip !== undefined)(
    "server killed while the app evaluates: zero errors, last known values; it returns and the app converges within 5 s",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "ramp-e2e-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const database = join(dir, "ramp.db");
      let server = await launch(database, 0);
      cleanups.push(() => server.kill());
      await admin(server.url, "POST", "/api/v1/flags", banner("welcome"));
      await admin(server.url, "POST", "/api/v1/flags", checkout(true));
      const created = (await admin(server.url, "POST", "/api/v1/tokens", {
        scope: "server",
        environment: "production",
        name: "e2e",
      })) as { token: string };

      // Default timing options: what an application gets out of the box.
      const logger = new QuietLogger();
      const provider = new RampProvider({ url: server.url, token: created.token, logger });
      const events = new EventLog(provider.events, [
        ProviderEvents.Ready,
        ProviderEvents.Stale,
        ProviderEvents.ConfigurationChanged,
        ProviderEvents.Error,
      ]);
      const domain = `e2e-${Math.random()}`;
      await OpenFeature.setProviderAndWait(domain, provider);
      const client = OpenFeature.getClient(domain);
      expect(await client.getStringValue("banner_text", "x")).toBe("Welcome");
      expect(await client.getBooleanValue("new_checkout", false, { targetingKey: "u1" })).toBe(true);

      // A change while connected arrives as a patch.
      await admin(server.url, "PUT", "/api/v1/flags/new_checkout", checkout(false));
      const change = await events.next(ProviderEvents.ConfigurationChanged, 0);
      expect(change.flagsChanged).toEqual(["new_checkout"]);
      expect(await client.getBooleanDetails("new_checkout", true, { targetingKey: "u1" })).toMatchObject({
        value: false,
        reason: "DISABLED",
      });

      // The application evaluates without pause from here to the end.
      const problems: string[] = [];
      const seen = new Set<string>();
      let evaluations = 0;
      let running = true;
      const loop = (async () => {
        while (running) {
          const text = await client.getStringDetails("banner_text", "default", {
            targetingKey: `u${evaluations % 50}`,
          });
          const gate = await client.getBooleanDetails("new_checkout", true, { targetingKey: "u1" });
          evaluations += 2;
          for (const d of [text, gate])
            if (d.errorCode !== undefined) problems.push(`${d.flagKey}: ${d.errorCode} ${d.errorMessage}`);
          if (gate.value !== false) problems.push(`new_checkout served ${gate.value}`);
          seen.add(text.value);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();

      await server.kill();
      await events.next(ProviderEvents.Stale, 0);
      expect(client.providerStatus).toBe(ProviderStatus.STALE);
      const before = evaluations;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(evaluations - before).toBeGreaterThan(100);
      expect([...seen]).toEqual(["Welcome"]);

      // Flags change while the application cannot hear about it (another server on the same database).
      const other = await inProcess(database, 0);
      await admin(other.url, "PUT", "/api/v1/flags/banner_text", banner("hello"));
      await other.kill();

      server = await launch(database, server.port);
      const back = Date.now();
      await events.next(ProviderEvents.Ready, 0, 5_000);
      await waitFor(
        "the new value",
        async () => (await client.getStringValue("banner_text", "x")) === "Hello",
        5_000,
      );
      const converged = Date.now() - back;
      running = false;
      await loop;

      expect(converged).toBeLessThan(5_000);
      expect(client.providerStatus).toBe(ProviderStatus.READY);
      expect(problems).toEqual([]);
      expect([...seen].sort()).toEqual(["Hello", "Welcome"]);
      expect(await client.getStringDetails("nope", "d")).toMatchObject({
        errorCode: ErrorCode.FLAG_NOT_FOUND,
      });
      expect(logger.lines.some((line) => line.includes("flag stream lost"))).toBe(true);
    },
  );
});
