/**
 * Routes each persisted decision's notifications to the server's notifiers and the rollout's own
 * (`spec.notifications`), through one NotifierQueue per notifier. publish() only queues: it never
 * waits for a destination, so the controller is never held up by one.
 */
import type { RolloutSpec } from "../../rollouts/rollout.js";
import type { RolloutStatus } from "../../rollouts/status.js";
import type { NotifierConfig } from "./config.js";
import { type DeliveryOptions, NotifierQueue } from "./delivery.js";
import { createNotifier, type NotifierFactoryConfig } from "./factory.js";
import { notificationsOf } from "./notification.js";
import { DEFAULT_NOTIFICATION_EVENTS, type NotificationEvent, type Notifier } from "./notifier.js";

/** A server-wide notifier: a configuration, or a Notifier built by the embedding code. */
export type NotifierEntry =
  | NotifierFactoryConfig
  | { readonly notifier: Notifier; readonly events?: readonly NotificationEvent[] };

export interface NotificationDispatcherOptions extends DeliveryOptions {
  /** Notifiers for every rollout's notifications. */
  readonly notifiers?: readonly NotifierEntry[];
}

/** What the dispatcher reads of a rollout. */
export type NotifyingRollout = Pick<RolloutSpec, "name" | "namespace" | "strategy"> & {
  readonly notifications?: readonly NotifierConfig[];
};

interface Route {
  readonly queue: NotifierQueue;
  readonly events: ReadonlySet<NotificationEvent>;
}

export class NotificationDispatcher {
  readonly #global: Route[];
  /** The rollouts' own notifiers, by configuration: a rollout re-applied unchanged keeps its queue. */
  readonly #own = new Map<string, Route>();
  readonly #log: (message: string) => void;
  #closed = false;

  /** @throws NotifierError INVALID_CONFIG for a bad server-wide notifier (path `notifiers[i]`) */
  constructor(private readonly options: NotificationDispatcherOptions = {}) {
    this.#log = options.log ?? ((m) => console.error(m));
    this.#global = (options.notifiers ?? []).map((entry, i) => {
      const notifier = "notifier" in entry ? entry.notifier : createNotifier(entry, `notifiers[${i}]`);
      const events = "events" in entry ? entry.events : undefined;
      return this.#route(notifier, events);
    });
  }

  /**
   * Queues the notifications of the entries `after` added to `before`'s history (call it once the
   * decision is persisted). Returns how many deliveries were queued.
   */
  publish(rollout: NotifyingRollout, before: Pick<RolloutStatus, "history">, after: RolloutStatus): number {
    if (this.#closed) return 0;
    const notifications = notificationsOf(rollout, before, after);
    if (notifications.length === 0) return 0;
    const routes = [...this.#global, ...this.#ownRoutes(rollout)];
    let queued = 0;
    for (const n of notifications)
      for (const r of routes) if (r.events.has(n.event) && r.queue.enqueue(n)) queued++;
    return queued;
  }

  /** Every queue, server-wide first (tests and diagnostics). */
  get queues(): readonly NotifierQueue[] {
    return [...this.#global, ...this.#own.values()].map((r) => r.queue);
  }

  /** Resolves once every queue is empty. */
  async idle(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.idle()));
  }

  /** Gives queued notifications up to `graceMs` to go out, then stops every queue. */
  async close(graceMs = 2000): Promise<void> {
    this.#closed = true;
    await Promise.all(this.queues.map((q) => q.close(graceMs)));
  }

  #ownRoutes(rollout: NotifyingRollout): Route[] {
    const routes: Route[] = [];
    (rollout.notifications ?? []).forEach((config, i) => {
      const key = JSON.stringify(config);
      let route = this.#own.get(key);
      if (route === undefined) {
        try {
          route = this.#route(
            createNotifier(config, `rollout ${rollout.name}: spec.notifications[${i}]`),
            config.events,
          );
        } catch (e) {
          // compile.ts checked the same configuration: this only happens to a spec stored by an older Ramp.
          this.#log(`${e instanceof Error ? e.message : String(e)}; its notifications are not sent`);
          return;
        }
        this.#own.set(key, route);
      }
      routes.push(route);
    });
    return routes;
  }

  #route(notifier: Notifier, events: readonly NotificationEvent[] | undefined): Route {
    const { notifiers: _, ...delivery } = this.options;
    return {
      queue: new NotifierQueue(notifier, { ...delivery, log: this.#log }),
      events: new Set(events ?? DEFAULT_NOTIFICATION_EVENTS),
    };
  }
}
