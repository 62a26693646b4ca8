/** What to tell someone whose write to a flag failed: both flag controls word it alike. */
import { ApiError } from "../api/client.js";

/**
 * A lost race (409: the caller reloads the flag) asks to look again; anything else is `notDone`
 * with the server's reason, e.g. "Not applied: variant 'x' is not defined".
 */
export function flagWriteFailure(e: unknown, notDone: string): string {
  return e instanceof ApiError && e.status === 409
    ? "Someone else changed this flag first; it was reloaded — look again and retry."
    : `${notDone}: ${e instanceof Error ? e.message : String(e)}`;
}
