import { describe, expect, it } from "vitest";
import { compileRollout } from "../../rollouts/compile.js";
import { example } from "../../rollouts/fixtures.shared-test.js";
import { loadRolloutFile } from "../../rollouts/load.js";
import { DEFAULT_NOTIFICATION_EVENTS } from "./notifier.js";

const rollout = (notifications: unknown) => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "checkout" },
  spec: {
    version: "v2",
    strategy: {
      canary: { steps: [{ setWeight: 50 }], trafficRouting: { proxy: { listen: "127.0.0.1:8080" } } },
    },
    workload: {
      platform: "static",
      urls: { stable: "http://127.0.0.1:9001", canary: "http://127.0.0.1:9002" },
    },
    notifications,
  },
});

const errors = (doc: unknown) => compileRollout(doc).issues.filter((i) => i.severity === "error");

describe("spec.notifications", () => {
  it("compiles into RolloutSpec.notifications with the default events spelled out", () => {
    const r = compileRollout(
      rollout([
        { type: "webhook", url: "http://127.0.0.1:9000/hook", headers: { authorization: "Bearer x" } },
        {
          type: "slack",
          url: "https://hooks.slack.com/services/T/B/x",
          channel: "#deploys",
          username: "Ramp",
          events: ["Aborted", "Completed", "Aborted"],
        },
      ]),
    );
    expect(r.issues).toEqual([]);
    expect(r.ok && r.rollout.notifications).toEqual([
      {
        type: "webhook",
        url: "http://127.0.0.1:9000/hook",
        events: [...DEFAULT_NOTIFICATION_EVENTS],
        headers: { authorization: "Bearer x" },
      },
      {
        type: "slack",
        url: "https://hooks.slack.com/services/T/B/x",
        events: ["Aborted", "Completed"],
        channel: "#deploys",
        username: "Ramp",
      },
    ]);
  });

  it("is absent from the compiled spec when not written, so other rollouts compile as before", () => {
    const r = compileRollout(rollout(undefined));
    expect(r.ok && "notifications" in r.rollout).toBe(false);
  });

  it("reports an unknown event by path with a did-you-mean, and the known events", () => {
    const [issue, ...rest] = errors(
      rollout([{ type: "webhook", url: "http://x/", events: ["StepComplete"] }]),
    );
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      path: "spec.notifications[0].events[0]",
      suggestion: "did you mean 'StepCompleted'?",
    });
    expect(issue?.expected).toContain("Completed");
  });

  it("reports an unknown type, a bad URL and a slack field on a webhook, each at its path", () => {
    expect(errors(rollout([{ type: "teams", url: "http://x/" }]))[0]).toMatchObject({
      path: "spec.notifications[0].type",
    });
    expect(errors(rollout([{ type: "slack", url: "hooks.slack.com/x" }]))[0]).toMatchObject({
      path: "spec.notifications[0].url",
      expected: "an http(s) URL",
    });
    expect(errors(rollout([{ type: "webhook", url: "http://x/", username: "Ramp" }]))[0]).toMatchObject({
      path: "spec.notifications[0].username",
      message: "is only for slack notifiers",
    });
    expect(errors(rollout({ type: "webhook", url: "http://x/" }))[0]).toMatchObject({
      path: "spec.notifications",
    });
  });

  it("examples/rollout-notifications.yaml loads, with both notifiers", () => {
    const loaded = loadRolloutFile(example("rollout-notifications.yaml"));
    expect(loaded.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(loaded.rollouts[0]?.rollout.notifications).toEqual([
      {
        type: "webhook",
        url: "http://127.0.0.1:9000/ramp-events",
        events: [...DEFAULT_NOTIFICATION_EVENTS],
        headers: { Authorization: "Bearer change-me" },
      },
      {
        type: "slack",
        url: "https://hooks.slack.com/services/T000/B000/XXXX",
        events: ["Aborted", "AnalysisFailed"],
        channel: "#deploys",
        username: "Ramp",
      },
    ]);
  });
});
