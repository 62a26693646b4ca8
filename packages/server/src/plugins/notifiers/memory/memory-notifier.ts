/**
 * The `memory` notifier: keeps what it is sent in a list, for tests and dry runs. It can be told to
 * fail its next sends, or to hang until aborted, to exercise the delivery layer.
 */
import { NotifierError } from "../errors.js";
import type { Notification, Notifier } from "../notifier.js";

export interface MemoryNotifierOptions {
  /** Called before each send: "fail" rejects (retryable), "hang" waits for the abort, "ok" records. */
  readonly behave?: (notification: Notification, attempt: number) => "ok" | "fail" | "hang";
}

export class MemoryNotifier implements Notifier {
  readonly type = "memory";
  readonly target = "memory";
  /** Every notification accepted, in order. */
  readonly sent: Notification[] = [];
  /** Every attempt, accepted or not. */
  attempts = 0;

  constructor(private readonly options: MemoryNotifierOptions = {}) {}

  async send(notification: Notification, signal: AbortSignal): Promise<void> {
    this.attempts++;
    const how = this.options.behave?.(notification, this.attempts) ?? "ok";
    if (how === "fail") throw new NotifierError("HTTP_STATUS", "memory notifier: told to fail");
    if (how === "hang") {
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener("abort", () => resolve(), { once: true });
      });
      throw new NotifierError("TIMEOUT", "memory notifier: told to hang");
    }
    if (signal.aborted) throw new NotifierError("TIMEOUT", "memory notifier: aborted");
    this.sent.push(notification);
  }
}
