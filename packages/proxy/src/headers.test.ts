import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { bodyFraming, type RequestLine, requestHead } from "./headers.js";

function request(method: string, url: string, raw: string[], remoteAddress = "10.0.0.9"): RequestLine {
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < raw.length; i += 2) headers[(raw[i] ?? "").toLowerCase()] = raw[i + 1];
  return { method, url, rawHeaders: raw, headers, socket: { remoteAddress } };
}

describe("requestHead", () => {
  it("keeps the request line and end-to-end headers in order and case, and adds X-Forwarded-*", () => {
    const head = requestHead(
      request("GET", "/a?b=1", ["Host", "shop.example", "Accept", "*/*", "X-Custom", "Ünï", "Cookie", "a=1"]),
      "10.0.0.1:80",
    );
    expect(head).toBe(
      "GET /a?b=1 HTTP/1.1\r\nHost: shop.example\r\nAccept: */*\r\nX-Custom: Ünï\r\nCookie: a=1\r\n" +
        "x-forwarded-for: 10.0.0.9\r\nx-forwarded-proto: http\r\n\r\n",
    );
  });

  it("drops hop-by-hop headers, those Connection lists, and Expect", () => {
    const head = requestHead(
      request("POST", "/", [
        "X-Before",
        "1",
        "Connection",
        "keep-alive, X-Before, X-After",
        "Keep-Alive",
        "timeout=5",
        "TE",
        "trailers",
        "Upgrade",
        "h2c",
        "Proxy-Connection",
        "keep-alive",
        "Expect",
        "100-continue",
        "X-After",
        "2",
        "Content-Length",
        "3",
        "Host",
        "h",
      ]),
      "t:1",
    );
    expect(head).toBe(
      "POST / HTTP/1.1\r\nContent-Length: 3\r\nHost: h\r\nx-forwarded-for: 10.0.0.9\r\nx-forwarded-proto: http\r\n\r\n",
    );
  });

  it("never lets Connection remove framing or Host", () => {
    const head = requestHead(
      request("POST", "/", [
        "Connection",
        "content-length, transfer-encoding, host",
        "Transfer-Encoding",
        "chunked",
        "Host",
        "h",
      ]),
      "t:1",
    );
    expect(head).toContain("Transfer-Encoding: chunked\r\n");
    expect(head).toContain("Host: h\r\n");
  });

  it("appends the client to an existing X-Forwarded-For and replaces X-Forwarded-Proto", () => {
    const head = requestHead(
      request("GET", "/", [
        "X-Forwarded-For",
        "1.1.1.1",
        "x-forwarded-for",
        "2.2.2.2",
        "X-Forwarded-Proto",
        "https",
        "Host",
        "h",
      ]),
      "t:1",
    );
    expect(head).toBe(
      "GET / HTTP/1.1\r\nHost: h\r\nx-forwarded-for: 1.1.1.1, 2.2.2.2, 10.0.0.9\r\nx-forwarded-proto: http\r\n\r\n",
    );
  });

  it("adds a Host header for HTTP/1.0 clients that sent none", () => {
    expect(requestHead(request("GET", "/", []), "10.1.2.3:8080")).toContain("host: 10.1.2.3:8080\r\n");
  });

  it("frames a mirror copy by the length of its buffered body", () => {
    const chunked = request("POST", "/", ["Transfer-Encoding", "chunked", "Host", "h"]);
    expect(requestHead(chunked, "t:1", 12)).toBe(
      "POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 12\r\nx-forwarded-for: 10.0.0.9\r\nx-forwarded-proto: http\r\n\r\n",
    );
    expect(requestHead(request("GET", "/", ["Host", "h"]), "t:1", 0)).not.toContain("content-length");
  });
});

describe("bodyFraming", () => {
  it.each<[IncomingHttpHeaders, string]>([
    [{}, "none"],
    [{ "content-length": "0" }, "none"],
    [{ "content-length": "12" }, "length"],
    [{ "transfer-encoding": "chunked" }, "chunked"],
  ])("%o → %s", (headers, framing) => {
    expect(bodyFraming({ headers })).toBe(framing);
  });
});
