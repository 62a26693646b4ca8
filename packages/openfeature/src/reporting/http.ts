/** The one way the provider sends data to the server: a JSON POST with the SDK token and a deadline. */
import { describeError } from "../stream/stream-client.js";

export interface PostTarget {
  /** The server's base URL without a trailing slash, e.g. https://ramp.example.com */
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}

/** A failed POST; `retryable` is false when sending the same body again cannot succeed (a 4xx). */
export class PostError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = "PostError";
  }

  get retryable(): boolean {
    const status = this.status;
    return status === undefined || status === 408 || status === 429 || status >= 500;
  }
}

/** POSTs `body` as JSON to `path`; resolves on 2xx, rejects with a PostError naming the route otherwise. */
export async function postJson(target: PostTarget, path: string, body: unknown): Promise<void> {
  let response: Response;
  try {
    response = await target.fetch(`${target.baseUrl}${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${target.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (error) {
    throw new PostError(`POST ${path} failed: ${describeError(error)}`, undefined);
  }
  // Read the body either way, so the connection returns to the pool.
  const text = await response.text().catch(() => "");
  if (!response.ok)
    throw new PostError(
      `POST ${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`,
      response.status,
    );
}
