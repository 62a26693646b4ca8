/**
 * The Authorization header for a provider's `authentication` settings: basic auth, or an OAuth2
 * client-credentials token (RFC 6749 §4.4) fetched from `tokenUrl` and kept until shortly before it
 * expires, as Argo's golang.org/x/oauth2 client does.
 */

import { describeValue, isPlainObject } from "../../../analysis/issues.js";
import { excerpt, httpCall } from "./request.js";
import type { AuthSettings, OAuth2Settings } from "./settings.js";

interface CachedToken {
  readonly header: string;
  /** Milliseconds since the epoch; Infinity when the server gave no expires_in. */
  readonly expiresAt: number;
}

// Renew this long before expiry, so a token does not lapse between fetching it and using it.
const EXPIRY_MARGIN_MS = 10_000;

/** Tokens per client and token URL; one instance per provider, shared by its measurements. */
export class AuthHeaders {
  readonly #tokens = new Map<string, CachedToken>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** `{ header }` to send (undefined: no authentication), or `{ error }` when no token could be had. */
  async header(
    auth: AuthSettings,
    options: { timeoutMs: number; signal?: AbortSignal; insecure?: boolean },
  ): Promise<{ header: string | undefined } | { error: string }> {
    if (auth.oauth2 !== undefined) return this.#oauth2(auth.oauth2, options);
    if (auth.basicAuth !== undefined) {
      const { username, password } = auth.basicAuth;
      return { header: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
    }
    return { header: undefined };
  }

  async #oauth2(
    o: OAuth2Settings,
    options: { timeoutMs: number; signal?: AbortSignal; insecure?: boolean },
  ): Promise<{ header: string } | { error: string }> {
    const key = JSON.stringify([o.tokenUrl, o.clientId, o.clientSecret, o.scopes]);
    const cached = this.#tokens.get(key);
    if (cached !== undefined && cached.expiresAt - EXPIRY_MARGIN_MS > this.clock())
      return { header: cached.header };
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (o.scopes.length > 0) form.set("scope", o.scopes.join(" "));
    // RFC 6749 §2.3.1: the client's id and secret, form-encoded, as HTTP basic credentials.
    const credentials = `${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`;
    const answer = await httpCall({
      method: "POST",
      url: o.tokenUrl,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        authorization: `Basic ${Buffer.from(credentials).toString("base64")}`,
      },
      body: form.toString(),
      timeoutMs: options.timeoutMs,
      maxBytes: 1024 * 1024,
      ...(options.signal !== undefined && { signal: options.signal }),
      ...(options.insecure !== undefined && { insecure: options.insecure }),
    });
    const where = `OAuth2 token from ${o.tokenUrl}`;
    if (!answer.ok) return { error: `${where}: ${answer.reason}` };
    if (answer.status < 200 || answer.status >= 300) {
      return { error: `${where}: HTTP ${answer.status}: ${excerpt(answer.body, 200)}` };
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return { error: `${where}: the answer is not JSON: ${excerpt(answer.body, 200)}` };
    }
    if (!isPlainObject(body))
      return { error: `${where}: expected a JSON object, got ${describeValue(body)}` };
    const { access_token: token, token_type: type, expires_in: expiresIn } = body;
    if (typeof token !== "string" || token === "")
      return { error: `${where}: the answer has no access_token` };
    const header = `${typeof type === "string" && type.toLowerCase() !== "bearer" ? type : "Bearer"} ${token}`;
    const seconds = Number(expiresIn);
    const expiresAt =
      Number.isFinite(seconds) && seconds > 0 ? this.clock() + seconds * 1000 : Number.POSITIVE_INFINITY;
    this.#tokens.set(key, { header, expiresAt });
    return { header };
  }
}
