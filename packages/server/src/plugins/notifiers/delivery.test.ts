import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotifierQueue } from "./delivery.js";
import { type Receiver, sampleNotification, startReceiver } from "./notifier.shared-test.js";
import { WebhookNotifier } from "./webhook/webhook-notifier.js";

let receiver: Receiver;
let logs: string[];
let delays: number[];
const queues: NotifierQueue[] = [];

beforeEach(async () => {
  receiver = await startReceiver();
  logs = [];
  delays = [];
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close(0)));
  await receiver.close();
});

/** A webhook queue whose retry waits are recorded and skipped. */
function queue(options: ConstructorParameters<typeof NotifierQueue>[1] = {}): NotifierQueue {
  const q = new NotifierQueue(new WebhookNotifier({ url: receiver.url }), {
    sleep: async (ms) => {
      delays.push(ms);
    },
    log: (m) => logs.push(m),
    ...options,
  });
  queues.push(q);
  return q;
}

const seqs = (r: Receiver) => r.requests.map((x) => (x.body as { seq: number }).seq);

describe("notification delivery", () => {
  it("retries a receiver that fails twice, waiting 1 s then 2 s, and delivers once", async () => {
    receiver.answer = (i) => ({ status: i < 2 ? 503 : 200 });
    const q = queue();
    expect(q.enqueue(sampleNotification({ seq: 3 }))).toBe(true);
    await q.idle();
    expect(seqs(receiver)).toEqual([3, 3, 3]);
    expect(delays).toEqual([1000, 2000]);
    expect(q.stats).toMatchObject({ delivered: 1, failed: 0 });
    expect(logs).toEqual([]);
  });

  it("gives up after 4 attempts (1 s, 2 s, 4 s apart) and logs the rollout, the event and the reason", async () => {
    receiver.answer = () => ({ status: 500, body: "boom" });
    const q = queue();
    q.enqueue(sampleNotification({ event: "Aborted", seq: 11 }));
    await q.idle();
    expect(receiver.requests).toHaveLength(4);
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(q.stats).toMatchObject({ delivered: 0, failed: 1 });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain("rollout shop/checkout Aborted (seq 11)");
    expect(logs[0]).toContain("after 4 attempt(s)");
    expect(logs[0]).toContain("answered 500: boom");
  });

  it("does not retry a request the receiver refuses (4xx)", async () => {
    receiver.answer = () => ({ status: 400, body: "bad payload" });
    const q = queue();
    q.enqueue(sampleNotification());
    await q.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(logs[0]).toMatch(/not delivered \(not retried\): .*answered 400: bad payload/);
  });

  it("times out each attempt against a receiver that hangs, without holding up the caller", async () => {
    receiver.answer = (i) => (i < 2 ? "hang" : { status: 200 });
    const q = queue({ timeoutMs: 300, retryDelaysMs: [10] });
    const started = performance.now();
    q.enqueue(sampleNotification({ seq: 1 }));
    q.enqueue(sampleNotification({ seq: 2 }));
    expect(performance.now() - started).toBeLessThan(50);
    await q.idle();
    const took = performance.now() - started;
    // seq 1: two attempts of 300 ms, both timed out; seq 2 then goes through.
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(5000);
    expect(seqs(receiver)).toEqual([1, 1, 2]);
    expect(q.stats).toMatchObject({ delivered: 1, failed: 1 });
    expect(logs[0]).toContain("(seq 1) not delivered after 2 attempt(s): no answer within 300 ms");
  });

  it("keeps at most queueSize waiting: the oldest waiting one is dropped, with a warning", async () => {
    receiver.answer = (i) => (i === 0 ? "hang" : { status: 200 });
    const q = queue({ timeoutMs: 400, retryDelaysMs: [], queueSize: 2 });
    q.enqueue(sampleNotification({ seq: 1 }));
    await receiver.waitFor(1);
    for (let seq = 2; seq <= 5; seq++) q.enqueue(sampleNotification({ seq }));
    // seq 1 is in flight; 2 and 3 were pushed out by 4 and 5.
    expect(q.pending).toBe(2);
    await q.idle();
    expect(seqs(receiver)).toEqual([1, 4, 5]);
    expect(q.stats).toMatchObject({ delivered: 2, failed: 1, dropped: 2 });
    const warnings = logs.filter((l) => l.includes("queue full"));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("dropped rollout shop/checkout StepCompleted (seq 2)");
    expect(warnings[1]).toContain("(seq 3)");
  });

  it("sends in order and at most once per (rollout, seq)", async () => {
    const q = queue();
    for (let seq = 1; seq <= 8; seq++) q.enqueue(sampleNotification({ seq }));
    expect(q.enqueue(sampleNotification({ seq: 3 }))).toBe(false);
    await q.idle();
    expect(q.enqueue(sampleNotification({ seq: 3 }))).toBe(false);
    expect(q.enqueue(sampleNotification({ seq: 3, rollout: "other" }))).toBe(true);
    // The same seq at another time: the rollout was deleted and created again.
    expect(q.enqueue(sampleNotification({ seq: 3, at: "2026-02-01T00:00:00.000Z" }))).toBe(true);
    await q.idle();
    expect(seqs(receiver)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 3, 3]);
    expect(q.stats).toMatchObject({ delivered: 10, duplicates: 2 });
  });

  it("close() waits up to its grace for the queue, then aborts what hangs and drops the rest", async () => {
    receiver.answer = () => "hang";
    const q = queue({ timeoutMs: 30_000 });
    q.enqueue(sampleNotification({ seq: 1 }));
    q.enqueue(sampleNotification({ seq: 2 }));
    await receiver.waitFor(1);
    const started = performance.now();
    await q.close(200);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(q.stats.dropped).toBe(1);
    expect(q.enqueue(sampleNotification({ seq: 3 }))).toBe(false);
    expect(receiver.requests).toHaveLength(1);
    expect(logs.some((l) => l.includes("closed with 1 notification(s) not sent"))).toBe(true);
  });
});
