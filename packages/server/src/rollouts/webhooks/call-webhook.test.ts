import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, startLocalServer } from "../../plugins/metrics/http/local-server.shared-test.js";
import type { WebhookPayload } from "../decide.js";
import { callWebhook } from "./call-webhook.js";

const payload: WebhookPayload = {
  name: "podinfo",
  namespace: "test",
  phase: "Progressing",
  checksum: "0a1b2c3d",
  metadata: { cmd: "hey -z 1m" },
};

let server: LocalServer;
let base: string;
const bodies: unknown[] = [];
const hits = new Map<string, number>();

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    const path = req.url;
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    bodies.push({ path, method: req.method, type: req.headers["content-type"], body: JSON.parse(req.body) });
    if (path === "/slow") return void setTimeout(() => res.end("late"), 2_000);
    const status = path === "/flaky" ? (n < 3 ? 503 : 200) : Number(path.slice(1)) || 200;
    res.writeHead(status).end(status === 200 ? "" : `said ${status}`);
  });
  base = server.url;
});

afterAll(async () => {
  await server.close();
});

describe("callWebhook", () => {
  it("POSTs Flagger's payload as JSON; 200–202 pass, anything above fails (Flagger's rule)", async () => {
    const quick = { timeoutSeconds: 2, retries: 0 };
    expect(await callWebhook(`${base}/200`, payload, quick)).toEqual({ passed: true, message: "HTTP 200" });
    expect(await callWebhook(`${base}/202`, payload, quick)).toMatchObject({ passed: true });
    expect(await callWebhook(`${base}/204`, payload, quick)).toMatchObject({ passed: false });
    expect(await callWebhook(`${base}/403`, payload, quick)).toEqual({
      passed: false,
      message: "HTTP 403: said 403",
    });
    expect(bodies[0]).toEqual({ path: "/200", method: "POST", type: "application/json", body: payload });
  });

  it("retries a 5xx as often as `retries` says", async () => {
    const backoffMs = () => 10;
    expect(await callWebhook(`${base}/flaky`, payload, { timeoutSeconds: 2, retries: 1, backoffMs })).toEqual(
      {
        passed: false,
        message: "HTTP 503: said 503",
      },
    );
    expect(await callWebhook(`${base}/flaky`, payload, { timeoutSeconds: 2, retries: 1, backoffMs })).toEqual(
      {
        passed: true,
        message: "HTTP 200",
      },
    );
    expect(hits.get("/flaky")).toBe(3);
    // A 4xx is an answer, not a failure to answer: no retry.
    await callWebhook(`${base}/409`, payload, { timeoutSeconds: 2, retries: 3, backoffMs });
    expect(hits.get("/409")).toBe(1);
  });

  it("gives up after the timeout, and reports an unreachable receiver", async () => {
    const started = Date.now();
    expect(await callWebhook(`${base}/slow`, payload, { timeoutSeconds: 0.3, retries: 0 })).toEqual({
      passed: false,
      message: "no answer within 0.3s",
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    const refused = await callWebhook("http://127.0.0.1:1/", payload, { timeoutSeconds: 1, retries: 0 });
    expect(refused.passed).toBe(false);
    expect(refused.message).toMatch(/ECONNREFUSED|fetch failed/);
  });
});
