/**
 * The notifier plug-in interface: where a rollout's notable transitions (a step completed, a pause,
 * an abort, a promotion, a failed analysis) are sent. Implementations only send one notification;
 * queueing, retries, timeouts and de-duplication are the delivery layer's (delivery.ts).
 */

/**
 * The events a notifier can be asked for, in Ramp's words. Each comes from a rollout history entry:
 * Started ← RevisionStarted, StepCompleted ← StepCompleted, Paused ← Paused, Resumed ← Resumed,
 * Aborted ← Aborted, AnalysisFailed ← AnalysisCompleted with a Failed or Error run,
 * Completed ← Promoted (the new version is stable), RolledBack ← RolledBack.
 */
export const NOTIFICATION_EVENTS = [
  "Started",
  "StepCompleted",
  "Paused",
  "Resumed",
  "Aborted",
  "AnalysisFailed",
  "Completed",
  "RolledBack",
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** What a notifier sends when its configuration names no `events`. */
export const DEFAULT_NOTIFICATION_EVENTS: readonly NotificationEvent[] = [
  "StepCompleted",
  "Paused",
  "Aborted",
  "AnalysisFailed",
  "Completed",
];

/** How bad the news is: chooses the Slack colour; webhook receivers can route on it. */
export type NotificationSeverity = "info" | "warning" | "error";

/** One notification: a rollout history entry with the rollout's state after the decision that made it. */
export interface Notification {
  readonly rollout: string;
  /** metadata.namespace, or "default". */
  readonly namespace: string;
  readonly event: NotificationEvent;
  /** The history entry's own event name (e.g. AnalysisCompleted for AnalysisFailed). */
  readonly historyEvent: string;
  readonly severity: NotificationSeverity;
  /** The history entry's message, e.g. "step 2/5: paused 1s". */
  readonly message: string;
  /** The rollout phase after the decision: Healthy, Progressing, Paused or Degraded. */
  readonly phase: string;
  readonly revision: number;
  /** The canary step the entry was recorded at (0-based), null when not rolling out. */
  readonly stepIndex: number | null;
  /** Canary steps in the spec (0 for blue-green and Flagger-style analysis, whose steps are computed). */
  readonly steps: number;
  /** The canary's traffic weight (0–100) right after the transition. */
  readonly weight: number;
  readonly stableVersion: string | null;
  /** The version being rolled out; null once it is promoted or rolled back. */
  readonly canaryVersion: string | null;
  /** The history sequence number: unique and increasing per rollout. */
  readonly seq: number;
  /** ISO time of the transition. */
  readonly at: string;
}

/**
 * Sends notifications to one destination.
 *
 * @example
 * const n = createNotifier({ type: "webhook", url: "http://127.0.0.1:9000/hook" });
 * await n.send(notification, AbortSignal.timeout(5000));
 */
export interface Notifier {
  /** The implementation's type, as configured ("webhook", "slack", "memory"). */
  readonly type: string;
  /** Where it sends, for logs: scheme, host and path only (no query, no credentials). */
  readonly target: string;
  /**
   * Sends one notification. Resolves once the destination accepted it; rejects with a NotifierError
   * otherwise (`retryable` tells the delivery layer whether another attempt can help). Must stop and
   * reject promptly when `signal` aborts (the per-attempt timeout).
   */
  send(notification: Notification, signal: AbortSignal): Promise<void>;
}
