/**
 * One Flagger webhook call: a JSON POST of the payload, with the webhook's timeout and retries.
 * As in Flagger (pkg/controller/webhook.go), an answer above 202 is a "no"; never throws.
 */
import type { WebhookOutcome, WebhookPayload } from "../decide.js";

export interface CallOptions {
  readonly timeoutSeconds: number;
  /** Extra attempts after a network error, a timeout, a 429 or a 5xx (Flagger retries those too). */
  readonly retries: number;
  /** Stops waiting (the rollout's runtime closed). */
  readonly signal?: AbortSignal;
  /** Pause before attempt n+1 (default 250 ms × 2^n, at most 2 s). */
  readonly backoffMs?: (attempt: number) => number;
}

const BODY_SHOWN = 200;

/**
 * @example await callWebhook("http://127.0.0.1:8888/gate", payload, { timeoutSeconds: 10, retries: 1 })
 * // { passed: false, message: "HTTP 403: not yet" }
 */
export async function callWebhook(
  url: string,
  payload: WebhookPayload,
  options: CallOptions,
): Promise<WebhookOutcome> {
  const backoff = options.backoffMs ?? ((n: number) => Math.min(2000, 250 * 2 ** n));
  let last: WebhookOutcome = { passed: false, message: "not called" };
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await sleep(backoff(attempt - 1), options.signal);
    if (options.signal?.aborted) return { passed: false, message: "call abandoned: the rollout stopped" };
    const { outcome, retry } = await attemptOnce(url, payload, options);
    last = outcome;
    if (!retry) break;
  }
  return last;
}

async function attemptOnce(
  url: string,
  payload: WebhookPayload,
  options: CallOptions,
): Promise<{ outcome: WebhookOutcome; retry: boolean }> {
  const timeout = AbortSignal.timeout(options.timeoutSeconds * 1000);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal,
    });
    const body = (await response.text()).trim();
    const shown = body.length > BODY_SHOWN ? `${body.slice(0, BODY_SHOWN)}…` : body;
    const message = `HTTP ${response.status}${shown === "" ? "" : `: ${shown}`}`;
    // Flagger: a status above 202 is a failure (so 203–299 fail too).
    if (response.status <= 202) return { outcome: { passed: true, message }, retry: false };
    return { outcome: { passed: false, message }, retry: response.status === 429 || response.status >= 500 };
  } catch (e) {
    const timedOut = timeout.aborted;
    const message = timedOut
      ? `no answer within ${options.timeoutSeconds}s`
      : `${e instanceof Error ? (causeOf(e) ?? e.message) : String(e)}`;
    return { outcome: { passed: false, message }, retry: !options.signal?.aborted };
  }
}

function causeOf(e: Error): string | undefined {
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message}: ${cause.message}` : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
