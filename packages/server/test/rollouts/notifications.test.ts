/**
 * Notifications end to end: Ramp's server in this process, its built-in proxy, the process platform
 * running the demo service, steady client traffic, and two real HTTP receivers — a webhook named in
 * the rollout's spec.notifications and a Slack-compatible endpoint configured server-wide
 * (startServer({ notifiers })). A promoted rollout and an aborted one; each notification arrives
 * exactly once, in the order of the rollout's history.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../../src/plugins/notifiers/notifier.shared-test.js";
import type { SlackPayload } from "../../src/plugins/notifiers/slack/slack-notifier.js";
import type { WebhookPayload } from "../../src/plugins/notifiers/webhook/webhook-notifier.js";
import type { RolloutStatus } from "../../src/rollouts/status.js";
import { startServer } from "../../src/server.js";
import { freePort } from "../../src/testing/index.js";
import { canary } from "./process-rollouts.js";
import { successRate } from "./rollout-docs.js";
import { type RampServer, startRampServer } from "./rollout-server.js";
import { isHealthyAt, type RolloutsApi, sleep } from "./rollouts-api.js";
import { TrafficGenerator } from "./traffic.js";

const template = successRate("canary-success-rate", "canary");

const steps = [
  { setWeight: 30 },
  { pause: { duration: "1s" } },
  { analysis: { templates: [{ templateName: "canary-success-rate" }] } },
  { setWeight: 60 },
];

let dir: string;
let ramp: RampServer;
let api: RolloutsApi;
let webhook: Receiver;
let slack: Receiver;
let traffic: TrafficGenerator | undefined;
const logs: string[] = [];

beforeEach(async () => {
  webhook = await startReceiver("/ramp");
  slack = await startReceiver("/services/T000/B000/XXXX");
  logs.length = 0;
  ramp = await startRampServer("ramp-notifications-e2e-", {
    log: (m) => logs.push(m),
    notifiers: [{ type: "slack", url: slack.url, channel: "#deploys", username: "Ramp" }],
  });
  dir = ramp.dir;
  mkdirSync(join(dir, "requests"));
  api = ramp.api;
});

afterEach(async () => {
  await traffic?.stop();
  traffic = undefined;
  await ramp.close();
  await Promise.all([webhook.close(), slack.close()]);
});

/** The demo-service canary rollout of process-rollouts.ts, with the webhook as its own notifier. */
function rolloutAt(name: string, port: number, version: string) {
  const doc = canary(join(dir, "requests"), name, port, version, steps);
  return {
    ...doc,
    spec: {
      ...doc.spec,
      notifications: [
        { type: "webhook", url: webhook.url, headers: { authorization: "Bearer hook-secret" } },
      ],
    },
  };
}

/** Deploys v1, then rolls `version` out under traffic until `done`; waits for late or repeated deliveries. */
async function rollOut(name: string, version: string, done: (s: RolloutStatus) => boolean, count: number) {
  const port = await freePort();
  await api.apply([template, rolloutAt(name, port, "v1")]);
  await api.waitFor(name, "v1 Healthy", isHealthyAt("v1"));
  traffic = new TrafficGenerator({
    url: `http://127.0.0.1:${port}`,
    prefix: name,
    intervalMs: 20,
    maxRequests: 2500,
  });
  await api.apply([rolloutAt(name, port, version)]);
  const status = await api.waitFor(name, `${version} done`, done, 45_000);
  await Promise.all([webhook.waitFor(count), slack.waitFor(count)]);
  // Anything sent twice, or late, would arrive within this.
  await sleep(1000);
  return status;
}

const webhookBodies = () => webhook.requests.map((r) => r.body as WebhookPayload);
const slackBodies = () => slack.requests.map((r) => r.body as SlackPayload);

describe("notifications of real rollouts", () => {
  it("a promoted rollout: each step completed, the pause step, then completed — once each, in order", async () => {
    const status = await rollOut("healthy", "v2", isHealthyAt("v2"), 6);

    const hooks = webhookBodies();
    expect(hooks.map((n) => `${n.event}@${n.stepIndex}`)).toEqual([
      "StepCompleted@0",
      "Paused@1",
      "StepCompleted@1",
      "StepCompleted@2",
      "StepCompleted@3",
      "Completed@null",
    ]);
    // Each is the history entry of that seq, with its weight.
    const bySeq = new Map(status.history.map((h) => [h.seq, h]));
    for (const n of hooks) {
      expect(bySeq.get(n.seq)?.message).toBe(n.message);
      expect(bySeq.get(n.seq)?.weight).toBe(n.weight);
      expect(n).toMatchObject({ kind: "RolloutNotification", version: 1, rollout: "healthy", revision: 2 });
    }
    expect(hooks.map((n) => n.weight)).toEqual([30, 30, 30, 30, 60, 0]);
    expect(hooks[5]).toMatchObject({ phase: "Healthy", stableVersion: "v2", canaryVersion: null });
    expect(webhook.requests.every((r) => r.headers.authorization === "Bearer hook-secret")).toBe(true);

    // The server-wide Slack notifier got the same six, as Slack messages.
    const messages = slackBodies();
    expect(messages.map((m) => m.attachments[0].title)).toEqual(
      hooks.map((n) => `default/healthy: ${n.event}`),
    );
    expect(messages.every((m) => m.channel === "#deploys" && m.username === "Ramp")).toBe(true);
    expect(messages[5]?.text).toMatch(/^Rollout default\/healthy completed: v2 is stable/);
    expect(messages[5]?.attachments[0].color).toBe("#2eb886");
    expect(logs.filter((l) => l.includes("not delivered") || l.includes("queue full"))).toEqual([]);
  }, 60_000);

  it("an aborted rollout: analysis failed, then aborted — once each, in order", async () => {
    const status = await rollOut("bad", "v3-bad", (s) => s.phase === "Degraded", 5);

    const hooks = webhookBodies();
    expect(hooks.map((n) => n.event)).toEqual([
      "StepCompleted",
      "Paused",
      "StepCompleted",
      "AnalysisFailed",
      "Aborted",
    ]);
    const [failed, aborted] = hooks.slice(3);
    expect(failed).toMatchObject({ severity: "error", historyEvent: "AnalysisCompleted", stepIndex: 2 });
    expect(failed?.message).toBe("analysis run bad-r2-step2 Failed");
    expect(aborted).toMatchObject({
      severity: "error",
      phase: "Degraded",
      stableVersion: "v1",
      canaryVersion: "v3-bad",
      weight: 0,
    });
    expect(aborted?.message).toContain("analysis run bad-r2-step2 Failed");
    expect(aborted?.seq).toBe(status.history.find((h) => h.event === "Aborted" && h.revision === 2)?.seq);

    const messages = slackBodies();
    expect(messages.map((m) => m.attachments[0].title)).toEqual(hooks.map((n) => `default/bad: ${n.event}`));
    expect(messages.slice(3).map((m) => m.attachments[0].color)).toEqual(["#a30200", "#a30200"]);
    expect(messages[4]?.text).toMatch(/^Rollout default\/bad aborted: /);
  }, 60_000);

  it("a bad server-wide notifier stops the server from starting, naming the field", async () => {
    await expect(
      startServer({
        port: 0,
        data: dir,
        database: join(dir, "other.db"),
        notifiers: [{ type: "webhook", url: "127.0.0.1:9000/hook" }],
      }),
    ).rejects.toThrow(`notifiers[0].url: "127.0.0.1:9000/hook" is not a URL`);
  });
});
