/**
 * Notifications never hold up the rollout controller: with a server-wide notifier whose receiver never
 * answers, a rollout still walks every step to promotion (and the rollout's own webhook, fed by the
 * same decisions, gets every notification in order). The noop platform, router and a scripted metric
 * stand in for the data plane; the receivers are real HTTP servers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMetricProviderFactory } from "../../src/plugins/metrics/factory.js";
import { NoopMetricProvider } from "../../src/plugins/metrics/noop/index.js";
import { NotificationDispatcher } from "../../src/plugins/notifiers/dispatcher.js";
import { type Receiver, startReceiver } from "../../src/plugins/notifiers/notifier.shared-test.js";
import { NoopPlatform } from "../../src/plugins/platforms/noop/noop-platform.js";
import { NoopRouter } from "../../src/plugins/traffic/noop/noop-router.js";
import { RolloutController } from "../../src/rollouts/shell/controller.js";
import { openStore } from "../../src/store/index.js";
import type { Store } from "../../src/store/store.js";
import { waitUntil } from "./rollouts-api.js";

const template = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "rate" },
  spec: {
    metrics: [
      {
        name: "rate",
        interval: "1s",
        count: 1,
        successCondition: "result >= 0.95",
        provider: { builtin: { metric: "successRate", version: "canary", window: "1m" } },
      },
    ],
  },
};

const rollout = (version: string, hookUrl: string) => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "payment" },
  spec: {
    replicas: 1,
    version,
    strategy: {
      canary: {
        steps: [
          { setWeight: 20 },
          { analysis: { templates: [{ templateName: "rate" }] } },
          { setWeight: 60 },
          { pause: { duration: "1s" } },
        ],
        trafficRouting: { proxy: { listen: "127.0.0.1:0" } },
        scaleDownDelaySeconds: 0,
        abortScaleDownDelaySeconds: 0,
      },
    },
    workload: {
      platform: "static",
      urls: { stable: ["http://127.0.0.1:1"], canary: ["http://127.0.0.1:2"] },
    },
    notifications: [{ type: "webhook", url: hookUrl, events: ["StepCompleted", "Paused", "Completed"] }],
  },
});

let dir: string;
let store: Store;
let controller: RolloutController;
let dispatcher: NotificationDispatcher;
let hanging: Receiver;
let hook: Receiver;
const logs: string[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "ramp-notify-"));
  store = await openStore(join(dir, "ramp.db"));
  const project = await store.createProject("default", "Default", [
    { key: "production", name: "Production" },
  ]);
  hanging = await startReceiver();
  hanging.answer = () => "hang";
  hook = await startReceiver();
  dispatcher = new NotificationDispatcher({
    // Far longer than the whole rollout: the first attempt is still waiting when it ends.
    notifiers: [{ type: "slack", url: hanging.url }],
    timeoutMs: 60_000,
    log: (m) => logs.push(m),
  });
  controller = new RolloutController({
    store,
    projectId: project.id,
    platform: () => new NoopPlatform(),
    router: () => new NoopRouter(),
    metrics: () =>
      createMetricProviderFactory({
        providers: { builtin: new NoopMetricProvider({ rate: [{ value: 1 }] }) },
      }),
    notifications: dispatcher,
    log: (m) => logs.push(m),
  });
  controller.start();
});

afterEach(async () => {
  await controller.stop();
  await dispatcher.close(0);
  await Promise.all([hanging.close(), hook.close()]);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("notification delivery and the rollout controller", () => {
  it("a receiver that never answers does not slow the rollout; the other notifier gets every event in order", async () => {
    await controller.apply([template, rollout("v1", hook.url)], "test");
    await waitUntil(async () => {
      const s = (await controller.get("payment"))?.status;
      return s?.phase === "Healthy" && s.stableVersion === "v1" ? s : undefined;
    }, "v1 Healthy");
    const started = Date.now();
    await controller.apply([rollout("v2", hook.url)], "test");
    const done = await waitUntil(async () => {
      const s = (await controller.get("payment"))?.status;
      return s?.phase === "Healthy" && s.stableVersion === "v2" ? s : undefined;
    }, "v2 promoted");
    // The analysis (one 1 s measurement) and the 1 s pause are the only waits.
    expect(Date.now() - started).toBeLessThan(15_000);
    // The hanging receiver got the first notification and is still holding it: nothing waited for it.
    expect(hanging.requests).toHaveLength(1);
    expect(hanging.open).toBe(1);

    await hook.waitFor(6);
    await new Promise((r) => setTimeout(r, 300));
    const got = hook.requests.map((r) => r.body as { event: string; stepIndex: number | null; seq: number });
    expect(got.map((n) => `${n.event}@${n.stepIndex}`)).toEqual([
      "StepCompleted@0",
      "StepCompleted@1",
      "StepCompleted@2",
      "Paused@3",
      "StepCompleted@3",
      "Completed@null",
    ]);
    const seqs = got.map((n) => n.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Each notification is a history entry of the promoted rollout, with its seq.
    const history = new Map(done.history.map((h) => [h.seq, h.event]));
    expect(got.map((n) => history.get(n.seq))).toEqual([
      "StepCompleted",
      "StepCompleted",
      "StepCompleted",
      "Paused",
      "StepCompleted",
      "Promoted",
    ]);
  }, 40_000);
});
