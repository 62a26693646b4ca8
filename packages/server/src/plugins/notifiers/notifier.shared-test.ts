/**
 * The Notifier contract, as one suite every implementation runs (webhook/, slack/, memory/ each have
 * a *.test.ts calling describeNotifierContract), against a real HTTP receiver on 127.0.0.1. Also the
 * receiver itself and a sample notification, for the other notifier tests.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listenLocal } from "../metrics/http/local-server.shared-test.js";
import { NotifierError } from "./errors.js";
import type { Notification, Notifier } from "./notifier.js";

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** How the receiver answers the request with this 0-based index. */
export type Answer = { readonly status: number; readonly body?: string } | "hang";

export interface Receiver {
  readonly url: string;
  /** Every request received, in arrival order (hanging ones included). */
  readonly requests: ReceivedRequest[];
  /** Requests still waiting for an answer. */
  readonly open: number;
  answer: (index: number, request: ReceivedRequest) => Answer;
  /** Resolves once `count` requests have arrived (rejects after `ms`). */
  waitFor(count: number, ms?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A JSON-receiving HTTP server on 127.0.0.1 with an OS-chosen port; answers 200 unless told otherwise. */
export async function startReceiver(path = "/hook"): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: kept as text, which a test will notice.
      }
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      const index = requests.push(request) - 1;
      const answer = receiver.answer(index, request);
      if (answer === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body ?? "ok");
    });
  });
  const listening = await listenLocal(server);
  const receiver: Receiver = {
    url: `${listening.url}${path}`,
    requests,
    get open() {
      return hanging.size;
    },
    answer: () => ({ status: 200 }),
    async waitFor(count, ms = 10_000) {
      const end = Date.now() + ms;
      while (requests.length < count) {
        if (Date.now() > end)
          throw new Error(`the receiver got ${requests.length} request(s), expected ${count}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return requests.slice(0, count);
    },
    async close() {
      for (const res of hanging) res.destroy();
      await listening.close();
    },
  };
  return receiver;
}

/** A notification as the dispatcher makes them, with `over` replacing fields. */
export function sampleNotification(over: Partial<Notification> = {}): Notification {
  return {
    rollout: "checkout",
    namespace: "shop",
    event: "StepCompleted",
    historyEvent: "StepCompleted",
    severity: "info",
    message: "step 1/4: canary weight 20%",
    phase: "Progressing",
    revision: 2,
    stepIndex: 0,
    steps: 4,
    weight: 20,
    stableVersion: "v1",
    canaryVersion: "v2",
    seq: 7,
    at: "2026-01-01T12:00:00.000Z",
    ...over,
  };
}

export interface NotifierHarness {
  /** A notifier sending to `url` with header `x-ramp-test: yes` when the type takes headers. */
  create(url: string): Notifier;
  /** What the destination was sent, in order, as text that names the rollout and holds the message. */
  delivered(receiver: Receiver, notifier: Notifier): string[];
  /** true, or why the HTTP cases (status codes, timeouts, headers) are not this notifier's contract. */
  readonly http: true | { readonly skip: string };
}

/** Rejects with a NotifierError; returns it for further checks. */
export async function notifierError(promise: Promise<unknown>): Promise<NotifierError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotifierError);
  return error as NotifierError;
}

export function describeNotifierContract(name: string, harness: NotifierHarness): void {
  describe(`Notifier contract: ${name}`, () => {
    let receiver: Receiver;
    beforeEach(async () => {
      receiver = await startReceiver();
    });
    afterEach(async () => {
      await receiver.close();
    });
    const signal = () => AbortSignal.timeout(5000);
    const httpOnly = harness.http === true ? it : it.skip;

    it("delivers each notification before send() resolves, in order, naming the rollout and the message", async () => {
      const notifier = harness.create(receiver.url);
      await notifier.send(sampleNotification({ seq: 1, message: "step 1/4: canary weight 20%" }), signal());
      expect(harness.delivered(receiver, notifier)).toHaveLength(1);
      await notifier.send(
        sampleNotification({ seq: 2, event: "Aborted", message: "analysis run checkout-r2-step2 Failed" }),
        signal(),
      );
      const got = harness.delivered(receiver, notifier);
      expect(got).toHaveLength(2);
      expect(got[0]).toContain("checkout");
      expect(got[0]).toContain("step 1/4: canary weight 20%");
      expect(got[1]).toContain("analysis run checkout-r2-step2 Failed");
    });

    it("has a type and a target that names where it sends", () => {
      const notifier = harness.create(receiver.url);
      expect(notifier.type).toMatch(/^[a-z]+$/);
      expect(notifier.target).not.toBe("");
    });

    if (harness.http !== true) it.skip(`HTTP cases: ${harness.http.skip}`, () => undefined);

    httpOnly("POSTs JSON with its user agent and the configured headers", async () => {
      await harness.create(receiver.url).send(sampleNotification(), signal());
      const [req] = receiver.requests;
      expect(req?.method).toBe("POST");
      expect(req?.path).toBe("/hook");
      expect(req?.headers["content-type"]).toBe("application/json");
      expect(req?.headers["user-agent"]).toBe("ramp-notifier");
      expect(req?.headers["x-ramp-test"]).toBe("yes");
      expect(typeof req?.body).toBe("object");
    });

    httpOnly("rejects a 5xx answer as retryable, quoting the status and the receiver's words", async () => {
      receiver.answer = () => ({ status: 503, body: "try later" });
      const e = await notifierError(harness.create(receiver.url).send(sampleNotification(), signal()));
      expect(e.code).toBe("HTTP_STATUS");
      expect(e.retryable).toBe(true);
      expect(e.message).toContain("503: try later");
    });

    httpOnly("rejects a 4xx answer as not retryable, but 429 as retryable", async () => {
      receiver.answer = (i) => ({ status: i === 0 ? 404 : 429 });
      const notifier = harness.create(receiver.url);
      const notFound = await notifierError(notifier.send(sampleNotification(), signal()));
      expect([notFound.code, notFound.retryable]).toEqual(["HTTP_STATUS", false]);
      const tooMany = await notifierError(notifier.send(sampleNotification(), signal()));
      expect([tooMany.code, tooMany.retryable]).toEqual(["HTTP_STATUS", true]);
    });

    httpOnly("stops waiting for a receiver that never answers once the signal aborts", async () => {
      receiver.answer = () => "hang";
      const abort = new AbortController();
      const sending = harness.create(receiver.url).send(sampleNotification(), abort.signal);
      await receiver.waitFor(1);
      const started = Date.now();
      abort.abort();
      const e = await notifierError(sending);
      expect(Date.now() - started).toBeLessThan(1000);
      expect([e.code, e.retryable]).toEqual(["TIMEOUT", true]);
    });

    httpOnly("rejects an unreachable destination as retryable", async () => {
      const url = receiver.url;
      await receiver.close();
      receiver = await startReceiver();
      const e = await notifierError(harness.create(url).send(sampleNotification(), signal()));
      expect([e.code, e.retryable]).toEqual(["UNREACHABLE", true]);
      expect(e.message).toContain("ECONNREFUSED");
    });
  });
}
