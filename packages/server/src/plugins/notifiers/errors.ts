/** The one error type of the notifier plug-ins: a code to branch on and a message a user can act on. */

export type NotifierErrorCode =
  /** The notifier configuration is wrong (unknown type, event or option, bad URL). */
  | "INVALID_CONFIG"
  /** The destination answered with an error status. */
  | "HTTP_STATUS"
  /** The destination could not be reached (refused, reset, DNS). */
  | "UNREACHABLE"
  /** The attempt took longer than the per-attempt timeout. */
  | "TIMEOUT";

export class NotifierError extends Error {
  override readonly name = "NotifierError";

  constructor(
    readonly code: NotifierErrorCode,
    message: string,
    /** Whether another attempt may succeed (5xx, 408, 429, network errors, timeouts). */
    readonly retryable = code !== "INVALID_CONFIG",
  ) {
    super(message);
  }
}
