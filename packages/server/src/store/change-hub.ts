/** Fans change notifications out to onChange listeners; a throwing listener never reaches the writer. */
import type { ChangeListener } from "./store.js";

export type ChangeEvent = Parameters<ChangeListener>[0];

/** Where the store reports what it cannot throw: listener failures, a lost LISTEN connection. */
export type StoreErrorHandler = (error: unknown, context: string) => void;

export const defaultErrorHandler: StoreErrorHandler = (error, context) => {
  console.error(`ramp store: ${context}:`, error);
};

export class ChangeHub {
  readonly #listeners = new Set<ChangeListener>();

  constructor(private readonly onError: StoreErrorHandler) {}

  subscribe(listener: ChangeListener): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const entry: ChangeListener = (event) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(event: ChangeEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error, "change listener threw");
      }
    }
  }
}
