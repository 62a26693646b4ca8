/**
 * Which notifications a persisted decision makes: the history entries it appended that map to a
 * NotificationEvent, each with the rollout's state after the decision. Pure.
 */
import type { RolloutSpec } from "../../rollouts/rollout.js";
import type { HistoryEntry, RolloutStatus } from "../../rollouts/status.js";
import type { Notification, NotificationEvent, NotificationSeverity } from "./notifier.js";

const SEVERITY: Readonly<Record<NotificationEvent, NotificationSeverity>> = {
  Started: "info",
  StepCompleted: "info",
  Resumed: "info",
  Completed: "info",
  Paused: "warning",
  RolledBack: "warning",
  Aborted: "error",
  AnalysisFailed: "error",
};

/** decide() records a finished run as "analysis run <id> <phase>". */
const FAILED_RUN = /\s(Failed|Error)$/;

/** The notification event a history entry stands for, if any. */
export function notificationEventOf(
  entry: Pick<HistoryEntry, "event" | "message">,
): NotificationEvent | null {
  switch (entry.event) {
    case "RevisionStarted":
      return "Started";
    case "StepCompleted":
    case "Paused":
    case "Resumed":
    case "Aborted":
    case "RolledBack":
      return entry.event;
    case "Promoted":
      return "Completed";
    // A Flagger gate holding the rollout (confirm-rollout, confirm-traffic-increase, confirm-promotion)
    // is a pause people should hear about. Failed Flagger checks already arrive as failed runs below.
    case "WebhookHeld":
      return "Paused";
    case "AnalysisCompleted":
      return FAILED_RUN.test(entry.message) ? "AnalysisFailed" : null;
    default:
      return null;
  }
}

/** The notifications for the entries `after` appended to `before`'s history, oldest first. */
export function notificationsOf(
  spec: Pick<RolloutSpec, "name" | "namespace" | "strategy">,
  before: Pick<RolloutStatus, "history">,
  after: RolloutStatus,
): Notification[] {
  const last = before.history[before.history.length - 1]?.seq ?? 0;
  const steps = spec.strategy.kind === "canary" ? spec.strategy.steps.length : 0;
  const out: Notification[] = [];
  for (const entry of after.history) {
    if (entry.seq <= last) continue;
    const event = notificationEventOf(entry);
    if (event === null) continue;
    out.push({
      rollout: spec.name,
      namespace: spec.namespace ?? "default",
      event,
      historyEvent: entry.event,
      severity: SEVERITY[event],
      message: entry.message,
      phase: after.phase,
      revision: entry.revision,
      stepIndex: entry.stepIndex,
      steps,
      weight: entry.weight,
      stableVersion: after.stableVersion,
      canaryVersion: after.canaryVersion,
      seq: entry.seq,
      at: entry.at,
    });
  }
  return out;
}
