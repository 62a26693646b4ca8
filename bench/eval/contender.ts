/** The one interface every implementation of `new_checkout` under test provides. */
import type { BenchContext } from "./scenario.js";

export interface Contender {
  /** Row name in the report: "ramp", "floor", or the peer's package name. */
  readonly name: string;
  /** The floor is the yardstick, ramp the subject; every peer is a competitor. */
  readonly role: "floor" | "ramp" | "peer";
  /**
   * True when the implementation buckets exactly like the floor (murmur3 of `new_checkout:<key>`), so it
   * must agree on every context, the rollout included; peers hash differently and agree only outside it.
   */
  readonly sameBucketsAsFloor: boolean;
  /**
   * Evaluates the flag once for each prepared context, in order, writing 1 (on) or 0 (off) to `out`, and
   * returns how many were on. Timing and the correctness check both go through this one path.
   */
  sweep(out: Uint8Array): number | Promise<number>;
  /** Releases timers and clients, so the process can exit. */
  close(): void | Promise<void>;
}

/**
 * Builds a contender for the given users: loads the flag into the implementation and converts each
 * context to the implementation's own shape up front, so the conversion is not timed.
 */
export type ContenderFactory = (contexts: readonly BenchContext[]) => Contender | Promise<Contender>;
