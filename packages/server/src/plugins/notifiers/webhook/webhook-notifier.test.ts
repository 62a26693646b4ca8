import { describe, expect, it } from "vitest";
import { describeNotifierContract, sampleNotification, startReceiver } from "../notifier.shared-test.js";
import { WebhookNotifier, webhookPayload } from "./webhook-notifier.js";

describeNotifierContract("webhook", {
  create: (url) => new WebhookNotifier({ url, headers: { "x-ramp-test": "yes" } }),
  delivered: (receiver) => receiver.requests.map((r) => JSON.stringify(r.body)),
  http: true,
});

describe("the webhook payload", () => {
  it("is the notification, every field named, with a kind and a version", async () => {
    const receiver = await startReceiver();
    try {
      await new WebhookNotifier({ url: receiver.url, headers: { authorization: "Bearer s3cret" } }).send(
        sampleNotification(),
        AbortSignal.timeout(5000),
      );
      expect(receiver.requests[0]?.headers.authorization).toBe("Bearer s3cret");
      expect(receiver.requests[0]?.body).toEqual({
        kind: "RolloutNotification",
        version: 1,
        rollout: "checkout",
        namespace: "shop",
        event: "StepCompleted",
        historyEvent: "StepCompleted",
        severity: "info",
        message: "step 1/4: canary weight 20%",
        phase: "Progressing",
        revision: 2,
        stepIndex: 0,
        steps: 4,
        weight: 20,
        stableVersion: "v1",
        canaryVersion: "v2",
        seq: 7,
        at: "2026-01-01T12:00:00.000Z",
      });
    } finally {
      await receiver.close();
    }
  });

  it("keeps nulls (a promoted rollout has no canary) rather than dropping the field", () => {
    const p = webhookPayload(
      sampleNotification({ event: "Completed", canaryVersion: null, stepIndex: null }),
    );
    expect(p).toMatchObject({ event: "Completed", canaryVersion: null, stepIndex: null });
    expect(Object.keys(p)).toContain("canaryVersion");
  });

  it("names its target without the URL's query or secret path", () => {
    const n = new WebhookNotifier({ url: "https://hooks.example.com/api/T000/B000/secret?token=x" });
    expect(n.target).toBe("webhook https://hooks.example.com/api/…");
  });
});
