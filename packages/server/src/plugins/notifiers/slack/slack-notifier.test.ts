import { describe, expect, it } from "vitest";
import { NOTIFICATION_EVENTS } from "../notifier.js";
import { describeNotifierContract, sampleNotification, startReceiver } from "../notifier.shared-test.js";
import { SLACK_COLORS, SlackNotifier, type SlackPayload, slackPayload } from "./slack-notifier.js";

describeNotifierContract("slack", {
  create: (url) => new SlackNotifier({ url, headers: { "x-ramp-test": "yes" } }),
  delivered: (receiver) =>
    receiver.requests.map((r) => {
      const body = r.body as SlackPayload;
      return `${body.text}\n${body.attachments[0].text}`;
    }),
  http: true,
});

describe("the Slack payload", () => {
  it("is an incoming-webhook message: text, channel, username and one coloured attachment with fields", async () => {
    const receiver = await startReceiver("/services/T000/B000/XXXX");
    try {
      await new SlackNotifier({ url: receiver.url, channel: "#deploys", username: "Ramp" }).send(
        sampleNotification(),
        AbortSignal.timeout(5000),
      );
      expect(receiver.requests[0]?.path).toBe("/services/T000/B000/XXXX");
      expect(receiver.requests[0]?.body).toEqual({
        text: "Rollout shop/checkout step completed: step 1/4: canary weight 20%",
        channel: "#deploys",
        username: "Ramp",
        attachments: [
          {
            color: "#439fe0",
            fallback: "Rollout shop/checkout step completed: step 1/4: canary weight 20%",
            title: "shop/checkout: StepCompleted",
            text: "step 1/4: canary weight 20%",
            fields: [
              { title: "Phase", value: "Progressing", short: true },
              { title: "Canary weight", value: "20%", short: true },
              { title: "Stable", value: "v1", short: true },
              { title: "Canary", value: "v2", short: true },
              { title: "Step", value: "1/4", short: true },
              { title: "Revision", value: "2", short: true },
            ],
            footer: "Ramp · revision 2 · seq 7",
            ts: Date.parse("2026-01-01T12:00:00.000Z") / 1000,
          },
        ],
      });
    } finally {
      await receiver.close();
    }
  });

  it("leaves channel and username out unless configured (the webhook's own defaults apply)", () => {
    const p = slackPayload(sampleNotification());
    expect("channel" in p).toBe(false);
    expect("username" in p).toBe(false);
  });

  it("colours by event: green when completed, red when aborted or failed, amber when paused", () => {
    const color = (event: (typeof NOTIFICATION_EVENTS)[number]) =>
      slackPayload(sampleNotification({ event })).attachments[0].color;
    expect(color("Completed")).toBe("#2eb886");
    expect(color("Aborted")).toBe("#a30200");
    expect(color("AnalysisFailed")).toBe("#a30200");
    expect(color("Paused")).toBe("#daa038");
    // Hex colours only: Mattermost and Discord's Slack-compatible endpoints do not know Slack's names.
    for (const e of NOTIFICATION_EVENTS) expect(SLACK_COLORS[e]).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("escapes Slack's control characters so a message cannot ping or link", () => {
    const p = slackPayload(sampleNotification({ message: "weight <!channel> & <http://x|y>" }));
    expect(p.text).toContain("weight &lt;!channel&gt; &amp; &lt;http://x|y&gt;");
    expect(p.attachments[0].text).toBe("weight &lt;!channel&gt; &amp; &lt;http://x|y&gt;");
  });

  it("has no step field once the rollout is not on a step", () => {
    const p = slackPayload(sampleNotification({ event: "Completed", stepIndex: null, canaryVersion: null }));
    expect(p.attachments[0].fields.map((f) => f.title)).not.toContain("Step");
    expect(p.attachments[0].fields.find((f) => f.title === "Canary")?.value).toBe("—");
  });

  it("names its target without the webhook's secret", () => {
    expect(new SlackNotifier({ url: "https://hooks.slack.com/services/T0/B0/abc" }).target).toBe(
      "slack https://hooks.slack.com/services/…",
    );
  });
});
