/**
 * Debian's Chromium (/usr/bin/chromium) through playwright-core, headless, as every browser test of
 * the repository starts it (the dashboard suites here and the root test/start.test.ts).
 */
import { mkdirSync } from "node:fs";
import { type BrowserContext, chromium } from "playwright-core";

/** A persistent headless Chromium context with its profile in `profileDir` (created if missing). */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  mkdirSync(profileDir, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    // No sandbox (containers without user namespaces), no GPU, and nothing that phones home.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}
