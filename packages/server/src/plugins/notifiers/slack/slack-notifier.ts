/**
 * The `slack` notifier: POSTs a Slack incoming-webhook message (`text` plus one attachment coloured
 * by the event). Attachments, not blocks, because Mattermost's and Discord's Slack-compatible
 * endpoints (`…/slack`) render them too, colour included.
 */
import { postJson, safeTarget } from "../http.js";
import type { Notification, NotificationEvent, Notifier } from "../notifier.js";

export interface SlackNotifierOptions {
  readonly url: string;
  /** Overrides the webhook's default channel, e.g. "#deploys" (where the workspace allows it). */
  readonly channel?: string;
  /** Overrides the webhook's default sender name. */
  readonly username?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SlackField {
  readonly title: string;
  readonly value: string;
  readonly short: boolean;
}

export interface SlackAttachment {
  readonly color: string;
  readonly fallback: string;
  readonly title: string;
  readonly text: string;
  readonly fields: readonly SlackField[];
  readonly footer: string;
  /** Seconds since the epoch. */
  readonly ts: number;
}

/** The body Slack's incoming webhooks take (channel and username only when configured). */
export interface SlackPayload {
  readonly text: string;
  readonly channel?: string;
  readonly username?: string;
  readonly attachments: readonly [SlackAttachment];
}

/** Green when done, blue while progressing, amber when waiting, red when it went wrong. */
export const SLACK_COLORS: Readonly<Record<NotificationEvent, string>> = {
  Started: "#439fe0",
  StepCompleted: "#439fe0",
  Resumed: "#439fe0",
  Paused: "#daa038",
  RolledBack: "#daa038",
  Aborted: "#a30200",
  AnalysisFailed: "#a30200",
  Completed: "#2eb886",
};

const WORDS: Readonly<Record<NotificationEvent, string>> = {
  Started: "started",
  StepCompleted: "step completed",
  Resumed: "resumed",
  Paused: "paused",
  RolledBack: "rolled back",
  Aborted: "aborted",
  AnalysisFailed: "analysis failed",
  Completed: "completed",
};

export function slackPayload(n: Notification, options: Omit<SlackNotifierOptions, "url"> = {}): SlackPayload {
  const name = `${n.namespace}/${n.rollout}`;
  const summary = `Rollout ${escapeText(name)} ${WORDS[n.event]}: ${escapeText(n.message)}`;
  const fields: SlackField[] = [
    { title: "Phase", value: n.phase, short: true },
    { title: "Canary weight", value: `${n.weight}%`, short: true },
    { title: "Stable", value: n.stableVersion ?? "—", short: true },
    { title: "Canary", value: n.canaryVersion ?? "—", short: true },
  ];
  if (n.stepIndex !== null && n.steps > 0)
    fields.push({ title: "Step", value: `${Math.min(n.stepIndex + 1, n.steps)}/${n.steps}`, short: true });
  fields.push({ title: "Revision", value: String(n.revision), short: true });
  return {
    text: summary,
    ...(options.channel !== undefined && { channel: options.channel }),
    ...(options.username !== undefined && { username: options.username }),
    attachments: [
      {
        color: SLACK_COLORS[n.event],
        fallback: summary,
        title: `${name}: ${n.event}`,
        text: escapeText(n.message),
        fields: fields.map((f) => ({ ...f, value: escapeText(f.value) })),
        footer: `Ramp · revision ${n.revision} · seq ${n.seq}`,
        ts: Math.floor(Date.parse(n.at) / 1000),
      },
    ],
  };
}

export class SlackNotifier implements Notifier {
  readonly type = "slack";
  readonly target: string;

  constructor(private readonly options: SlackNotifierOptions) {
    this.target = `slack ${safeTarget(options.url)}`;
  }

  send(notification: Notification, signal: AbortSignal): Promise<void> {
    const { url, headers, ...rest } = this.options;
    return postJson(url, slackPayload(notification, rest), headers ?? {}, signal);
  }
}

/** Slack's three control characters in message text. */
function escapeText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
