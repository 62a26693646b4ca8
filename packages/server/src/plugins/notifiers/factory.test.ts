import { describe, expect, it } from "vitest";
import { NotifierError } from "./errors.js";
import { createNotifier, NOTIFIER_TYPES, type NotifierFactoryConfig } from "./factory.js";
import { MemoryNotifier } from "./memory/memory-notifier.js";
import { SlackNotifier } from "./slack/slack-notifier.js";
import { WebhookNotifier } from "./webhook/webhook-notifier.js";

/** What a YAML file or an untyped caller can hold, whatever the types say. */
const fromFile = (value: unknown) => value as NotifierFactoryConfig;

function errorOf(run: () => unknown): NotifierError {
  try {
    run();
  } catch (error) {
    if (error instanceof NotifierError) return error;
    throw error;
  }
  throw new Error("expected a NotifierError");
}

describe("createNotifier", () => {
  it("creates each known type", () => {
    expect(NOTIFIER_TYPES).toEqual(["webhook", "slack", "memory"]);
    expect(createNotifier({ type: "webhook", url: "http://127.0.0.1:9/hook" })).toBeInstanceOf(
      WebhookNotifier,
    );
    expect(
      createNotifier({ type: "slack", url: "https://hooks.slack.com/services/T/B/x", channel: "#deploys" }),
    ).toBeInstanceOf(SlackNotifier);
    expect(createNotifier({ type: "memory" })).toBeInstanceOf(MemoryNotifier);
  });

  it("rejects an unknown type, naming the likely one and the known ones", () => {
    const e = errorOf(() => createNotifier(fromFile({ type: "slak", url: "http://x" }), "notifiers[1]"));
    expect(e.code).toBe("INVALID_CONFIG");
    expect(e.retryable).toBe(false);
    expect(e.message).toBe(
      `notifiers[1].type: unknown notifier type "slak" (did you mean 'slack'?); known types: webhook, slack, memory`,
    );
    expect(errorOf(() => createNotifier(fromFile({ url: "http://x" }))).message).toContain(
      "notifier.type: unknown notifier type undefined",
    );
  });

  it("rejects an unknown event with a did-you-mean, by path", () => {
    const e = errorOf(() =>
      createNotifier(fromFile({ type: "webhook", url: "http://x/", events: ["Aborted", "Complete"] }), "n"),
    );
    expect(e.message).toMatch(
      /^n\.events\[1\]: the string "Complete" is not one of "Started", .*"RolledBack" \(did you mean 'Completed'\?\)$/,
    );
  });

  it("rejects unknown options, bad URLs, headers and slack-only fields on a webhook", () => {
    const cases: [unknown, string][] = [
      [{ type: "webhook", url: "http://x/", chanel: "#a" }, "n.chanel: unknown field 'chanel'"],
      [{ type: "webhook", url: "not a url" }, `n.url: "not a url" is not a URL`],
      [{ type: "slack", url: "ftp://x/y" }, "n.url: 'ftp:' URLs cannot be POSTed to"],
      [{ type: "webhook", url: "http://x/", channel: "#a" }, "n.channel: is only for slack notifiers"],
      [{ type: "webhook", url: "http://x/", headers: { "bad header": "1" } }, "is not an HTTP header name"],
      [{ type: "webhook", url: "http://x/", headers: { "x-a": "1\r\nx-b: 2" } }, "cannot hold line breaks"],
      [{ type: "webhook" }, "n.url: missing required field 'url'"],
      [{ type: "memory", url: "http://x/" }, "n.url: a memory notifier takes no options"],
    ];
    for (const [config, message] of cases)
      expect(errorOf(() => createNotifier(fromFile(config), "n")).message).toContain(message);
  });
});
