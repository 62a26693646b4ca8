/**
 * How notifiers are configured — a Rollout's `spec.notifications` entries and the server's own
 * notifiers share one schema — and the checks a schema cannot say (URL, header names, fields that
 * belong to another type).
 */
import { checkStructure, type Issue, joinPath, type Static, t } from "@ramp/engine";
import { DEFAULT_NOTIFICATION_EVENTS, NOTIFICATION_EVENTS, type NotificationEvent } from "./notifier.js";

/** One notifier as written in YAML or passed to startServer({ notifiers }). */
export const notifierSchema = t.object(
  {
    type: t.enum(["webhook", "slack"], {
      description: "webhook: JSON POST of each notification; slack: a Slack incoming-webhook message.",
    }),
    url: t.string({ minLength: 1, description: "The http(s) URL to POST to." }),
    events: t.array(t.enum(NOTIFICATION_EVENTS), {
      description: `Which events to send (default: ${DEFAULT_NOTIFICATION_EVENTS.join(", ")}).`,
    }),
    headers: t.record(t.string(), { description: "Extra HTTP headers, e.g. Authorization." }),
    channel: t.string({
      minLength: 1,
      description: "slack: the channel to post to instead of the webhook's.",
    }),
    username: t.string({ minLength: 1, description: "slack: the sender name instead of the webhook's." }),
  },
  ["type", "url"],
  { description: "Where to send this rollout's notifications (Ramp extension)." },
);

/** `spec.notifications`: a Ramp extension to the Rollout. */
export const notificationsSchema = t.array(notifierSchema, {
  description:
    "Ramp extension: notifiers for this rollout's step completions, pauses, aborts and promotions.",
});

export type NotifierDocument = Static<typeof notifierSchema>;
export type NotifierType = NotifierDocument["type"];

interface CommonConfig {
  readonly url: string;
  /** The events to send; defaults to DEFAULT_NOTIFICATION_EVENTS. */
  readonly events?: readonly NotificationEvent[];
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WebhookNotifierConfig extends CommonConfig {
  readonly type: "webhook";
}

export interface SlackNotifierConfig extends CommonConfig {
  readonly type: "slack";
  readonly channel?: string;
  readonly username?: string;
}

/** A notifier's configuration, as the factory takes it. */
export type NotifierConfig = WebhookNotifierConfig | SlackNotifierConfig;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SLACK_ONLY = ["channel", "username"] as const;

/** Every problem of one notifier configuration (structure and meaning), each with its path. */
export function checkNotifierConfig(value: unknown, path: string): Issue[] {
  const issues: Issue[] = [];
  if (!checkStructure(notifierSchema, value, path, issues)) return issues;
  return meaningIssues(value as NotifierDocument, path);
}

/**
 * The meaning checks of `spec.notifications` (its structure is checked with the rest of the
 * Rollout) and the configurations with their defaults filled in.
 */
export function compileNotifications(
  docs: readonly NotifierDocument[],
  path: string,
): { readonly notifications: NotifierConfig[]; readonly issues: Issue[] } {
  const issues = docs.flatMap((d, i) => meaningIssues(d, joinPath(path, i)));
  return { notifications: docs.map(withDefaults), issues };
}

/** The configuration with `events` spelled out, so what a rollout sends is visible in its spec. */
export function withDefaults(doc: NotifierDocument): NotifierConfig {
  const common = {
    url: doc.url,
    events: [...new Set(doc.events ?? DEFAULT_NOTIFICATION_EVENTS)],
    ...(doc.headers !== undefined && { headers: doc.headers }),
  };
  if (doc.type === "webhook") return { type: "webhook", ...common };
  return {
    type: "slack",
    ...common,
    ...(doc.channel !== undefined && { channel: doc.channel }),
    ...(doc.username !== undefined && { username: doc.username }),
  };
}

function meaningIssues(doc: NotifierDocument, path: string): Issue[] {
  const issues: Issue[] = [];
  const error = (at: string, message: string, expected?: string, suggestion?: string) =>
    issues.push({
      path: at,
      message,
      severity: "error",
      ...(expected !== undefined && { expected }),
      ...(suggestion !== undefined && { suggestion }),
    });
  let url: URL | undefined;
  try {
    url = new URL(doc.url);
  } catch {
    error(joinPath(path, "url"), `${JSON.stringify(doc.url)} is not a URL`, "an http(s) URL");
  }
  if (url !== undefined && url.protocol !== "http:" && url.protocol !== "https:")
    error(joinPath(path, "url"), `'${url.protocol}' URLs cannot be POSTed to`, "an http(s) URL");
  for (const [name, value] of Object.entries(doc.headers ?? {})) {
    const at = joinPath(joinPath(path, "headers"), name);
    if (!HEADER_NAME.test(name)) error(at, `'${name}' is not an HTTP header name`, "letters, digits and '-'");
    else if (/[\r\n\0]/.test(value)) error(at, "a header value cannot hold line breaks or NUL");
    else if (name.toLowerCase() === "content-type")
      error(at, "is always application/json", undefined, "remove this header");
  }
  if (doc.type !== "slack") {
    for (const key of SLACK_ONLY)
      if (doc[key] !== undefined)
        error(joinPath(path, key), `is only for slack notifiers`, undefined, `remove it, or use type: slack`);
  }
  return issues;
}
