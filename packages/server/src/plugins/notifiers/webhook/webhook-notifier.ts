/**
 * The `webhook` notifier: POSTs each notification as one JSON object (WebhookPayload) to a URL, with
 * optional extra headers (an Authorization header, a routing key).
 */
import { postJson, safeTarget } from "../http.js";
import type { Notification, Notifier } from "../notifier.js";

export interface WebhookNotifierOptions {
  readonly url: string;
  /** Sent with every request (content-type is always application/json). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The JSON body of a webhook notification (version 1). Fields are only ever added, never renamed.
 *
 * @example
 * { "kind": "RolloutNotification", "version": 1, "rollout": "checkout", "namespace": "default",
 *   "event": "StepCompleted", "historyEvent": "StepCompleted", "severity": "info",
 *   "message": "step 1/5: canary weight 20%", "phase": "Progressing", "revision": 2,
 *   "stepIndex": 0, "steps": 5, "weight": 20, "stableVersion": "v1", "canaryVersion": "v2",
 *   "seq": 7, "at": "2026-01-01T12:00:00.000Z" }
 */
export interface WebhookPayload extends Notification {
  readonly kind: "RolloutNotification";
  readonly version: 1;
}

export function webhookPayload(n: Notification): WebhookPayload {
  return {
    kind: "RolloutNotification",
    version: 1,
    rollout: n.rollout,
    namespace: n.namespace,
    event: n.event,
    historyEvent: n.historyEvent,
    severity: n.severity,
    message: n.message,
    phase: n.phase,
    revision: n.revision,
    stepIndex: n.stepIndex,
    steps: n.steps,
    weight: n.weight,
    stableVersion: n.stableVersion,
    canaryVersion: n.canaryVersion,
    seq: n.seq,
    at: n.at,
  };
}

export class WebhookNotifier implements Notifier {
  readonly type = "webhook";
  readonly target: string;
  readonly #url: string;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: WebhookNotifierOptions) {
    this.#url = options.url;
    this.#headers = options.headers ?? {};
    this.target = `webhook ${safeTarget(options.url)}`;
  }

  send(notification: Notification, signal: AbortSignal): Promise<void> {
    return postJson(this.#url, webhookPayload(notification), this.#headers, signal);
  }
}
