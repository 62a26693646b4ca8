import { describe, expect, it } from "vitest";
import { SseParser } from "./sse-parser.js";

describe("SseParser", () => {
  it("parses named events with JSON data, ignoring comments (pings)", () => {
    const p = new SseParser();
    const events = p.push(': ping\n\nevent: flag\ndata: {"key":"a","version":2}\nid: 7\n\n');
    expect(events).toEqual([{ event: "flag", data: '{"key":"a","version":2}', id: "7" }]);
  });

  it("joins events split across chunks at any byte, and multi-line data", () => {
    const text = "event: rollout\ndata: line1\ndata: line2\n\ndata: plain\n\n";
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(events).toEqual([
        { event: "rollout", data: "line1\nline2" },
        { event: "message", data: "plain" },
      ]);
    }
  });

  it("accepts CRLF and CR line endings, even when a CRLF is split between chunks", () => {
    const p = new SseParser();
    expect(p.push("event: audit\r")).toEqual([]);
    expect(p.push("\ndata: x\r\n\r")).toEqual([]);
    expect(p.push("\n")).toEqual([{ event: "audit", data: "x" }]);
    expect(new SseParser().push("data: y\r\rdata: z")).toEqual([{ event: "message", data: "y" }]);
  });

  it("drops an event name with no data, and keeps the last id for later events", () => {
    const p = new SseParser();
    expect(p.push("event: flag\n\nid: 3\ndata: a\n\ndata: b\n\n")).toEqual([
      { event: "message", data: "a", id: "3" },
      { event: "message", data: "b", id: "3" },
    ]);
  });
});
