/** Waiting in tests without sleeping blindly: poll a condition, or wait for one provider event. */
import type { ProviderEventEmitter, ServerProviderEvents } from "@openfeature/server-sdk";

/** Resolves with the condition's first truthy value; rejects after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  timeoutMs = 5_000,
): Promise<NonNullable<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<Awaited<T>>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Records every event a provider emits, in order, with its details. */
export class EventLog {
  readonly entries: { readonly type: ServerProviderEvents; readonly details: Record<string, unknown> }[] = [];

  constructor(events: ProviderEventEmitter<ServerProviderEvents>, types: readonly ServerProviderEvents[]) {
    for (const type of types) {
      events.addHandler(type, (details) => {
        this.entries.push({ type, details: { ...(details ?? {}) } });
      });
    }
  }

  types(): ServerProviderEvents[] {
    return this.entries.map((e) => e.type);
  }

  count(type: ServerProviderEvents): number {
    return this.entries.filter((e) => e.type === type).length;
  }

  /** Waits until `type` has been seen more than `after` times; returns that entry's details. */
  async next(type: ServerProviderEvents, after: number, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    return waitFor(
      `${type} #${after + 1}`,
      () => this.entries.filter((e) => e.type === type)[after]?.details,
      timeoutMs,
    );
  }
}
