/**
 * Issue 6's must-show, in Debian's Chromium driven by playwright-core against a real server in this
 * process (serving packages/ui/dist): sign in; the kill switch reaches an OpenFeature app on Ramp's
 * provider; a rule edited (with the engine's errors as you type) changes the app's evaluation; a
 * conflicting edit keeps the draft; the demo rollout advances live and aborts back to 0% / Degraded.
 * Screenshots of real data go to test-output/screenshots; any console error fails the test.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Client, OpenFeature, ProviderEvents } from "@openfeature/server-sdk";
import { RampProvider } from "@ramp/openfeature";
import type { BrowserContext, ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoDocuments } from "../../cli/src/demo/documents.js";
import { TrafficGenerator } from "../../cli/src/demo/traffic.js";
import type { RunningServer } from "../../server/src/server.js";
import { OPERATIONS } from "../src/api/client.js";
import {
  type Dashboard,
  ROOT as root,
  SHOTS as shots,
  startDashboard,
  text,
  until,
} from "./dashboard-harness.js";

const ADMIN = `ramp_admin_${"D".repeat(40)}`;

let ui: Dashboard | undefined;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
let app: Client;
let traffic: TrafficGenerator | undefined;
const consoleErrors: string[] = [];

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body !== undefined && {
        "content-type": typeof body === "string" ? "application/yaml" : "application/json",
      }),
      ...headers,
    },
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Fails on any console error or uncaught exception so far, except the answers this test asks for:
 * Chromium logs every non-2xx fetch, and a dry-run's 400 (the engine's problems) and the wrong token's
 * 401 at sign-in are the expected answers there.
 */
function expectNoConsoleErrors(): void {
  expect(consoleErrors).toEqual([]);
}

function onConsole(m: ConsoleMessage): void {
  if (m.type() !== "error") return;
  const url = m.location().url;
  const expected =
    (/status of 400/.test(m.text()) && url.includes("dryRun=true")) ||
    (/status of 401/.test(m.text()) && url.endsWith("/api/v1/whoami"));
  if (!expected) consoleErrors.push(`${m.text()} at ${m.location().url}`);
}

/** At 390×844 the page scrolls only vertically (wide tables scroll inside their own box); then back to 1280×800. */
async function atPhoneWidth(name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  // Charts follow their box's width on the next frame (ResizeObserver): poll rather than read once.
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(name);
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  ui = await startDashboard({ prefix: "ramp-ui-e2e-", adminToken: ADMIN, consoleErrors, onConsole });
  ({ server, browser, page } = ui);
  await api("POST", "/api/v1/apply", readFileSync(join(root, "examples/flags.yaml"), "utf8"));
  const sdk = await api<{ token: string }>("POST", "/api/v1/tokens", {
    scope: "server",
    environment: "production",
  });
  await OpenFeature.setProviderAndWait(
    new RampProvider({ url: server.url, token: sdk.token, flushIntervalMs: 1000 }),
  );
  app = OpenFeature.getClient("dashboard-e2e");
}, 60_000);

afterAll(async () => {
  await traffic?.stop();
  await OpenFeature.close();
  await ui?.close();
});

describe.sequential("the dashboard", () => {
  it("signs in with a token; the flags list shows real flags; a read-only token sees no write controls", async () => {
    await page.goto(server.url);
    await page.getByLabel("API token").fill("ramp_admin_not-a-real-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: /token/i }).waitFor();

    await page.getByLabel("API token").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    const row = page.locator("tr[data-flag=new_checkout]");
    await row.waitFor();
    expect(await text(row)).toMatch(/payments-team[\s\S]*checkout[\s\S]*release/);
    expect(
      await row.getByRole("switch", { name: "new_checkout in production" }).getAttribute("aria-checked"),
    ).toBe("true");
    await page.getByText("● live").waitFor();

    // Search and tags filter the list.
    await page.getByLabel("Search", { exact: true }).fill("premium");
    await expect.poll(() => page.locator("tr[data-flag]").count()).toBe(1);
    await page.getByLabel("Search", { exact: true }).fill("");
    await page.getByLabel("Tag", { exact: true }).selectOption("checkout");
    await expect.poll(() => page.locator("tr[data-flag]").count()).toBe(1);
    await page.getByLabel("Tag", { exact: true }).selectOption("");
    await expect.poll(() => page.locator("tr[data-flag]").count()).toBe(5);

    // A flag created elsewhere appears without a reload; past its expiry date it is marked stale.
    await api("POST", "/api/v1/flags", {
      key: "holiday_banner",
      description: "Last winter's banner, still in the code",
      owner: "web-team",
      tags: ["marketing"],
      expires: "2020-01-31",
      type: "boolean",
      variants: { on: true, off: false },
      offVariant: "off",
      environments: { production: { on: false } },
    });
    const stale = page.locator("tr[data-flag=holiday_banner]");
    await stale.waitFor();
    expect(await text(stale)).toMatch(/holiday_banner\s+stale[\s\S]*web-team/);
    expect(await page.locator("tr[data-flag=new_checkout] .badge").count()).toBe(0);
    await shot("flags-list");

    await atPhoneWidth("flags-list-phone");

    // A read-only token in another tab, through the link `npm start` prints: the token leaves the address bar.
    const read = await api<{ token: string }>("POST", "/api/v1/tokens", { scope: "read", name: "viewer" });
    const viewer = await browser.newPage();
    viewer.on("console", onConsole);
    await viewer.goto(`${server.url}/flags/new_checkout#token=${read.token}`);
    await viewer.getByRole("heading", { name: /new_checkout/ }).waitFor();
    expect(viewer.url()).toBe(`${server.url}/flags/new_checkout`);
    await viewer.getByText("read-only").waitFor();
    await viewer.getByRole("heading", { name: "Rules in production" }).waitFor();
    expect(await viewer.getByRole("switch").count()).toBe(0);
    expect(await viewer.getByRole("button", { name: /Save rules|Add rule|Remove/ }).count()).toBe(0);
    await viewer.close();
    expectNoConsoleErrors();
  });

  it("calls only operations the server's OpenAPI document lists", async () => {
    const doc = await api<{ paths: Record<string, Record<string, unknown>> }>("GET", "/openapi.json");
    const missing = Object.values(OPERATIONS).filter((op) => {
      const [method = "", path = ""] = op.split(" ");
      return doc.paths[path]?.[method.toLowerCase()] === undefined;
    });
    expect(missing).toEqual([]);
  });

  it("switches new_checkout off in production (keyboard, with a confirmation) and the SDK serves the off variant", async () => {
    expect(await app.getBooleanDetails("new_checkout", false, { targetingKey: "beta-1" })).toMatchObject({
      value: true,
      reason: "TARGETING_MATCH",
    });
    const toggle = page.getByRole("switch", { name: "new_checkout in production" });
    const dialog = page.getByRole("dialog");
    // Keyboard only: Enter opens the confirmation with focus inside, Escape cancels and gives focus back.
    await toggle.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await toggle.evaluate((t) => t === document.activeElement)).toBe(true);
    expect(await toggle.getAttribute("aria-checked")).toBe("true");

    const changed = new Promise<void>((resolve) =>
      app.addHandler(ProviderEvents.ConfigurationChanged, () => resolve()),
    );
    await page.keyboard.press("Enter");
    await dialog.getByRole("button", { name: "Turn off" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("false");
    await changed;
    expect(await app.getBooleanDetails("new_checkout", true, { targetingKey: "beta-1" })).toMatchObject({
      value: false,
      variant: "off",
      reason: "DISABLED",
    });
    expectNoConsoleErrors();
  });

  it("edits a rule: the engine's errors as you type, then saved, the SDK's evaluation changes; a conflicting edit keeps the draft", async () => {
    const pro = { targetingKey: "u-7", plan: "pro", country: "DE" };
    expect(await app.getBooleanValue("premium_features", true, pro)).toBe(false);

    await page.getByRole("link", { name: "Flags", exact: true }).click();
    await page.getByRole("link", { name: "premium_features" }).click();
    const rule1 = page.locator("fieldset[data-rule='0']");
    const condition = rule1.getByLabel("Condition (CEL)");
    expect(await condition.inputValue()).toBe('user.plan == "enterprise"');

    await condition.fill("user.plan == ");
    const problems = page.getByRole("list", { name: "Problems with rule 1" });
    await problems.waitFor();
    expect(await text(problems)).toMatch(/^if: does not compile/);
    expect(await condition.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("button", { name: "Save rules" }).isDisabled()).toBe(true);

    await condition.fill('user.plan == "pro"');
    await page.getByText("✓ valid").waitFor();
    await problems.waitFor({ state: "detached" });
    // Reorder too: rule 3 (beta testers) moves up to second place.
    await page.getByRole("button", { name: "Move rule 3 up" }).click();
    // Focus stays with the moved rule (now second), so the keyboard can keep moving it.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.closest("fieldset")?.getAttribute("data-rule")))
      .toBe("1");
    const changed = new Promise<void>((resolve) =>
      app.addHandler(ProviderEvents.ConfigurationChanged, () => resolve()),
    );
    await page.getByRole("button", { name: "Save rules" }).click();
    await page.getByText("Saved: version 2.").waitFor();
    await changed;
    expect(await app.getBooleanDetails("premium_features", false, pro)).toMatchObject({
      value: true,
      reason: "TARGETING_MATCH",
    });
    const saved = await api<{ environments: { production: { rules: { if: string }[] } } }>(
      "GET",
      "/api/v1/flags/premium_features",
    );
    expect(saved.environments.production.rules.map((r) => r.if)).toEqual([
      'user.plan == "pro"',
      'user.id in ["beta-tester-1", "beta-tester-2"]',
      'user.country in ["US", "VN", "JP"]',
    ]);

    // Someone else writes while this tab has an unsaved edit: the edit stays, explained, and is re-applied.
    await rule1.getByLabel("Name").fill("pro-plan");
    await page.getByText("✓ valid").waitFor();
    const theirs = { ...saved, description: "changed by someone else" };
    await api("PUT", "/api/v1/flags/premium_features", theirs, { "if-match": '"2"' });
    const conflict = page
      .getByRole("alert")
      .filter({ hasText: "Someone else changed this flag (version 3)" });
    await conflict.waitFor();
    expect(await text(conflict)).toMatch(/your edit is kept below — review and re-apply/);
    expect(await rule1.getByLabel("Name").inputValue()).toBe("pro-plan");
    await page.getByRole("button", { name: "Reload and re-apply my edit" }).click();
    await page.getByText("✓ valid").waitFor();
    await page.getByRole("button", { name: "Save rules" }).click();
    await page.getByText("Saved: version 4.").waitFor();
    const merged = await api<{
      description: string;
      environments: { production: { rules: { name?: string }[] } };
    }>("GET", "/api/v1/flags/premium_features");
    expect(merged.description).toBe("changed by someone else");
    expect(merged.environments.production.rules[0]?.name).toBe("pro-plan");

    // The history shows the edits with their diffs; the evaluations chart counts what the SDK evaluated.
    const history = page.locator("section[aria-labelledby=history-title] li.audit-entry");
    await expect.poll(() => history.count()).toBeGreaterThanOrEqual(4);
    await history.first().locator("summary").click();
    expect(await text(history.first())).toMatch(/flag\.update[\s\S]*environments\.production\.rules/);
    for (let i = 0; i < 200; i++)
      await app.getBooleanValue("premium_features", false, { ...pro, targetingKey: `u-${i}` });
    await expect
      .poll(
        async () => Number(await text(page.locator(".totals [data-variant=on] strong")).catch(() => "0")),
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThanOrEqual(200);
    await shot("flag-page");
    await atPhoneWidth("flag-page-phone");
    expectNoConsoleErrors();
  }, 60_000);

  it("sets the default split with the slider, confirmed in production", async () => {
    await page.getByRole("link", { name: "Flags", exact: true }).click();
    await page.getByRole("link", { name: "new_recommendations" }).click();
    const slider = page.getByRole("slider");
    expect(await slider.inputValue()).toBe("10");
    await slider.focus();
    for (let i = 0; i < 15; i++) await page.keyboard.press("ArrowRight");
    expect(await slider.inputValue()).toBe("25");
    await page.getByRole("button", { name: "Apply 25%" }).click();
    const dialog = page.getByRole("dialog");
    expect(await text(dialog)).toMatch(/10% → 25% get on/);
    await dialog.getByRole("button", { name: "Apply 25%" }).click();
    await page.getByText("Default split: on 25%, off 75%.").waitFor();
    const flag = await api<{ environments: { production: { default: unknown } } }>(
      "GET",
      "/api/v1/flags/new_recommendations",
    );
    expect(flag.environments.production.default).toEqual({ split: { on: 25, off: 75 } });
    expectNoConsoleErrors();
  });

  it("a save that meets a newer version (409, no live event to warn first) keeps the draft and re-applies it", async () => {
    // This tab gets no live events (the stream answers and ends at once), so only the 409 can tell.
    const quiet = await browser.newPage();
    quiet.on("console", onConsole);
    await quiet.route("**/api/v1/events", (route) =>
      route.fulfill({ status: 200, contentType: "text/event-stream", body: "" }),
    );
    await quiet.goto(`${server.url}/flags/heavy_query_optimization#token=${ADMIN}`);
    const condition = quiet.locator("fieldset[data-rule='0']").getByLabel("Condition (CEL)");
    expect(await condition.inputValue()).toBe('request.path == "/reports"');
    await condition.fill('request.path.startsWith("/reports")');
    await quiet.getByText("✓ valid").waitFor();

    const current = await api<{ version: number; owner: string }>(
      "GET",
      "/api/v1/flags/heavy_query_optimization",
    );
    await api(
      "PUT",
      "/api/v1/flags/heavy_query_optimization",
      { ...current, owner: "data-team" },
      { "if-match": `"${current.version}"` },
    );
    await quiet.getByRole("button", { name: "Save rules" }).click();
    const conflict = quiet
      .getByRole("alert")
      .filter({ hasText: `Someone else changed this flag (version ${current.version + 1})` });
    await conflict.waitFor();
    expect(await condition.inputValue()).toBe('request.path.startsWith("/reports")');
    await quiet.getByRole("button", { name: "Reload and re-apply my edit" }).click();
    await quiet.getByText("✓ valid").waitFor();
    await quiet.getByRole("button", { name: "Save rules" }).click();
    await quiet.getByText(`Saved: version ${current.version + 2}.`).waitFor();
    const merged = await api<{ owner: string; environments: { production: { rules: { if: string }[] } } }>(
      "GET",
      "/api/v1/flags/heavy_query_optimization",
    );
    expect(merged.owner).toBe("data-team");
    expect(merged.environments.production.rules[0]?.if).toBe('request.path.startsWith("/reports")');
    await quiet.close();
    // The one console line allowed here: Chromium logging the PUT that answered 409.
    const theConflict = (e: string) =>
      /status of 409/.test(e) && e.endsWith(`${server.url}/api/v1/flags/heavy_query_optimization`);
    expect(consoleErrors.filter((e) => !theConflict(e))).toEqual([]);
    consoleErrors.length = 0;
  });

  it("opens the running demo rollout, watches the weight advance live, aborts: weight 0, phase Degraded", async () => {
    const documents = demoDocuments({ fast: true, proxyPort: 0 });
    await api("POST", "/api/v1/rollouts", documents);
    const proxy = await until(async () => {
      const t = await api<{ proxy?: string | null }>("GET", "/api/v1/rollouts/demo/traffic");
      const r = await api<{ phase: string; stableVersion: string }>("GET", "/api/v1/rollouts/demo");
      return r.phase === "Healthy" && r.stableVersion === "v1" && typeof t.proxy === "string"
        ? t.proxy
        : undefined;
    }, "v1 healthy behind the demo's proxy");
    traffic = new TrafficGenerator({ url: proxy, ratePerSecond: 100, users: 300, header: "x-user-id" });
    traffic.start();
    await api("POST", "/api/v1/rollouts/demo/set-version", { version: "v2" });

    await page.getByRole("link", { name: "Rollouts", exact: true }).click();
    const row = page.locator("tr[data-rollout=demo]");
    await row.waitFor();
    await page.getByRole("link", { name: "demo" }).click();
    const weight = page.locator("[data-testid=canary-weight] .weight");
    const phase = page.locator("#rollout-title .badge");
    // Seen live, without reloading: 10% first, then 30% after the pause and the first analysis.
    await expect.poll(() => weight.getAttribute("data-weight"), { timeout: 30_000 }).toBe("10");
    expect(await page.locator(".timeline [aria-current=step]").count()).toBe(1);
    await expect.poll(() => weight.getAttribute("data-weight"), { timeout: 40_000 }).toBe("30");
    expect(await text(phase)).toMatch(/^(Progressing|Paused)$/);
    await page.locator("article[data-run] h3 .badge", { hasText: "Successful" }).first().waitFor();
    expect(await text(page.locator("table.measurements").first())).toMatch(
      /result = [\d.]+ meets result [<>]=/,
    );
    await page.locator("figure.chart canvas").first().waitFor();
    await shot("rollout-page");
    await atPhoneWidth("rollout-page-phone");

    await page.getByRole("button", { name: "Abort" }).click();
    const dialog = page.getByRole("dialog");
    expect(await text(dialog)).toMatch(/canary v2 at [1-9]\d*%/);
    await dialog.getByRole("button", { name: "Abort" }).click();
    await expect.poll(() => weight.getAttribute("data-weight"), { timeout: 15_000 }).toBe("0");
    await expect.poll(() => text(phase), { timeout: 15_000 }).toBe("Degraded");
    expect(await text(page.getByRole("status").filter({ hasText: /^Abort: / }))).toMatch(/Degraded/);
    await page.locator(".timeline .step-aborted").waitFor();
    await shot("rollout-aborted");

    await page.getByRole("link", { name: "Rollouts", exact: true }).click();
    await page.locator("tr[data-rollout=demo] .badge", { hasText: "Degraded" }).waitFor();
    expect(await page.locator("tr[data-rollout=demo] .weight").getAttribute("data-weight")).toBe("0");

    // A read-only token sees the rollout, and no button that would change it.
    const read = await api<{ token: string }>("POST", "/api/v1/tokens", { scope: "read" });
    const viewer = await browser.newPage();
    viewer.on("console", onConsole);
    await viewer.goto(`${server.url}/rollouts/demo#token=${read.token}`);
    await viewer.locator("#rollout-title .badge", { hasText: "Degraded" }).waitFor();
    expect(await viewer.getByRole("button", { name: /Abort|Promote|Retry|Pause|Resume/ }).count()).toBe(0);
    await viewer.close();

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByLabel("Kind").selectOption("rollout");
    // Newest first, only rollouts: the abort, by the admin token (named, not its id).
    await expect
      .poll(() => text(page.locator("li.audit-entry").first()))
      .toMatch(/rollout\.abort\s+rollout demo\s+by RAMP_ADMIN_TOKEN/);
    expect(await page.locator("li.audit-entry", { hasNotText: /^#\d+ rollout\./ }).count()).toBe(0);
    expectNoConsoleErrors();
  }, 120_000);
});
