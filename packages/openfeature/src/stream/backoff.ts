/**
 * Reconnection delays: exponential backoff with full jitter (a uniform draw below the exponential
 * ceiling), so a fleet of SDKs that lost the server at the same moment does not return in lockstep.
 */

export interface BackoffPolicy {
  /** The ceiling of the first retry's delay, milliseconds. */
  readonly initialDelayMs: number;
  /** The largest delay ever drawn, milliseconds. */
  readonly maxDelayMs: number;
}

/**
 * The cap bounds how stale a process stays after the server returns (a kill switch flipped during an
 * outage lands within ~4 s); with full jitter, N SDKs retry at about N / 2 s while it is down.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 4_000 };

/** The ceiling for retry number `attempt` (0 for the first retry): initial·2^attempt, capped. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  // 2^31 is far past any sane cap; clamping the exponent keeps the product finite.
  const exponent = Math.min(Math.max(attempt, 0), 31);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}

/**
 * The delay before retry number `attempt`: uniform in [0, ceiling) ("full jitter").
 * @example backoffDelay(3, { initialDelayMs: 1000, maxDelayMs: 30000 }, Math.random) // in [0, 8000)
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}
