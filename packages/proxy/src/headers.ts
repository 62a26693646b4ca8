/**
 * The request head sent upstream: the client's request line and headers minus hop-by-hop ones
 * (RFC 9110 §7.6.1), with `X-Forwarded-For` / `X-Forwarded-Proto` set as nginx's usual proxy setup does.
 */
import type { IncomingMessage } from "node:http";

/** What the head is built from: a client request (a plain object in tests). */
export type RequestLine = Pick<IncomingMessage, "method" | "url" | "rawHeaders" | "headers"> & {
  readonly socket: { readonly remoteAddress?: string | undefined };
};

/** How the request body is framed upstream. */
export type BodyFraming = "none" | "length" | "chunked";

/** The body framing of a client request (RFC 9112 §6.3); Node has already rejected ambiguous ones. */
export function bodyFraming(req: Pick<IncomingMessage, "headers">): BodyFraming {
  const h = req.headers;
  if (h["transfer-encoding"] !== undefined) return "chunked";
  const length = h["content-length"];
  return length === undefined || length === "0" ? "none" : "length";
}

/**
 * The HTTP/1.1 head for `req`. With `fixedLength`, the body is sent whole (a mirror copy): framing
 * headers are replaced by that Content-Length.
 */
export function requestHead(req: RequestLine, authority: string, fixedLength?: number): string {
  const raw = req.rawHeaders;
  let head = `${req.method ?? "GET"} ${req.url ?? "/"} HTTP/1.1\r\n`;
  let extra: Set<string> | undefined;
  let host = false;
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const value = raw[i + 1] ?? "";
    switch (classify(name)) {
      case Kind.Drop:
        continue;
      case Kind.Connection:
        extra = connectionTokens(value, extra);
        continue;
      case Kind.Framing:
        if (fixedLength !== undefined) continue;
        break;
      case Kind.Host:
        host = true;
        break;
      case Kind.ForwardedFor:
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  if (extra !== undefined) head = removeListed(head, extra);
  if (!host) head += `host: ${authority}\r\n`;
  if (fixedLength !== undefined && (fixedLength > 0 || bodyFraming(req) !== "none")) {
    head += `content-length: ${fixedLength}\r\n`;
  }
  const client = req.socket.remoteAddress ?? "";
  head += `x-forwarded-for: ${forwardedFor === undefined ? client : `${forwardedFor}, ${client}`}\r\n`;
  return `${head}x-forwarded-proto: http\r\n\r\n`;
}

/** How a request header is treated. */
const Kind = { Keep: 0, Drop: 1, Connection: 2, Framing: 3, Host: 4, ForwardedFor: 5 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** Classifies a header name, lower-casing only names with the length of one of interest. */
function classify(name: string): Kind {
  switch (name.length) {
    case 2:
      return name.toLowerCase() === "te" ? Kind.Drop : Kind.Keep;
    case 4:
      return name.toLowerCase() === "host" ? Kind.Host : Kind.Keep;
    case 6:
      return name.toLowerCase() === "expect" ? Kind.Drop : Kind.Keep;
    case 7: {
      const n = name.toLowerCase();
      return n === "trailer" || n === "upgrade" ? Kind.Drop : Kind.Keep;
    }
    case 10: {
      const n = name.toLowerCase();
      return n === "connection" ? Kind.Connection : n === "keep-alive" ? Kind.Drop : Kind.Keep;
    }
    case 14:
      return name.toLowerCase() === "content-length" ? Kind.Framing : Kind.Keep;
    case 15:
      return name.toLowerCase() === "x-forwarded-for" ? Kind.ForwardedFor : Kind.Keep;
    case 16:
      return name.toLowerCase() === "proxy-connection" ? Kind.Drop : Kind.Keep;
    case 17: {
      const n = name.toLowerCase();
      return n === "transfer-encoding" ? Kind.Framing : n === "x-forwarded-proto" ? Kind.Drop : Kind.Keep;
    }
    default:
      return Kind.Keep;
  }
}

/** Never removed because a `Connection` header lists them: dropping framing would desynchronise the upstream. */
const PROTECTED = new Set(["", "keep-alive", "close", "host", "content-length", "transfer-encoding"]);

/** Header names a `Connection` header lists besides keep-alive and close: hop-by-hop too. */
function connectionTokens(value: string, into: Set<string> | undefined): Set<string> | undefined {
  let tokens = into;
  for (const part of value.split(",")) {
    const t = part.trim().toLowerCase();
    if (PROTECTED.has(t)) continue;
    tokens ??= new Set();
    tokens.add(t);
  }
  return tokens;
}

/** Removes header lines named in `names` (a Connection header may come after the headers it lists). */
function removeListed(head: string, names: ReadonlySet<string>): string {
  const lines = head.split("\r\n");
  return lines
    .filter((line, i) => {
      if (i === 0) return true;
      const colon = line.indexOf(":");
      return colon < 0 || !names.has(line.slice(0, colon).toLowerCase());
    })
    .join("\r\n");
}
