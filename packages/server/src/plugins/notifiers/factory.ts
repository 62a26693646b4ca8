/** The one way to get a Notifier from configuration: unknown types, events and options fail loudly, by path. */
import { nearest } from "@ramp/engine";
import { checkNotifierConfig, type NotifierConfig } from "./config.js";
import { NotifierError } from "./errors.js";
import { MemoryNotifier } from "./memory/memory-notifier.js";
import type { Notifier } from "./notifier.js";
import { SlackNotifier } from "./slack/slack-notifier.js";
import { WebhookNotifier } from "./webhook/webhook-notifier.js";

/** Every type the factory makes; `memory` is for tests and dry runs and has no URL. */
export const NOTIFIER_TYPES = ["webhook", "slack", "memory"] as const;

export type NotifierFactoryConfig = NotifierConfig | { readonly type: "memory" };

/**
 * @example createNotifier({ type: "slack", url: "https://hooks.slack.com/services/T/B/x", channel: "#deploys" })
 * @param path where the configuration came from, for error messages (e.g. `spec.notifications[0]`)
 * @throws NotifierError INVALID_CONFIG naming the bad field, what was expected, and the likely fix
 */
export function createNotifier(config: NotifierFactoryConfig, path = "notifier"): Notifier {
  const type: unknown = (config as { type?: unknown } | null)?.type;
  if (type === "memory") {
    const extra = Object.keys(config).filter((k) => k !== "type");
    if (extra.length > 0)
      throw new NotifierError("INVALID_CONFIG", `${path}.${extra[0]}: a memory notifier takes no options`);
    return new MemoryNotifier();
  }
  if (typeof type !== "string" || !(NOTIFIER_TYPES as readonly string[]).includes(type)) {
    const hint = typeof type === "string" ? nearest(type, NOTIFIER_TYPES) : undefined;
    throw new NotifierError(
      "INVALID_CONFIG",
      `${path}.type: unknown notifier type ${JSON.stringify(type)}${hint === undefined ? "" : ` (did you mean '${hint}'?)`}; known types: ${NOTIFIER_TYPES.join(", ")}`,
    );
  }
  const issue = checkNotifierConfig(config, path).find((i) => i.severity === "error");
  if (issue !== undefined) {
    const expected =
      issue.expected === undefined || issue.message.includes(issue.expected)
        ? ""
        : `; expected ${issue.expected}`;
    const hint = issue.suggestion === undefined ? "" : ` (${issue.suggestion})`;
    throw new NotifierError("INVALID_CONFIG", `${issue.path}: ${issue.message}${expected}${hint}`);
  }
  const c = config as NotifierConfig;
  if (c.type === "webhook")
    return new WebhookNotifier({ url: c.url, ...(c.headers !== undefined && { headers: c.headers }) });
  return new SlackNotifier({
    url: c.url,
    ...(c.headers !== undefined && { headers: c.headers }),
    ...(c.channel !== undefined && { channel: c.channel }),
    ...(c.username !== undefined && { username: c.username }),
  });
}
