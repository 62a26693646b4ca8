/**
 * The setting of the dashboard's browser suites: Ramp's server in this process serving the built
 * packages/ui/dist, and Chromium with one page whose console errors and uncaught exceptions are collected.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, ConsoleMessage, Locator, Page } from "playwright-core";
import { type RunningServer, startServer } from "../../server/src/server.js";
import { waitUntil } from "../../server/test/rollouts/rollouts-api.js";
import { launchChromium } from "./chromium.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const DIST = join(ROOT, "packages/ui/dist");
/** Where the suites put their screenshots (created by startDashboard). */
export const SHOTS = join(ROOT, "test-output/screenshots");

export interface DashboardOptions {
  /** Names the temporary data directory. */
  readonly prefix: string;
  readonly adminToken: string;
  /** Receives "uncaught: …" for every page error, and what `onConsole` pushes. */
  readonly consoleErrors: string[];
  /** Sees every console message; by default each error goes to consoleErrors with its URL. */
  readonly onConsole?: (m: ConsoleMessage) => void;
}

export interface Dashboard {
  readonly dir: string;
  readonly server: RunningServer;
  readonly browser: BrowserContext;
  readonly page: Page;
  /** Stops Chromium and the server, then removes the data directory. */
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  if (!existsSync(join(DIST, "index.html")))
    throw new Error(
      `packages/ui/dist is not built: run \`npm run build -w @ramp/ui\` (or \`npm test\`) first`,
    );
  mkdirSync(SHOTS, { recursive: true });
  const { consoleErrors } = options;
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  let server: RunningServer | undefined;
  let browser: BrowserContext | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    server = await startServer({
      port: 0,
      data: dir,
      adminToken: options.adminToken,
      uiDir: DIST,
      log: () => undefined,
    });
    browser = await launchChromium(join(dir, "chromium-profile"));
    // Well under vitest's timeouts, so a missing element fails with its locator, not a bare timeout.
    browser.setDefaultTimeout(15_000);
    const page = await browser.newPage();
    page.on(
      "console",
      options.onConsole ??
        ((m) => {
          if (m.type() === "error") consoleErrors.push(`${m.text()} at ${m.location().url}`);
        }),
    );
    page.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e.message}`));
    return { dir, server, browser, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The text a user sees in an element (rendered, whitespace as laid out). */
export function text(l: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: playwright's innerText is the rendered text, which is what is asserted.
  return l.innerText();
}

/** Polls `probe` every 200 ms (a throw counts as not yet) until it gives a value; fails naming `what` after `timeoutMs`. */
export const until = <T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> =>
  waitUntil(probe, what, timeoutMs, 200);
