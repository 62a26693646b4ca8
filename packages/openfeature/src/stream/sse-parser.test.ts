import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SseMessage, SseParser } from "./sse-parser.js";

function parseAll(pieces: readonly string[]): {
  messages: SseMessage[];
  comments: string[];
  retries: number[];
} {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = new SseParser({
    onMessage: (m) => messages.push(m),
    onComment: (c) => comments.push(c),
    onRetry: (ms) => retries.push(ms),
  });
  for (const piece of pieces) parser.push(piece);
  return { messages, comments, retries };
}

const STREAM =
  ": ping\n\n" +
  'event: put\nid: 7\ndata: {"version":7}\n\n' +
  "event: patch\r\nid: 8\r\ndata: line one\r\ndata: line two\r\n\r\n" +
  "retry: 2500\rdata:no-space\r\r" +
  "data: after the id\n\n" +
  "event: patch\ndata: unterminated";

describe("SseParser", () => {
  it("reads events, ids, multi-line data, comments and retry, over LF, CRLF and CR", () => {
    const { messages, comments, retries } = parseAll([STREAM]);
    expect(messages).toEqual([
      { event: "put", data: '{"version":7}', id: "7" },
      { event: "patch", data: "line one\nline two", id: "8" },
      { event: "message", data: "no-space", id: "8" },
      { event: "message", data: "after the id", id: "8" },
    ]);
    expect(comments).toEqual(["ping"]);
    expect(retries).toEqual([2500]);
  });

  it("gives the same result however the network splits the text", () => {
    const whole = parseAll([STREAM]);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          const pieces = [0, ...sorted].map((start, i) => STREAM.slice(start, sorted[i] ?? STREAM.length));
          expect(parseAll(pieces)).toEqual(whole);
        },
      ),
    );
  });

  it("dispatches nothing for a blank line without data, and ignores unknown fields and bad retry values", () => {
    const { messages, retries } = parseAll(["event: put\n\nfoo: bar\nretry: 1s\ndata\n\n"]);
    expect(messages).toEqual([{ event: "message", data: "", id: undefined }]);
    expect(retries).toEqual([]);
  });

  it("forgets a partial event on reset (a new connection)", () => {
    const messages: SseMessage[] = [];
    const parser = new SseParser({ onMessage: (m) => messages.push(m) });
    parser.push("event: patch\ndata: half");
    parser.reset();
    parser.push("data: whole\n\n");
    expect(messages).toEqual([{ event: "message", data: "whole", id: undefined }]);
  });
});
