/** The one error type of the platform plug-ins: a code to branch on and a message a user can act on. */

export type PlatformErrorCode =
  /** The platform configuration is wrong (unknown type, unknown or mistyped option). */
  | "INVALID_CONFIG"
  /** The request cannot run on this platform (bad name, replica count, command, URL, option). */
  | "INVALID_REQUEST"
  /** The version is not deployed (scale of an unknown version). */
  | "NOT_DEPLOYED"
  /** The version is deployed with another command, env or cwd. */
  | "SPEC_CONFLICT"
  /** Not every replica became ready within readiness.timeoutMs. */
  | "READINESS_TIMEOUT"
  /** The command could not be started at all (not found, not executable). */
  | "SPAWN_FAILED"
  /** The version was torn down while the call waited for it. */
  | "TORN_DOWN"
  /** The platform cannot do this (scaling URLs someone else runs). */
  | "UNSUPPORTED"
  /** The platform was closed. */
  | "CLOSED";

export class PlatformError extends Error {
  override readonly name = "PlatformError";

  constructor(
    readonly code: PlatformErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** `service 'checkout' version 'v2'`: the prefix of every message about one deployment. */
export function describeVersion(service: string, version: string): string {
  return `service '${service}' version '${version}'`;
}
