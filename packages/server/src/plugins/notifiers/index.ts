/** Notifier plug-ins: where rollout notifications go (webhook, Slack), and how they are delivered. */
export {
  checkNotifierConfig,
  compileNotifications,
  type NotifierConfig,
  type NotifierDocument,
  notificationsSchema,
  notifierSchema,
  type SlackNotifierConfig,
  type WebhookNotifierConfig,
} from "./config.js";
export { type DeliveryOptions, type DeliveryStats, NotifierQueue } from "./delivery.js";
export {
  NotificationDispatcher,
  type NotificationDispatcherOptions,
  type NotifierEntry,
} from "./dispatcher.js";
export { notifiersFromEnv } from "./env.js";
export { NotifierError, type NotifierErrorCode } from "./errors.js";
export { createNotifier, NOTIFIER_TYPES, type NotifierFactoryConfig } from "./factory.js";
export { MemoryNotifier } from "./memory/memory-notifier.js";
export { notificationEventOf, notificationsOf } from "./notification.js";
export {
  DEFAULT_NOTIFICATION_EVENTS,
  NOTIFICATION_EVENTS,
  type Notification,
  type NotificationEvent,
  type NotificationSeverity,
  type Notifier,
} from "./notifier.js";
export { SlackNotifier, type SlackPayload, slackPayload } from "./slack/slack-notifier.js";
export { WebhookNotifier, type WebhookPayload, webhookPayload } from "./webhook/webhook-notifier.js";
