/**
 * A Flagger-style rollout on the dashboard, in Debian's Chromium driven by playwright-core against a real
 * server in this process: two local upstreams behind the built-in proxy, real traffic for the built-in
 * checks, a rollout webhook that fails once and a confirm-promotion webhook that says no until the test
 * flips it. The page shows the plan, the weight advancing, the failed check, the hold, then Healthy.
 * Any console error fails the test; the screenshot goes to test-output/screenshots/rollout-flagger.png.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Ajv } from "ajv";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TrafficGenerator } from "../../cli/src/demo/traffic.js";
import type { RunningServer } from "../../server/src/server.js";
import { type Dashboard, SHOTS as shots, startDashboard, text, until } from "./dashboard-harness.js";

const ADMIN = `ramp_admin_${"F".repeat(40)}`;
const HOLD_MESSAGE = "waiting for the release manager";

let ui: Dashboard | undefined;
let server: RunningServer;
let page: Page;
let traffic: TrafficGenerator | undefined;
const servers: Server[] = [];
const consoleErrors: string[] = [];

/** What the webhook receiver answers, and what it was asked. */
const receiver = { approved: false, smokeCalls: 0, approveCalls: 0 };

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

function rollout(version: string, urls: { v1: string; v2: string }, receiverUrl: string) {
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "podinfo" },
    spec: {
      replicas: 1,
      version,
      strategy: {
        canary: {
          trafficRouting: { proxy: { listen: "127.0.0.1:0" } },
          scaleDownDelaySeconds: 0,
          abortScaleDownDelaySeconds: 0,
        },
      },
      analysis: {
        interval: "2s",
        threshold: 5,
        stepWeights: [20, 50],
        metrics: [
          { name: "request-success-rate", thresholdRange: { min: 99 }, interval: "10s" },
          { name: "request-duration", thresholdRange: { max: 500 }, interval: "10s" },
        ],
        webhooks: [
          { name: "smoke", type: "rollout", url: `${receiverUrl}/smoke`, timeout: "2s" },
          { name: "approve", type: "confirm-promotion", url: `${receiverUrl}/approve`, timeout: "2s" },
        ],
      },
      workload: { platform: "static", versions: { v1: { urls: [urls.v1] }, v2: { urls: [urls.v2] } } },
    },
  };
}

interface Detail {
  phase: string;
  stableVersion: string | null;
  canaryWeight: number;
  status: {
    flagger?: { phase: string; failedChecks: number; nextAt: string | null; heldBy: { type: string } | null };
  };
}

beforeAll(async () => {
  ui = await startDashboard({ prefix: "ramp-ui-flagger-", adminToken: ADMIN, consoleErrors });
  ({ server, page } = ui);
}, 60_000);

afterAll(async () => {
  await traffic?.stop();
  await ui?.close();
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
});

describe("a Flagger-style rollout on the dashboard", () => {
  it("shows the plan, the weight advancing, a failed check, the confirm-promotion hold, then Healthy", async () => {
    const v1 = await listen((_req, res) => res.end("v1"));
    const v2 = await listen((_req, res) => res.end("v2"));
    const hooks = await listen((req, res) => {
      req.resume();
      if (req.url === "/smoke") {
        // The first smoke test fails: one failed check, under the threshold.
        receiver.smokeCalls++;
        res.statusCode = receiver.smokeCalls === 1 ? 500 : 200;
        res.end(receiver.smokeCalls === 1 ? "smoke test failed" : "ok");
        return;
      }
      receiver.approveCalls++;
      res.statusCode = receiver.approved ? 200 : 403;
      res.end(receiver.approved ? "approved" : HOLD_MESSAGE);
    });
    await api("POST", "/api/v1/rollouts", [rollout("v1", { v1, v2 }, hooks)]);
    const proxy = await until(async () => {
      const t = await api<{ proxy?: string | null }>("GET", "/api/v1/rollouts/podinfo/traffic");
      const r = await api<Detail>("GET", "/api/v1/rollouts/podinfo");
      return r.phase === "Healthy" && r.stableVersion === "v1" && typeof t.proxy === "string"
        ? t.proxy
        : undefined;
    }, "v1 healthy behind the built-in proxy");
    traffic = new TrafficGenerator({ url: proxy, ratePerSecond: 40, users: 200, header: "x-user-id" });
    traffic.start();

    // The plan, from the spec, before any analysis: no "No steps" line.
    await page.goto(`${server.url}/rollouts/podinfo#token=${ADMIN}`);
    const panel = page.locator("section.flagger-panel");
    await panel.waitFor();
    const plan = panel.getByRole("list", { name: "Planned steps" }).locator("li");
    expect(await plan.allInnerTexts()).toEqual([
      expect.stringMatching(/^1\s+20% of traffic$/),
      expect.stringMatching(/^2\s+50% of traffic \(max weight\)$/),
      expect.stringMatching(
        /^3\s+Promotion after confirm-promotion \(approve\): the new version becomes stable$/,
      ),
    ]);
    expect(await text(panel)).toMatch(
      /Canary: every 2s one round of checks, then the next weight; after 50%, the promotion\. 5 failed checks roll back\./,
    );
    await panel.getByText("The analysis starts when a new version is set.").waitFor();
    expect(await page.getByText("No steps").count()).toBe(0);
    const checks = page.locator("section.flagger-checks");
    expect(await text(checks.locator("tr[data-metric=request-success-rate]"))).toMatch(
      /request-success-rate\s+≥ 99\s+10s\s+built-in: % of the canary's answers that are not 5xx/,
    );
    expect(await text(checks.locator("tr[data-metric=request-duration]"))).toMatch(
      /request-duration\s+≤ 500\s+10s/,
    );
    expect(await text(checks.locator("tr[data-webhook=smoke]"))).toMatch(/smoke\s+rollout\s+http:/);
    expect(await text(checks.locator("tr[data-webhook=approve]"))).toMatch(
      /approve\s+confirm-promotion\s+http:/,
    );

    // Every weight the page shows, as it shows it (live, without reloads).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenWeights: string[] }).seenWeights = seen;
      setInterval(() => {
        const w = document.querySelector("[data-testid=canary-weight] .weight")?.getAttribute("data-weight");
        if (w != null && seen.at(-1) !== w) seen.push(w);
      }, 50);
    });
    await api("POST", "/api/v1/rollouts/podinfo/set-version", { version: "v2" });

    const current = panel.locator(".flagger-plan [aria-current=step]");
    await expect.poll(() => current.getAttribute("data-weight"), { timeout: 20_000 }).toBe("20");
    // The smoke webhook's one failure, counted against the threshold in the warning style.
    const failed = panel.getByTestId("failed-checks");
    await expect.poll(() => text(failed), { timeout: 20_000 }).toMatch(/^[1-4] \/ 5$/);
    expect(await failed.getAttribute("class")).toBe("checks-failing");
    await expect.poll(() => current.getAttribute("data-weight"), { timeout: 20_000 }).toBe("50");

    // Held at 50% by the approval webhook, the checks still running each interval.
    const held = panel.getByTestId("flagger-held");
    await held.waitFor({ timeout: 20_000 });
    expect(await text(held)).toBe(`Held by confirm-promotion webhook approve: HTTP 403: ${HOLD_MESSAGE}`);
    expect(await text(panel.locator(".flagger-facts .badge"))).toBe("WaitingPromotion");
    const intervalShown = async () =>
      Number((await text(panel.getByTestId("flagger-interval"))).split(/\s/)[0]);
    const interval = await intervalShown();
    expect(interval).toBeGreaterThanOrEqual(5);
    expect(await text(panel.getByTestId("next-check"))).toMatch(/^(in [12]s|due now)$/);
    // The interval number moves on while held, live.
    await expect.poll(intervalShown, { timeout: 10_000 }).toBeGreaterThan(interval);
    const whileHeld = await api<Detail>("GET", "/api/v1/rollouts/podinfo");
    expect(whileHeld.status.flagger?.heldBy?.type).toBe("confirm-promotion");
    expect(whileHeld.canaryWeight).toBe(50);
    await answerMatchesDocument(whileHeld);
    await page.screenshot({ path: join(shots, "rollout-flagger.png"), fullPage: true });
    // At 390×844 the panel and the checks fit: the page scrolls only vertically.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(390);
    await held.waitFor();
    await page.screenshot({ path: join(shots, "rollout-flagger-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    receiver.approved = true;
    const phase = page.locator("#rollout-title .badge");
    await expect.poll(() => text(phase), { timeout: 20_000 }).toBe("Healthy");
    await held.waitFor({ state: "detached" });
    await expect.poll(() => text(panel.locator(".flagger-facts .badge"))).toBe("Succeeded");
    expect(await panel.locator(".flagger-plan .step-done").count()).toBe(3);
    expect(await text(plan.nth(2))).toMatch(/v2 becomes stable/);
    await panel.getByText("none: the analysis is over").waitFor();
    expect(await panel.getByTestId("next-check").count()).toBe(0);
    const done = await api<Detail>("GET", "/api/v1/rollouts/podinfo");
    expect(done).toMatchObject({ phase: "Healthy", stableVersion: "v2" });
    expect(await text(failed)).toBe(`${done.status.flagger?.failedChecks} / 5`);
    await answerMatchesDocument(done);
    await page.screenshot({ path: join(shots, "rollout-flagger-promoted.png"), fullPage: true });

    const seen = await page.evaluate(() => (window as unknown as { seenWeights: string[] }).seenWeights);
    expect(seen.filter((w) => w !== "0")).toEqual(expect.arrayContaining(["20", "50"]));
    expect(seen.indexOf("20")).toBeLessThan(seen.indexOf("50"));
    expect(receiver.approveCalls).toBeGreaterThanOrEqual(2);
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});

/** The answer (with status.flagger) is what /openapi.json says GET /api/v1/rollouts/{name} answers. */
async function answerMatchesDocument(answer: Detail): Promise<void> {
  expect(answer.status.flagger).toBeDefined();
  const doc = await api<{
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>
    >;
  }>("GET", "/openapi.json");
  const schema =
    doc.paths["/api/v1/rollouts/{name}"]?.get?.responses["200"]?.content["application/json"]?.schema;
  if (schema === undefined) throw new Error("no 200 JSON schema for GET /api/v1/rollouts/{name}");
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  const problems = validate(answer)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
  expect(problems).toEqual([]);
  const flaggerSchema = (schema as { properties: { status: { properties: Record<string, unknown> } } })
    .properties.status.properties.flagger;
  expect(flaggerSchema).toBeDefined();
}
