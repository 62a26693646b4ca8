import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHeyCommand } from "./hey.js";
import { LoadGenerator } from "./load-generator.js";

let server: Server;
let url: string;
const seen: { method: string | undefined; header: string | undefined; user: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      method: req.method,
      header: req.headers["x-ramp-load-test"] as string | undefined,
      user: req.headers["x-user"] as string | undefined,
    });
    res.writeHead(seen.length % 10 === 0 ? 500 : 200).end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function plan(cmd: string) {
  const parsed = parseHeyCommand(cmd);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.plan;
}

describe("LoadGenerator", () => {
  it("sends exactly -n requests, with the plan's method and headers plus the routing header", async () => {
    seen.length = 0;
    const g = new LoadGenerator({
      plan: plan(`hey -n 30 -q 50 -c 3 -m POST -H "x-user: qa"`),
      url,
      headers: { "x-ramp-load-test": "web-r2" },
    });
    g.start();
    expect(g.running).toBe(true);
    await g.done;
    expect(g.running).toBe(false);
    expect(g.counts).toEqual({ sent: 30, failed: 3 });
    expect(seen).toHaveLength(30);
    expect(new Set(seen.map((s) => `${s.method} ${s.header} ${s.user}`))).toEqual(
      new Set(["POST web-r2 qa"]),
    );
  });

  it("keeps to its rate over its duration, and stops when asked", async () => {
    seen.length = 0;
    const g = new LoadGenerator({ plan: plan("hey -z 1s -q 10 -c 2"), url });
    const started = Date.now();
    g.start();
    await g.done;
    const elapsed = Date.now() - started;
    // 2 workers × 10/s for 1 s: at most 20 requests (one more each at the edge); fewer only when a
    // loaded machine delays the timers, never more.
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(seen.length).toBeLessThanOrEqual(22);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4_000);

    seen.length = 0;
    const long = new LoadGenerator({ plan: plan("hey -z 5m -q 20 -c 1"), url });
    long.start();
    await new Promise((r) => setTimeout(r, 300));
    long.stop();
    await long.done;
    // A request already on the wire when stop() aborts it may still reach the server a moment later
    // (the abort is the client's side); after that, nothing more is sent.
    await new Promise((r) => setTimeout(r, 100));
    const at = seen.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(seen.length).toBe(at);
    expect(at).toBeLessThanOrEqual(8);
  });
});
