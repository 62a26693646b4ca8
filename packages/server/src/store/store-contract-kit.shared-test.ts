/**
 * What the parts of the Store contract suite share: the factory's shape, the per-test context, and
 * helpers. The suite itself starts in store.shared-test.ts.
 */
import type { StoreErrorHandler } from "./change-hub.js";
import type { Store } from "./store.js";

export interface StoreUnderTest {
  readonly store: Store;
  /** Runs one SQL statement on the store's database behind its back (to tamper with rows). */
  exec(statement: string): Promise<void>;
  /** Closes the store and whatever exec used. */
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly clock: () => Date;
  readonly onError: StoreErrorHandler;
}

/** Opens a fresh, empty store with the given clock and error handler. */
export type OpenStore = (options: OpenOptions) => Promise<StoreUnderTest>;

/** The current test's store; read it inside hooks and tests, never while collecting. */
export interface SuiteContext {
  readonly dialect: string;
  readonly subject: StoreUnderTest;
  readonly store: Store;
  /** The ISO timestamp of the store's n-th clock reading in this test (0-based, one second apart). */
  at(n: number): string;
  /** What the store reported through onError in this test. */
  readonly errors: readonly { error: unknown; context: string }[];
}

export const ENVS = [
  { key: "development", name: "Development" },
  { key: "production", name: "Production" },
];

/** Polls until `probe` returns a value (notifications from PostgreSQL arrive asynchronously). */
export async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A clock that advances one second per reading, so timestamps are exact and distinct. */
export function steppingClock(start = Date.UTC(2025, 0, 1)): { clock: () => Date; at(n: number): string } {
  let ticks = 0;
  return {
    clock: () => new Date(start + 1000 * ticks++),
    at: (n) => new Date(start + 1000 * n).toISOString(),
  };
}
