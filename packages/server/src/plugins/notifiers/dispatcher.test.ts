import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canarySpec, outcomeBy, rollOut } from "../../rollouts/fixtures.shared-test.js";
import type { RolloutSpec } from "../../rollouts/rollout.js";
import { NotificationDispatcher } from "./dispatcher.js";
import { NotifierError } from "./errors.js";
import { MemoryNotifier } from "./memory/memory-notifier.js";
import { type Receiver, startReceiver } from "./notifier.shared-test.js";

const steps = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: "rate" }] } }, { setWeight: 60 }];
let receiver: Receiver;
let dispatcher: NotificationDispatcher | undefined;

beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await dispatcher?.close(0);
  dispatcher = undefined;
  await receiver.close();
});

/** Publishes every decision of a v1 → v2 rollout (aborted when `fail`), as the shell does. */
function run(d: NotificationDispatcher, spec: RolloutSpec, fail = false): number {
  const base = rollOut(spec, "v1");
  const sim = rollOut(
    spec,
    "v2",
    fail ? { outcome: outcomeBy({ step1: { phase: "Failed", afterTicks: 1 } }) } : {},
  );
  let before = base.status;
  let queued = 0;
  for (const s of sim.steps) {
    queued += d.publish(spec, before, s.result.status);
    before = s.result.status;
  }
  return queued;
}

describe("NotificationDispatcher", () => {
  it("sends to the server's notifiers and the rollout's own, each filtered by its events", async () => {
    const everything = new MemoryNotifier();
    const failures = new MemoryNotifier();
    dispatcher = new NotificationDispatcher({
      notifiers: [
        {
          notifier: everything,
          events: ["Started", "StepCompleted", "Paused", "Resumed", "Aborted", "AnalysisFailed", "Completed"],
        },
        { notifier: failures, events: ["Aborted", "AnalysisFailed"] },
      ],
    });
    const spec: RolloutSpec = {
      ...canarySpec(steps),
      notifications: [{ type: "webhook", url: receiver.url }],
    };
    run(dispatcher, spec);
    run(dispatcher, { ...spec, name: "bad" }, true);
    await dispatcher.idle();
    const events = (n: MemoryNotifier) => n.sent.map((x) => `${x.rollout}:${x.event}`);
    expect(events(everything)).toEqual([
      "web:Started",
      "web:StepCompleted",
      "web:StepCompleted",
      "web:StepCompleted",
      "web:Completed",
      "bad:Started",
      "bad:StepCompleted",
      "bad:AnalysisFailed",
      "bad:Aborted",
    ]);
    expect(events(failures)).toEqual(["bad:AnalysisFailed", "bad:Aborted"]);
    // The rollout's webhook has the default events: no Started.
    expect(receiver.requests.map((r) => (r.body as { event: string }).event)).toEqual([
      "StepCompleted",
      "StepCompleted",
      "StepCompleted",
      "Completed",
      "StepCompleted",
      "AnalysisFailed",
      "Aborted",
    ]);
  });

  it("queues nothing twice: publishing a decision again is a no-op", async () => {
    const memory = new MemoryNotifier();
    dispatcher = new NotificationDispatcher({ notifiers: [{ notifier: memory }] });
    const spec = canarySpec(steps);
    const sim = rollOut(spec, "v2");
    const base = rollOut(spec, "v1");
    expect(dispatcher.publish(spec, base.status, sim.status)).toBe(4);
    expect(dispatcher.publish(spec, base.status, sim.status)).toBe(0);
    await dispatcher.idle();
    expect(memory.sent).toHaveLength(4);
  });

  it("refuses a bad server-wide notifier at construction, by path", () => {
    expect(
      () =>
        new NotificationDispatcher({
          notifiers: [
            { type: "webhook", url: "http://x/" },
            { type: "slack", url: "" },
          ],
        }),
    ).toThrow(NotifierError);
    expect(() => new NotificationDispatcher({ notifiers: [{ type: "slack", url: "mailto:a@b" }] })).toThrow(
      "notifiers[0].url: 'mailto:' URLs cannot be POSTed to",
    );
  });

  it("publish() returns at once even when a destination hangs", async () => {
    receiver.answer = () => "hang";
    const logs: string[] = [];
    dispatcher = new NotificationDispatcher({
      notifiers: [{ type: "webhook", url: receiver.url }],
      timeoutMs: 30_000,
      log: (m) => logs.push(m),
    });
    const started = performance.now();
    const queued = run(dispatcher, canarySpec(steps));
    expect(queued).toBe(4);
    expect(performance.now() - started).toBeLessThan(500);
    await receiver.waitFor(1);
    expect(receiver.open).toBe(1);
    await dispatcher.close(0);
    expect(logs).toEqual([expect.stringContaining("closed with 3 notification(s) not sent")]);
  });
});
