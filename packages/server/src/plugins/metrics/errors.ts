/** The one error type of the metric provider plug-ins: a code to branch on and a message a user can act on. */

export type MetricProviderErrorCode =
  /** The metric names no provider, or more than one. */
  | "NO_PROVIDER"
  /** The provider key is not one Ramp knows. */
  | "UNKNOWN_PROVIDER"
  /** A known provider that this build cannot run yet, or that was not configured (no source). */
  | "UNAVAILABLE";

export class MetricProviderError extends Error {
  override readonly name = "MetricProviderError";

  constructor(
    readonly code: MetricProviderErrorCode,
    message: string,
  ) {
    super(message);
  }
}
