import { describe, expect, it } from "vitest";
import { ManualClock } from "../../test/manual-clock.js";
import { MAX_BATCH, UsageReporter } from "./usage-reporter.js";

type Answer = number | "network";

/** A fetch that answers each call with the next status (or a network failure), recording the bodies. */
function scriptedFetch(answers: Answer[]) {
  const calls: { path: string; body: { evaluations?: unknown[]; events?: unknown[] } }[] = [];
  const fetchStub = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ path: new URL(String(input)).pathname, body: JSON.parse(String(init?.body)) });
    const answer = answers.shift() ?? 202;
    if (answer === "network")
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") });
    return new Response("{}", { status: answer });
  };
  return { calls, fetch: fetchStub as typeof fetch };
}

function reporter(answers: Answer[], maxBufferedEvents = 100) {
  const lines: string[] = [];
  const log =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push(`${level} ${args.join(" ")}`);
  const { calls, fetch } = scriptedFetch(answers);
  const r = new UsageReporter({
    target: { baseUrl: "http://ramp.test", token: "t", fetch, timeoutMs: 1_000 },
    flushIntervalMs: 10_000,
    eventBatchSize: 2,
    maxBufferedEvents,
    clock: new ManualClock(),
    logger: { error: log("error"), warn: log("warn"), info: log("info"), debug: () => {} },
  });
  return { r, calls, lines };
}

const event = (name: string) => ({ name, at: "2026-01-01T00:00:00.000Z" });

describe("UsageReporter", () => {
  it("keeps counts and events across a network failure and sends them with the next report", async () => {
    const { r, calls, lines } = reporter(["network", 202, 202]);
    r.evaluations.count("a", "on");
    r.track(event("e1"));
    await r.flush();
    r.evaluations.count("a", "on");
    await r.flush();
    expect(calls.map((c) => c.path)).toEqual(["/sdk/v1/metrics", "/sdk/v1/metrics", "/sdk/v1/events"]);
    expect(calls[1]?.body).toEqual({ evaluations: [{ flag: "a", variant: "on", count: 2 }] });
    expect(calls[2]?.body).toEqual({ events: [event("e1")] });
    expect(lines).toEqual([
      "warn ramp: usage report failed, will retry: POST /sdk/v1/metrics failed: connect ECONNREFUSED",
      "info ramp: usage reports are going through again",
    ]);
  });

  it("drops what the server rejects (a 4xx), saying so", async () => {
    const { r, calls, lines } = reporter([400, 202]);
    r.evaluations.count("a", "on");
    await r.flush();
    await r.flush();
    expect(calls).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error ramp: the server rejected evaluation counts, which are dropped: .*HTTP 400/,
    );
  });

  it("splits counts into requests the server accepts", async () => {
    const { r, calls } = reporter([]);
    for (let i = 0; i < MAX_BATCH + 5; i++) r.evaluations.count(`flag_${i}`, "on");
    await r.flush();
    expect(calls.map((c) => c.body.evaluations?.length)).toEqual([MAX_BATCH, 5]);
  });

  it("bounds the events kept while the server is away, dropping the oldest", async () => {
    const { r, calls, lines } = reporter(["network", 202, 202], 3);
    for (const name of ["e1", "e2", "e3", "e4"]) r.track(event(name));
    await r.flush();
    await r.flush();
    expect(calls.slice(1).map((c) => c.body.events)).toEqual([[event("e2"), event("e3")], [event("e4")]]);
    expect(lines.some((l) => l.startsWith("warn ramp: dropped 1 tracked event(s)"))).toBe(true);
  });
});
