/**
 * A small client for Ramp's HTTP API: bearer auth, JSON or YAML bodies, `If-Match`, and failures as
 * two typed errors (the server said no: HttpError; the server could not be reached: ConnectionError).
 */
import type { ErrorDetail } from "./api-types.js";

export const DEFAULT_SERVER = "http://127.0.0.1:4320";

export interface RemoteOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:4320. */
  readonly server: string;
  readonly token?: string | undefined;
}

/** The server answered with an error status; `code`, `message` and `details` are its own. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[],
    /** What the user can do about it, when the client knows better than the server (401, 403). */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** No HTTP answer at all: refused, unresolvable, reset or timed out. */
export class ConnectionError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the Ramp server at ${url}: ${reason}`);
  }
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  /** A JSON body. */
  readonly json?: unknown;
  /** A body sent as is, with its content type (YAML flag files). */
  readonly raw?: { readonly body: string; readonly contentType: string };
  readonly accept?: string;
  /** The version the write is based on: sent as `If-Match: "<version>"`. */
  readonly ifMatch?: number;
}

export interface TextResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly etag?: string;
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export class ApiClient {
  readonly base: string;

  constructor(
    readonly options: RemoteOptions,
    private readonly fetchImpl: Fetch = fetch,
    private readonly timeoutMs = 30_000,
  ) {
    this.base = options.server.replace(/\/+$/, "");
  }

  /** Sends a request and parses the JSON answer (typed by the caller: the API's shapes are documented, not checked). */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.text(method, path, { accept: "application/json", ...options });
    if (res.body === "") return undefined as T;
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new HttpError(
        res.status,
        "bad_response",
        `${method} ${path} answered ${res.status} with a body that is not JSON`,
        [],
      );
    }
  }

  async text(method: string, path: string, options: RequestOptions = {}): Promise<TextResponse> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { accept: options.accept ?? "application/json" };
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    if (options.ifMatch !== undefined) headers["if-match"] = `"${options.ifMatch}"`;
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw.body;
      headers["content-type"] = options.raw.contentType;
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] = "application/json";
    }
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (e) {
      throw new ConnectionError(this.base, reasonOf(e, this.timeoutMs));
    }
    const contentType = res.headers.get("content-type") ?? "";
    if (!res.ok) throw this.errorOf(res.status, res.statusText, text, contentType);
    const etag = res.headers.get("etag");
    return { status: res.status, body: text, contentType, ...(etag !== null && { etag }) };
  }

  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.base}${path}${qs === "" ? "" : `?${qs}`}`;
  }

  private errorOf(status: number, statusText: string, text: string, contentType: string): HttpError {
    const hint =
      status === 401
        ? this.options.token === undefined
          ? "no token was given: pass --token TOKEN or set RAMP_TOKEN (`ramp server` prints an admin token on first start)"
          : "the server does not accept this token (unknown or revoked): check --token / RAMP_TOKEN"
        : status === 403
          ? "this command needs a token with more reach (an admin token)"
          : undefined;
    const parsed = contentType.includes("json") ? parseErrorBody(text) : undefined;
    if (parsed !== undefined) return new HttpError(status, parsed.code, parsed.message, parsed.details, hint);
    const snippet = text.trim().slice(0, 200);
    return new HttpError(status, `http_${status}`, snippet === "" ? statusText : snippet, [], hint);
  }
}

/** `{ error: { code, message, details? } }`, or undefined for any other shape. */
export function parseErrorBody(
  text: string,
): { code: string; message: string; details: ErrorDetail[] } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(v) || !isRecord(v.error)) return undefined;
  const { code, message, details } = v.error;
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  const list = Array.isArray(details) ? details.filter(isRecord).map(detailOf) : [];
  return { code, message, details: list };
}

function detailOf(d: Record<string, unknown>): ErrorDetail {
  return {
    path: typeof d.path === "string" ? d.path : "",
    message: typeof d.message === "string" ? d.message : JSON.stringify(d),
    ...(typeof d.expected === "string" && { expected: d.expected }),
    ...(typeof d.suggestion === "string" && { suggestion: d.suggestion }),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** fetch() hides the socket error in `cause`; name the common ones in words. */
function reasonOf(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError"))
    return `no answer within ${timeoutMs / 1000} s`;
  const cause = e instanceof Error ? e.cause : undefined;
  const code = isRecord(cause) && typeof cause.code === "string" ? cause.code : undefined;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "connection reset";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connection timed out";
    default:
      return code ?? (cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e));
  }
}
