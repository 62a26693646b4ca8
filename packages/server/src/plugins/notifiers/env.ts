/** Server-wide notifiers from the environment: RAMP_NOTIFY_WEBHOOK_URL and RAMP_NOTIFY_SLACK_URL. */
import type { NotifierConfig } from "./config.js";

/**
 * One webhook and/or one Slack notifier with the default events, for `ramp server` and containers.
 * Empty values count as unset. The factory validates the URLs when the server starts.
 */
export function notifiersFromEnv(env: Readonly<Record<string, string | undefined>>): NotifierConfig[] {
  const out: NotifierConfig[] = [];
  const webhook = env.RAMP_NOTIFY_WEBHOOK_URL?.trim();
  const slack = env.RAMP_NOTIFY_SLACK_URL?.trim();
  if (webhook) out.push({ type: "webhook", url: webhook });
  if (slack) out.push({ type: "slack", url: slack });
  return out;
}
