import { describe, expect, it } from "vitest";
import { notifiersFromEnv } from "./env.js";

describe("notifiersFromEnv", () => {
  it("makes a webhook and a Slack notifier from RAMP_NOTIFY_WEBHOOK_URL and RAMP_NOTIFY_SLACK_URL", () => {
    expect(
      notifiersFromEnv({
        RAMP_NOTIFY_WEBHOOK_URL: " http://127.0.0.1:9000/hook ",
        RAMP_NOTIFY_SLACK_URL: "https://hooks.slack.com/services/T/B/x",
      }),
    ).toEqual([
      { type: "webhook", url: "http://127.0.0.1:9000/hook" },
      { type: "slack", url: "https://hooks.slack.com/services/T/B/x" },
    ]);
  });

  it("makes none when they are unset or empty", () => {
    expect(notifiersFromEnv({})).toEqual([]);
    expect(notifiersFromEnv({ RAMP_NOTIFY_WEBHOOK_URL: "", RAMP_NOTIFY_SLACK_URL: "  " })).toEqual([]);
  });
});
