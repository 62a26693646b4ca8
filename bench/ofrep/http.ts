/** The few HTTP calls made outside the timed load (setup, seeding, the correctness check). */

const TIMEOUT_MS = 10_000;

export interface JsonResponse {
  readonly status: number;
  /** The parsed body, or the raw text when it is not JSON. */
  readonly body: unknown;
}

/** One request with a JSON body (when given) and a timeout; never throws on an HTTP error status. */
export async function call(
  method: "GET" | "POST",
  url: string,
  headers: Readonly<Record<string, string>>,
  body?: unknown,
): Promise<JsonResponse> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/** Like `call`, but a status outside 2xx is an error naming the request and quoting the answer. */
export async function callOk(
  method: "GET" | "POST",
  url: string,
  headers: Readonly<Record<string, string>>,
  body?: unknown,
): Promise<unknown> {
  const response = await call(method, url, headers, body);
  if (response.status < 200 || response.status > 299)
    throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
  return response.body;
}

/**
 * Polls `probe` every 100 ms until it returns true. Rejects after `timeoutMs`, or as soon as `failure`
 * returns a reason (say, the server being polled has exited).
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  failure: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    const reason = failure();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A property of a JSON object, or undefined when `value` is not an object. */
export function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && name in value
    ? (value as Record<string, unknown>)[name]
    : undefined;
}
