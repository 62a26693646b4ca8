import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IssueList } from "../../../analysis/issues.js";
import type { Metric } from "../../../analysis/types.js";
import { freePort } from "../../../testing/free-port.js";
import { parseProviderSpec } from "../factory.js";
import { type LocalServer, sendJson, startLocalServer } from "../http/local-server.shared-test.js";
import { describeMetricProviderContract } from "../provider-contract.shared-test.js";
import { WebMetricProvider } from "./index.js";

const ctx = (signal = new AbortController().signal) => ({ now: Date.now(), signal, runName: "r" });
const metric = (settings: Record<string, unknown>): Metric =>
  ({ name: "m", provider: { web: settings } }) as Metric;

const DOC = {
  data: { ok: true, rate: 0.995, "error rate": 0.005 },
  items: [
    { name: "a", healthy: true, value: 1 },
    { name: "b", healthy: false, value: 2 },
  ],
};

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/doc") sendJson(res, 200, DOC);
    else if (path === "/echo")
      sendJson(res, 200, { method: req.method, body: req.body, headers: req.headers });
    else if (path === "/text") res.writeHead(200, { "content-type": "text/plain" }).end("OK\n");
    else if (path === "/down") res.writeHead(503).end(`${"maintenance ".repeat(100)}`);
    else if (path === "/hang") return;
    else sendJson(res, 404, { error: "not found" });
  });
});
afterAll(async () => {
  await server?.close();
});

describeMetricProviderContract("web", {
  provider: () => new WebMetricProvider(),
  metric: metric({ url: "http://127.0.0.1:9/unused", timeoutSeconds: 1 }),
  type: "web",
});

describe("web metrics against a real HTTP server", () => {
  const measure = (settings: Record<string, unknown>, c = ctx()) =>
    new WebMetricProvider().measure(metric({ url: `${server.url}/doc`, ...settings }), c);

  it("returns the whole document by default ({$})", async () => {
    expect(await measure({})).toEqual({ value: DOC });
  });

  it.each([
    ["{$.data.ok}", true],
    ["{.data.rate}", 0.995],
    ["$.data['error rate']", 0.005],
    ['{$["items"][1].name}', "b"],
    ["{$.items[-1].value}", 2],
    ["{$.items[0]}", { name: "a", healthy: true, value: 1 }],
    ["{$.items[*].healthy}", [true, false]],
    ["{.items[*].value}", [1, 2]],
  ])("jsonPath %s", async (jsonPath, value) => {
    expect(await measure({ jsonPath })).toEqual({ value });
  });

  it("a path that selects nothing is an error, not an empty value", async () => {
    expect(await measure({ jsonPath: "{$.data.missing}" })).toEqual({
      error: `web: jsonPath {$.data.missing} selects nothing in the answer (GET ${server.url}/doc)`,
    });
    expect(await measure({ jsonPath: "{$.nothing[*].x}" })).toEqual({
      error: `web: jsonPath {$.nothing[*].x} selects nothing in the answer (GET ${server.url}/doc)`,
    });
  });

  it("an answer that is not JSON is its text (as in Argo)", async () => {
    expect(await measure({ url: `${server.url}/text` })).toEqual({ value: "OK\n" });
  });

  it("sends the method, headers and body; jsonBody is sent as JSON", async () => {
    const r = await measure({
      url: `${server.url}/echo`,
      method: "POST",
      headers: [
        { key: "Authorization", value: "Bearer abc" },
        { key: "X-Team", value: "payments" },
      ],
      jsonBody: { service: "payment", window: "5m" },
      jsonPath: "{$}",
    });
    expect(r).toMatchObject({
      value: {
        method: "POST",
        body: '{"service":"payment","window":"5m"}',
        headers: { authorization: "Bearer abc", "x-team": "payments", "content-type": "application/json" },
      },
    });
    const put = await measure({
      url: `${server.url}/echo`,
      method: "PUT",
      body: "plain text",
      jsonPath: "{$.body}",
    });
    expect(put).toEqual({ value: "plain text" });
  });

  it("a status outside 2xx is an error quoting the start of the body", async () => {
    const r = await measure({ url: `${server.url}/down` });
    expect(r).toEqual({
      error: expect.stringMatching(
        new RegExp(
          `^web: HTTP 503: (maintenance ){20,}.*… \\(GET ${server.url.replace(/\./g, "\\.")}/down\\)$`,
        ),
      ),
    });
    expect("error" in r && r.error.length).toBeLessThan(400);
    expect(await measure({ url: `${server.url}/nope` })).toEqual({
      error: `web: HTTP 404: {"error":"not found"} (GET ${server.url}/nope)`,
    });
  });

  it("unreachable, timeout (timeoutSeconds) and abort are errors", async () => {
    const port = await freePort();
    expect(await measure({ url: `http://127.0.0.1:${port}/x` })).toEqual({
      error: `web: connection refused (GET http://127.0.0.1:${port}/x)`,
    });
    const started = Date.now();
    expect(await measure({ url: `${server.url}/hang`, timeoutSeconds: 1 })).toEqual({
      error: `web: timed out after 1s (GET ${server.url}/hang)`,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await measure({ url: `${server.url}/hang` }, ctx(controller.signal))).toEqual({
      error: `web: aborted (GET ${server.url}/hang)`,
    });
  });

  it("insecure: true accepts a self-signed certificate; without it the error says what to do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ramp-web-tls-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
        ],
        { stdio: "ignore" },
      );
      const tls = createHttpsServer(
        { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
        (_req, res) => sendJson(res, 200, { ok: true }),
      );
      await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
      const address = tls.address();
      const url = `https://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/`;
      try {
        expect(await measure({ url, jsonPath: "{$.ok}", insecure: true })).toEqual({ value: true });
        expect(await measure({ url, jsonPath: "{$.ok}" })).toEqual({
          error: `web: TLS certificate not accepted: self-signed certificate (set insecure: true to skip the check) (GET ${url})`,
        });
      } finally {
        tls.closeAllConnections();
        await new Promise((resolve) => tls.close(resolve));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("web settings are checked when the template loads, with paths", () => {
  const problems = (settings: unknown) => {
    const issues = new IssueList();
    parseProviderSpec({ web: settings }, "p", issues, false);
    return issues.items.map((i) => `${i.path}: ${i.message}`);
  };

  it("accepts Argo's shapes, placeholders included", () => {
    expect(
      problems({
        url: "http://{{args.host}}/api/health",
        method: "POST",
        headers: [{ key: "Authorization", value: "Bearer {{args.token}}" }],
        jsonBody: { a: 1 },
        timeoutSeconds: 20,
        jsonPath: "{$.data.ok}",
        insecure: false,
      }),
    ).toEqual([]);
  });

  it("reports every bad field", () => {
    expect(
      problems({
        url: "ftp://x",
        method: "DELETE",
        body: "x",
        jsonBody: { a: 1 },
        timeoutSeconds: -1,
        jsonPath: "{$..price}",
        insecure: "yes",
      }),
    ).toEqual([
      'p.web.url: required: an http(s) URL, got the string "ftp://x"',
      'p.web.method: expected GET, POST or PUT, got the string "DELETE"',
      "p.web: use either body or jsonBody, not both",
      "p.web.timeoutSeconds: expected a whole number of seconds (0 for the default 10), got number -1",
      "p.web.jsonPath: jsonPath \"{$..price}\": recursive descent (..) is not supported; supported: $, .key, ['key'], [n], [*], optionally inside { }",
      'p.web.insecure: expected true or false, got the string "yes"',
    ]);
    expect(problems({ url: "http://x", body: "b" })).toEqual([
      "p.web.method: a body (body or jsonBody) needs method POST or PUT",
    ]);
  });

  it.each([
    ["{$.items[?(@.healthy)]}", /filters/],
    ["{$.items[0:2]}", /slices/],
    ["{$.a}{$.b}", /only one/],
    ["{$.items[a,b]}", /unions/],
  ])("refuses jsonPath %s", (jsonPath, message) => {
    expect(problems({ url: "http://x", jsonPath }).join("\n")).toMatch(message);
  });
});
