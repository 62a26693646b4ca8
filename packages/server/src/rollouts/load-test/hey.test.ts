import { describe, expect, it } from "vitest";
import { LOAD_TEST_LIMITS, parseHeyCommand } from "./hey.js";

describe("parseHeyCommand", () => {
  it("reads Flagger's usual load test command", () => {
    expect(parseHeyCommand("hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/")).toEqual({
      ok: true,
      plan: {
        workers: 2,
        ratePerWorker: 10,
        durationSeconds: 60,
        requests: null,
        method: "GET",
        headers: {},
        timeoutSeconds: 20,
        url: "http://podinfo-canary.test:9898/",
      },
    });
  });

  it("reads -n, -m, quoted -H and -t; without -z the count bounds the run", () => {
    const r = parseHeyCommand(`hey -n 300 -q 5 -c 3 -m post -H "x-user: qa 1" -H 'accept: text/plain' -t 3`);
    expect(r).toEqual({
      ok: true,
      plan: {
        workers: 3,
        ratePerWorker: 5,
        durationSeconds: null,
        requests: 300,
        method: "POST",
        headers: { "x-user": "qa 1", accept: "text/plain" },
        timeoutSeconds: 3,
        url: null,
      },
    });
  });

  it.each([
    ["hey -z 1m -c 2", "-q (requests per second per worker) is required"],
    ["hey -z 1m -q 300 -c 2", "-c 2 × -q 300 is 600 requests/s; at most 500 are allowed"],
    ["hey -z 11m -q 1 -c 1", "-z: 660s is longer than the 600s allowed"],
    ["hey -n 200000 -q 250 -c 2", "-n 200000: at most 100000 requests are allowed"],
    ["hey -z 10m -q 100 -c 2", "more than the 100000 requests allowed"],
    ["hey -z soon -q 1", "-z soon: expected a duration like 30s, 5m"],
    ["hey -z 1m -q 1 -x 2", "unknown flag -x"],
    ["hey -z 1m -q 1 ftp://x", "'ftp://x' is not an http(s) URL"],
    ["hey -z 1m -q 1 -c", "-c needs a value"],
    ["hey -z 1m -q 1 -c 0", "-c 0: workers must be a whole number ≥ 1"],
  ])("refuses %s", (cmd, message) => {
    const r = parseHeyCommand(cmd);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.message).toContain(message);
  });

  it("the limits are the documented ones", () => {
    expect(LOAD_TEST_LIMITS).toEqual({ requestsPerSecond: 500, durationSeconds: 600, requests: 100_000 });
  });
});
