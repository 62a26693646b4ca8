import { describe, expect, it } from "vitest";
import { FrameWriter, untilAborted } from "./watch.js";

function screen(isTTY: boolean, rows?: number) {
  const written: string[] = [];
  return { isTTY, rows, written, write: (t: string) => void written.push(t) };
}

describe("FrameWriter", () => {
  it("on a terminal: clears once, then redraws from the top, clearing each line's end and what is below", () => {
    const s = screen(true);
    const w = new FrameWriter(s);
    w.frame("a\nb", "k");
    w.frame("c", "k");
    w.close();
    expect(s.written).toEqual([
      "\x1b[?25l\x1b[2J\x1b[Ha\x1b[K\nb\x1b[K\n\x1b[J",
      "\x1b[Hc\x1b[K\n\x1b[J",
      "\x1b[?25h",
    ]);
  });

  it("cuts a frame taller than the terminal; a terminal of unknown size (0 rows) gets it whole", () => {
    const short = screen(true, 3);
    new FrameWriter(short).frame("1\n2\n3\n4", "k");
    expect(short.written[0]).toBe("\x1b[?25l\x1b[2J\x1b[H1\x1b[K\n2\x1b[K\n\x1b[J");
    const unknown = screen(true, 0);
    new FrameWriter(unknown).frame("1\n2", "k");
    expect(unknown.written[0]).toContain("2\x1b[K");
  });

  it("elsewhere: a frame only when its key changed, blocks apart, no escape codes", () => {
    const s = screen(false);
    const w = new FrameWriter(s);
    w.frame("one", "a");
    w.frame("one, newer numbers", "a");
    w.frame("two", "b");
    w.close();
    expect(s.written).toEqual(["one\n\n", "two\n\n"]);
  });
});

describe("untilAborted", () => {
  it("resolves with the value, or with undefined as soon as the signal aborts", async () => {
    expect(await untilAborted(Promise.resolve(1), new AbortController().signal)).toBe(1);
    const stop = new AbortController();
    const pending = untilAborted(new Promise<number>(() => {}), stop.signal);
    stop.abort();
    expect(await pending).toBeUndefined();
    await expect(untilAborted(Promise.reject(new Error("no")), new AbortController().signal)).rejects.toThrow(
      "no",
    );
  });
});
