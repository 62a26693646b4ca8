/**
 * The README's main command: `npm start` serves the example flags and says so, then tells the
 * demo's rollout story (the short one, RAMP_DEMO=fast): v2 promoted, v3 aborted by analysis. A
 * second start finds the flags unchanged, the same users on, and tells the story again from where
 * the first left the rollout. The dashboard link it prints opens, in Chromium, on the demo rollout.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { launchChromium } from "../packages/ui/test/chromium.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const data = mkdtempSync(join(tmpdir(), "ramp-start-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** Runs `npm start`'s script; `whileUp` (if any) runs once the server waits for Ctrl-C, before it is stopped. */
function start(whileUp?: (out: string) => Promise<void>): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("RAMP_")));
    const child = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: root,
      env: { ...env, RAMP_DATA: data, PORT: "0", RAMP_DEMO: "fast", RAMP_PROXY_PORT: "0", RAMP_OPEN: "0" },
    });
    let out = "";
    let stopping = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no ready line in 120 s:\n${out}`));
    }, 120_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      // Once: a second signal means "stop now".
      if (!stopping && out.includes("Ctrl-C stops the server.")) {
        stopping = true;
        void (whileUp?.(out) ?? Promise.resolve()).then(
          () => child.kill("SIGTERM"),
          (e: unknown) => {
            child.kill("SIGTERM");
            reject(e);
          },
        );
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
  });
}

function expectTheStory(out: string): void {
  expect(out).toMatch(/The rollout story \(examples\/demo\):/);
  expect(out).toMatch(/demo users send \d+ req\/s to http:\/\/127\.0\.0\.1:\d+/);
  expect(out).toMatch(/Promoted: v2 is stable/);
  expect(out).toMatch(/Aborted: step \d: analysis run demo-r\d+-step\d Failed/);
  expect(out).toMatch(
    /Result:\n {2}v2 promoted step by step \(2 analysis runs passed\)\n {2}v3 aborted by analysis: /,
  );
  expect(out).toMatch(/ {2}all traffic back on v2: \d+\.\d req\/s over the last 2 s, v3 none\n/);
  expect(out).toMatch(/npx ramp rollout get demo --watch/);
  expect(out).toMatch(/Ctrl-C stops the server\.\nstopped\n$/);
}

it("starts the server, applies examples/flags.yaml, shows the seed's behaviour and the rollout story; restarts keep the same users", async () => {
  const first = await start(dashboardShowsTheDemo);
  expect(first.code, first.out).toBe(0);
  expect(first.out).toMatch(/Ramp is running: http:\/\/127\.0\.0\.1:\d+/);
  expect(first.out).toMatch(/beta-1 \(individual target\)\s+true\s+TARGETING_MATCH/);
  expect(first.out).toMatch(/an enterprise customer\s+true\s+TARGETING_MATCH/);
  expect(first.out).toMatch(/a user in Vietnam\s+true\s+TARGETING_MATCH/);
  expect(first.out).toMatch(/beta-1 in staging \(kill switch\)\s+false\s+DISABLED/);
  const on = Number(/\(25% rollout\)\s+(\d+) on/.exec(first.out)?.[1]);
  expect(on).toBeGreaterThan(200);
  expect(on).toBeLessThan(300);
  expectTheStory(first.out);
  expect(first.out).not.toMatch(/Starting over/);

  const second = await start();
  expect(second.code, second.out).toBe(0);
  expect(second.out).toMatch(/applied: 0 change\(s\)/);
  expect(Number(/\(25% rollout\)\s+(\d+) on/.exec(second.out)?.[1])).toBe(on);
  // The rollout remembers v3's abort: the story brings v1 back first, then runs again.
  expect(second.out).toMatch(/now: demo: Degraded \(aborted\): .* — stable v2, canary v3 at 0%/);
  expect(second.out).toMatch(/Starting over: v1 back as the stable version/);
  expectTheStory(second.out);
}, 240_000);

/** The dashboard link `npm start` printed: served HTML, and in Chromium the demo rollout on the rollouts page. */
async function dashboardShowsTheDemo(out: string): Promise<void> {
  const link = /dashboard {2}(http:\/\/127\.0\.0\.1:\d+)\/#token=(ramp_admin_[\w-]+)/.exec(out);
  expect(link, out).not.toBeNull();
  const [, url = "", token = ""] = link ?? [];
  expect(out).toContain(`open the dashboard: ${url}/#token=${token}`);
  const html = await fetch(`${url}/`, { headers: { accept: "text/html" } });
  expect(html.status).toBe(200);
  expect(html.headers.get("content-type")).toMatch(/^text\/html/);
  const body = await html.text();
  expect(body).toContain('<div id="root"></div>');
  expect(body).toMatch(/<script type="module"[^>]* src="\/assets\/index-[\w-]+\.js"><\/script>/);

  const browser = await launchChromium(join(data, "chromium-profile"));
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}/#token=${token}`);
    await page.locator("tr[data-flag=new_checkout]").waitFor({ timeout: 15_000 });
    await page.getByRole("link", { name: "Rollouts", exact: true }).click();
    // The story left v3 aborted by its analysis: the demo rollout Degraded, canary v3 at 0%.
    const row = page.locator("tr[data-rollout=demo]");
    await row.waitFor({ timeout: 15_000 });
    await row.locator(".badge", { hasText: "Degraded" }).waitFor({ timeout: 15_000 });
    expect(await row.locator(".weight").getAttribute("data-weight")).toBe("0");
    expect(await row.locator("td[data-label=Canary]").textContent()).toBe("v3");
    mkdirSync(join(root, "test-output/screenshots"), { recursive: true });
    await page.screenshot({
      path: join(root, "test-output/screenshots/npm-start-rollouts.png"),
      fullPage: true,
    });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}
