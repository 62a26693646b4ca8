/** The HTTP POST both HTTP notifiers use: JSON body, one attempt, errors as NotifierError. */
import { NotifierError } from "./errors.js";

/** Characters of a failed response's body quoted in the error (receivers often explain there). */
const BODY_EXCERPT = 200;

/**
 * POSTs `body` as JSON to `url`; resolves on a 2xx answer. 4xx answers are not retried (the request
 * itself is wrong) except 408 and 429; 5xx, network errors and the abort of `signal` are.
 */
export async function postJson(
  url: string,
  body: unknown,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "user-agent": "ramp-notifier", ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
      redirect: "error",
    });
  } catch (e) {
    if (signal.aborted) throw new NotifierError("TIMEOUT", `no answer from ${safeTarget(url)} in time`);
    throw new NotifierError("UNREACHABLE", `cannot reach ${safeTarget(url)}: ${causeOf(e)}`);
  }
  if (res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return;
  }
  const text = await res.text().catch(() => "");
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  const excerpt = text.trim().slice(0, BODY_EXCERPT);
  throw new NotifierError(
    "HTTP_STATUS",
    `${safeTarget(url)} answered ${res.status}${excerpt === "" ? "" : `: ${excerpt}`}`,
    retryable,
  );
}

/** For logs: `https://hooks.slack.com/services/T0/B0/secret` → `https://hooks.slack.com/services/…`. */
export function safeTarget(url: string): string {
  try {
    const u = new URL(url);
    // Incoming-webhook URLs carry their secret in the path: keep only the first segment.
    const first = u.pathname.split("/").filter((s) => s !== "")[0];
    const path = first === undefined ? "/" : `/${first}${u.pathname.length > first.length + 1 ? "/…" : ""}`;
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return "(invalid URL)";
  }
}

function causeOf(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  const code = cause instanceof Error && "code" in cause ? String(cause.code) : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return code === undefined || message.includes(code) ? message : `${code} ${message}`;
}
