import { describe, expect, it } from "vitest";
import type { Notifier } from "../notifier.js";
import { describeNotifierContract, notifierError, sampleNotification } from "../notifier.shared-test.js";
import { MemoryNotifier } from "./memory-notifier.js";

const sentBy = (n: Notifier) => (n instanceof MemoryNotifier ? n.sent : []);

describeNotifierContract("memory", {
  create: () => new MemoryNotifier(),
  delivered: (_, notifier) => sentBy(notifier).map((n) => `${n.rollout}: ${n.message}`),
  http: { skip: "the memory notifier keeps notifications in a list; it makes no HTTP request" },
});

describe("the memory notifier's scripted failures", () => {
  it("fails when told, hangs until aborted when told, and records only what it accepted", async () => {
    const n = new MemoryNotifier({
      behave: (_, attempt) => (attempt === 1 ? "fail" : attempt === 2 ? "hang" : "ok"),
    });
    expect((await notifierError(n.send(sampleNotification(), AbortSignal.timeout(1000)))).retryable).toBe(
      true,
    );
    const hung = await notifierError(n.send(sampleNotification(), AbortSignal.timeout(50)));
    expect(hung.code).toBe("TIMEOUT");
    await n.send(sampleNotification({ seq: 9 }), AbortSignal.timeout(1000));
    expect(n.sent.map((s) => s.seq)).toEqual([9]);
    expect(n.attempts).toBe(3);
  });
});
