/**
 * One HTTP(S) request for the metric providers that call out (prometheus, web): bounded in time and
 * size, abortable, TLS checks optional (`insecure`), and every failure returned as a sentence, not
 * thrown. node:http rather than fetch, because fetch cannot skip certificate checks per request.
 */

import http from "node:http";
import https from "node:https";

export interface HttpCall {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Skip TLS certificate verification (Argo's `insecure: true`). */
  readonly insecure?: boolean;
  /** Bytes of body kept; the rest is not read and `truncated` is set. Default 16 MiB. */
  readonly maxBytes?: number;
}

export type HttpAnswer =
  | {
      readonly ok: true;
      readonly status: number;
      readonly contentType: string;
      readonly body: string;
      readonly truncated: boolean;
    }
  | { readonly ok: false; readonly reason: string };

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** Sends the request; resolves with the answer or with why there is none. Never rejects. */
export function httpCall(call: HttpCall): Promise<HttpAnswer> {
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    return Promise.resolve({ ok: false, reason: `invalid URL ${JSON.stringify(call.url)}` });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.resolve({ ok: false, reason: `unsupported URL scheme '${url.protocol}' (http or https)` });
  }
  if (call.signal?.aborted === true) return Promise.resolve({ ok: false, reason: "aborted" });
  const maxBytes = call.maxBytes ?? DEFAULT_MAX_BYTES;
  const seconds = formatSeconds(call.timeoutMs);

  return new Promise<HttpAnswer>((resolve) => {
    let settled = false;
    const finish = (answer: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", onAbort);
      request.destroy();
      resolve(answer);
    };
    const onAbort = (): void => finish({ ok: false, reason: "aborted" });
    const body = call.body === undefined ? undefined : Buffer.from(call.body);
    const headers: Record<string, string> = { ...call.headers };
    if (body !== undefined) headers["content-length"] = String(body.length);
    const options: https.RequestOptions = {
      method: call.method,
      headers,
      // One connection per measurement: nothing pooled outlives it or keeps a closing server waiting.
      agent: false,
      ...(url.protocol === "https:" && { rejectUnauthorized: call.insecure !== true }),
    };
    const request = (url.protocol === "https:" ? https : http).request(url, options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      response.on("data", (chunk: Buffer) => {
        if (size + chunk.length > maxBytes) {
          chunks.push(chunk.subarray(0, maxBytes - size));
          size = maxBytes;
          truncated = true;
          done();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      const done = (): void =>
        finish({
          ok: true,
          status: response.statusCode ?? 0,
          contentType: String(response.headers["content-type"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
          truncated,
        });
      response.on("end", done);
      response.on("error", (e) => finish({ ok: false, reason: describeNetworkError(e) }));
    });
    const timer = setTimeout(
      () => finish({ ok: false, reason: `timed out after ${seconds}` }),
      call.timeoutMs,
    );
    call.signal?.addEventListener("abort", onAbort, { once: true });
    request.on("error", (e) => finish({ ok: false, reason: describeNetworkError(e) }));
    request.end(body);
  });
}

/** A network error in words: the usual codes spelt out, the rest as Node says it. */
export function describeNetworkError(e: unknown): string {
  const code = typeof e === "object" && e !== null && "code" in e ? String(e.code) : "";
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "CERT_HAS_EXPIRED":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `TLS certificate not accepted: ${message} (set insecure: true to skip the check)`;
    default:
      return message;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** At most `max` characters of `text`, trimmed, with an ellipsis when cut: for messages quoting a body. */
export function excerpt(text: string, max = 300): string {
  const t = text.trim().replace(/\s+/g, " ");
  return t.length <= max ? t : `${t.slice(0, max)}…`;
}
