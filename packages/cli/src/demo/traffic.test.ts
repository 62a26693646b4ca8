import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TrafficGenerator } from "./traffic.js";

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A stand-in proxy: records headers; every 10th request answers 500. */
async function upstream(delayMs = 0) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    const n = seen.push(req.headers);
    setTimeout(() => res.writeHead(n % 10 === 0 ? 500 : 200).end("ok"), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push({ close: () => server.close() });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("TrafficGenerator", () => {
  it("sends at the rate, from the given users in the sticky header, and counts the answers", async () => {
    const up = await upstream();
    let i = 0;
    const g = new TrafficGenerator({
      url: up.url,
      ratePerSecond: 100,
      users: 5,
      header: "x-user-id",
      random: () => (i++ % 5) / 5,
    });
    g.start();
    await new Promise((r) => setTimeout(r, 1_000));
    await g.stop();
    const c = g.counts;
    expect(c.sent).toBeGreaterThanOrEqual(80);
    expect(c.sent).toBeLessThanOrEqual(110);
    expect(c.ok + c.errors5xx + c.failed).toBe(c.sent);
    expect(c.errors5xx).toBe(Math.floor(c.sent / 10));
    expect(new Set(up.seen.map((h) => h["x-user-id"]))).toEqual(
      new Set(["user-0", "user-1", "user-2", "user-3", "user-4"]),
    );
    const after = up.seen.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(up.seen.length).toBe(after);
  });

  it("skips rather than queues when too many requests are in flight", async () => {
    const up = await upstream(2_000);
    const g = new TrafficGenerator({
      url: up.url,
      ratePerSecond: 100,
      users: 1,
      header: "x-user-id",
      maxInFlight: 5,
      timeoutMs: 300,
    });
    g.start();
    await new Promise((r) => setTimeout(r, 300));
    await g.stop();
    expect(g.counts.sent).toBe(5);
    expect(g.counts.skipped).toBeGreaterThan(10);
    // Timed out: no answer, and stop() waited for them.
    expect(g.counts.failed).toBe(5);
  });

  it("stays on this machine", () => {
    expect(
      () => new TrafficGenerator({ url: "http://example.com", ratePerSecond: 1, users: 1, header: "x" }),
    ).toThrow(/loopback/);
  });
});
