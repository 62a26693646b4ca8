import { describe, expect, it } from "vitest";
import { MAX_HEAD_BYTES, type ResponseHead, ResponseParser } from "./response-parser.js";

interface Outcome {
  heads: ResponseHead[];
  body: string;
  done: boolean;
  keepAlive: boolean;
  error: string | undefined;
}

/** Feeds `pieces` one by one (as TCP may deliver them), then, if `close`, the end of the connection. */
function parse(pieces: readonly string[], options: { headRequest?: boolean; close?: boolean } = {}): Outcome {
  const heads: ResponseHead[] = [];
  let body = "";
  const parser = new ResponseParser({
    head: (h) => {
      heads.push(h);
      return undefined;
    },
    body: (chunk) => {
      body += chunk.toString("latin1");
    },
  });
  parser.reset(options.headRequest ?? false);
  let error: string | undefined;
  for (const piece of pieces) {
    error = parser.execute(Buffer.from(piece, "latin1"));
    if (error !== undefined) break;
  }
  if (error === undefined && options.close === true) error = parser.finish();
  return { heads, body, done: parser.done, keepAlive: parser.keepAlive, error };
}

/** Every way of cutting `text` in two, plus byte by byte. */
function splits(text: string): string[][] {
  const out: string[][] = [[text], text.split("")];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe("ResponseParser", () => {
  const lengthResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhello world";
  const chunkedResponse =
    "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";

  it("reads a Content-Length response however it is split, and drops hop-by-hop headers", () => {
    for (const pieces of splits(lengthResponse)) {
      const r = parse(pieces);
      expect(r).toMatchObject({ body: "hello world", done: true, keepAlive: true, error: undefined });
      expect(r.heads).toEqual([
        { status: 200, statusMessage: "OK", headers: ["Content-Type", "text/plain", "Content-Length", "11"] },
      ]);
    }
  });

  it("reads a chunked response however it is split, dropping extensions, trailers and the coding", () => {
    for (const pieces of splits(chunkedResponse)) {
      const r = parse(pieces);
      expect(r).toMatchObject({ body: "hello world", done: true, keepAlive: true, error: undefined });
      expect(r.heads[0]).toEqual({ status: 201, statusMessage: "Created", headers: ["X-A", "1"] });
    }
  });

  it("reads a body delimited by the end of the connection, and does not reuse it", () => {
    const r = parse(["HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nsome ", "bytes"], { close: true });
    expect(r).toMatchObject({ body: "some bytes", done: true, keepAlive: false, error: undefined });
  });

  it("expects no body after HEAD, 204 and 304", () => {
    expect(parse(["HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"], { headRequest: true })).toMatchObject({
      done: true,
      body: "",
    });
    expect(parse(["HTTP/1.1 204 No Content\r\n\r\n"]).done).toBe(true);
    expect(parse(["HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"]).done).toBe(true);
  });

  it("skips interim 1xx responses", () => {
    const r = parse([
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ]);
    expect(r.heads.map((h) => h.status)).toEqual([200]);
    expect(r.body).toBe("ok");
  });

  it("follows Connection: close, HTTP/1.0 keep-alive, and removes headers Connection lists", () => {
    expect(parse(["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"]).keepAlive).toBe(
      false,
    );
    expect(parse(["HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"]).keepAlive).toBe(false);
    expect(parse(["HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"]).keepAlive).toBe(
      true,
    );
    const r = parse([
      "HTTP/1.1 200 OK\r\nConnection: x-hop, content-length\r\nX-Hop: 1\r\nContent-Length: 1\r\n\r\na",
    ]);
    expect(r.heads[0]?.headers).toEqual(["Content-Length", "1"]);
  });

  it("ignores Content-Length next to Transfer-Encoding and does not reuse the connection", () => {
    const r = parse([
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
    ]);
    expect(r).toMatchObject({ body: "a", done: true, keepAlive: false });
    expect(r.heads[0]?.headers).toEqual([]);
  });

  it("reads an unknown transfer coding until the connection closes", () => {
    const r = parse(["HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz"], { close: true });
    expect(r).toMatchObject({ body: "xyz", done: true, keepAlive: false });
  });

  it.each([
    ["a bad status line", "HTTP/2 200 OK\r\n\r\n", /malformed status line/],
    ["a three-digit status that is not", "HTTP/1.1 2x0 OK\r\n\r\n", /malformed status line/],
    ["a header without a colon", "HTTP/1.1 200 OK\r\nnocolon\r\n\r\n", /malformed header line/],
    ["a header name with a space", "HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", /malformed header name/],
    ["obsolete line folding", "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", /malformed header/],
    [
      "conflicting lengths",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      /conflicting/,
    ],
    ["a non-numeric length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", /invalid Content-Length/],
    ["a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", /invalid chunk size/],
    [
      "a chunk without CRLF",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab",
      /not followed by CRLF/,
    ],
    ["a protocol switch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: ws\r\n\r\n", /switched protocols/],
  ])("rejects %s", (_, text, message) => {
    expect(parse([text]).error).toMatch(message);
  });

  it("rejects a head larger than the limit", () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(MAX_HEAD_BYTES)}\r\n\r\n`;
    expect(parse([big]).error).toMatch(/too large/);
    expect(parse(big.match(/[\s\S]{1,1000}/g) ?? []).error).toMatch(/too large/);
  });

  it("reports a response cut off by the connection's end", () => {
    expect(parse(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], { close: true }).error).toMatch(
      /mid-body/,
    );
    expect(parse(["HTTP/1.1 200"], { close: true }).error).toMatch(/before answering/);
    expect(parse([], { close: true }).error).toMatch(/before answering/);
  });

  it("completes the response but refuses reuse when bytes follow it", () => {
    const r = parse(["HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naEXTRA"]);
    expect(r).toMatchObject({ body: "a", done: true, keepAlive: false });
    expect(r.error).toMatch(/after the end/);
  });

  it("passes on a rejection from the sink", () => {
    const parser = new ResponseParser({ head: () => "no thanks", body: () => {} });
    parser.reset(false);
    expect(parser.execute(Buffer.from("HTTP/1.1 200 OK\r\n\r\n"))).toBe("no thanks");
    expect(parser.headDone).toBe(false);
  });
});
