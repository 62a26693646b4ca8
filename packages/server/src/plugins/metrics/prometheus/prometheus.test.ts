import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileCondition, evaluateConditions } from "../../../analysis/conditions.js";
import { IssueList } from "../../../analysis/issues.js";
import type { Metric } from "../../../analysis/types.js";
import { freePort } from "../../../testing/free-port.js";
import { createMetricProviderFactory, parseProviderSpec } from "../factory.js";
import { type LocalServer, sendJson, startLocalServer } from "../http/local-server.shared-test.js";
import type { MeasurementResult } from "../provider.js";
import { describeMetricProviderContract } from "../provider-contract.shared-test.js";
import { PrometheusMetricProvider } from "./index.js";
import { type LocalPrometheus, startPrometheus } from "./local-prometheus.shared-test.js";

const ctx = (now = Date.now(), signal = new AbortController().signal) => ({ now, signal, runName: "r" });
const metric = (settings: Record<string, unknown>, fields: Partial<Metric> = {}): Metric =>
  ({ name: "m", provider: { prometheus: settings }, ...fields }) as Metric;

// What the real Prometheus scrapes: fixed values, so every query has one right answer.
const EXPOSITION = [
  "# TYPE demo_requests_total counter",
  'demo_requests_total{version="canary",status="200"} 97',
  'demo_requests_total{version="canary",status="500"} 3',
  "# TYPE demo_ratio gauge",
  "demo_ratio 0.97",
  "",
].join("\n");

let target: LocalServer;
let prometheus: LocalPrometheus;
let fake: LocalServer;
/** What the fake Prometheus answers next: status and body (text or JSON), or nothing at all. */
let fakeAnswer: { status: number; body: unknown } | "hang" = { status: 200, body: {} };

beforeAll(async () => {
  target = await startLocalServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(EXPOSITION);
  });
  fake = await startLocalServer((req, res) => {
    const answer = fakeAnswer;
    if (answer === "hang") return;
    if (typeof answer.body === "string") res.writeHead(answer.status).end(answer.body);
    else sendJson(res, answer.status, answer.body);
    void req;
  });
  prometheus = await startPrometheus([{ job: "demo", target: new URL(target.url).host }]);
  await prometheus.scraped();
}, 40_000);

afterAll(async () => {
  await prometheus?.stop();
  await target?.close();
  await fake?.close();
});

describeMetricProviderContract("prometheus", {
  provider: () => new PrometheusMetricProvider({ defaultAddress: prometheus.url }),
  metric: metric({ query: "demo_ratio" }),
  type: "prometheus",
});

describe("prometheus against a real Prometheus", () => {
  const measure = (settings: Record<string, unknown>, now = Date.now()) =>
    new PrometheusMetricProvider().measure(metric({ address: prometheus.url, ...settings }), ctx(now));

  it("maps a scalar to a number and a vector to the list of its values", async () => {
    expect(await measure({ query: "scalar(demo_ratio)" })).toEqual({ value: 0.97 });
    expect(await measure({ query: "demo_ratio" })).toEqual({ value: [0.97] });
    const byStatus = await measure({ query: "sum by (status) (demo_requests_total)" });
    expect(
      "value" in byStatus && Array.isArray(byStatus.value) ? [...byStatus.value].sort() : byStatus,
    ).toEqual([3, 97]);
  });

  it("the seed's success-rate query shape gives [0.97], which the seed's condition passes", async () => {
    const q =
      'sum(demo_requests_total{version="canary",status!~"5.."}) / sum(demo_requests_total{version="canary"})';
    const r = await measure({ query: q });
    expect(r).toEqual({ value: [0.97] });
    expect(judge("result[0] >= 0.95", r)).toBe("Successful");
    expect(judge("result[0] >= 0.99", r)).toBe("Failed");
  });

  it("an empty vector is [] (as in Argo); result[0] on it is an Error measurement, never a pass", async () => {
    const r = await measure({ query: 'demo_ratio{version="nope"}' });
    expect(r).toEqual({ value: [] });
    const verdict = evaluate("result[0] >= 0.95", r);
    expect(verdict.phase).toBe("Error");
    expect(verdict.message).toMatch(/no data returned from the metric provider/);
  });

  it("0/0 (no requests in the window) is [NaN], which fails the condition", async () => {
    const r = await measure({ query: "(demo_ratio - demo_ratio) / (demo_ratio - demo_ratio)" });
    expect("value" in r && Array.isArray(r.value) && Number.isNaN(r.value[0])).toBe(true);
    expect(judge("result[0] >= 0.95", r)).toBe("Failed");
    expect(judge("isNaN(result[0])", r)).toBe("Successful");
  });

  it("queries at the analysis clock's now: an hour before Prometheus started there is no data", async () => {
    expect(await measure({ query: "demo_ratio" }, Date.now() - 3_600_000)).toEqual({ value: [] });
  });

  it("a range query returns every value of every series (Argo's matrix mapping)", async () => {
    await sleep(1500); // at least two scrapes in the range
    const r = await measure({
      query: "demo_ratio",
      rangeQuery: { start: "now() - duration('3s')", end: "now()", step: "1s" },
    });
    expect("value" in r && Array.isArray(r.value)).toBe(true);
    if ("value" in r && Array.isArray(r.value)) {
      expect(r.value.length).toBeGreaterThanOrEqual(2);
      expect(r.value.every((v) => v === 0.97)).toBe(true);
    }
    expect(judge("size(result) > 0 && result.all(x, x == 0.97)", r)).toBe("Successful");
    expect(judge("size(result) > 0 && result.all(x, x == 0.97)", { value: [] })).toBe("Failed");
  });

  it("Prometheus' own errors come back as error measurements naming the address", async () => {
    expect(await measure({ query: "sum(" })).toEqual({
      error: expect.stringMatching(
        new RegExp(`^prometheus: HTTP 400: bad_data: .*parse error.* \\(${escapeRegExp(prometheus.url)}\\)$`),
      ),
    });
    expect(await measure({ query: '"a string"' })).toEqual({
      error: `prometheus: result type "string" is not supported (scalar, vector or matrix are) (${prometheus.url})`,
    });
  });
});

describe("prometheus failures are error measurements, never throws", () => {
  const measure = (settings: Record<string, unknown>, c = ctx()) =>
    new PrometheusMetricProvider().measure(metric({ address: fake.url, query: "up", ...settings }), c);

  it("unreachable", async () => {
    const port = await freePort();
    const address = `http://127.0.0.1:${port}`;
    expect(await measure({ address })).toEqual({ error: `prometheus: connection refused (${address})` });
  });

  it("HTTP errors with Prometheus' error JSON, or with any other body", async () => {
    fakeAnswer = {
      status: 503,
      body: { status: "error", errorType: "unavailable", error: "too many queries" },
    };
    expect(await measure({})).toEqual({
      error: `prometheus: HTTP 503: unavailable: too many queries (${fake.url})`,
    });
    fakeAnswer = { status: 502, body: "<html><body>Bad gateway</body></html>" };
    expect(await measure({})).toEqual({
      error: `prometheus: HTTP 502: <html><body>Bad gateway</body></html> (${fake.url})`,
    });
  });

  it("a 2xx answer that is not JSON, or not Prometheus' document", async () => {
    fakeAnswer = { status: 200, body: "hello" };
    expect(await measure({})).toEqual({ error: `prometheus: the answer is not JSON: hello (${fake.url})` });
    fakeAnswer = { status: 200, body: { status: "success", data: { resultType: "vector", result: [{}] } } };
    expect(await measure({})).toEqual({ error: `prometheus: malformed vector sample (${fake.url})` });
  });

  it("a timeout (timeout: seconds, as Argo)", async () => {
    fakeAnswer = "hang";
    const started = Date.now();
    expect(await measure({ timeout: 1 })).toEqual({ error: `prometheus: timed out after 1s (${fake.url})` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("an abort while the query runs", async () => {
    fakeAnswer = "hang";
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await measure({}, ctx(Date.now(), controller.signal))).toEqual({
      error: `prometheus: aborted (${fake.url})`,
    });
  });

  it("no address and no server default is a clear error; the factory's default address is used", async () => {
    const p = new PrometheusMetricProvider();
    expect(await p.measure(metric({ query: "up" }), ctx())).toEqual({
      error:
        "prometheus: no address: set provider.prometheus.address, or give the server a default (RAMP_PROMETHEUS_URL)",
    });
    const f = createMetricProviderFactory({ prometheusAddress: prometheus.url });
    const m = metric({ query: "demo_ratio" });
    expect(await f.create(m).measure(m, ctx())).toEqual({ value: [0.97] });
  });
});

describe("what the provider sends", () => {
  const vector = {
    status: "success",
    data: { resultType: "vector", result: [{ metric: {}, value: [1, "1"] }] },
  };

  it("an instant query: POST form with query and time = the analysis clock's now, plus the headers", async () => {
    fakeAnswer = { status: 200, body: vector };
    fake.seen.length = 0;
    const p = new PrometheusMetricProvider();
    const m = metric({
      address: `${fake.url}/prefix/`,
      query: 'sum(rate(x{service="a"}[5m]))',
      headers: [{ key: "X-Scope-OrgID", value: "tenant-a" }],
    });
    expect(await p.measure(m, ctx(Date.parse("2025-01-01T00:00:00Z")))).toEqual({ value: [1] });
    const [req] = fake.seen;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/prefix/api/v1/query");
    expect(req?.headers["x-scope-orgid"]).toBe("tenant-a");
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      query: 'sum(rate(x{service="a"}[5m]))',
      time: "1735689600.000",
    });
  });

  it("a range query: start and end from the expressions at now, step in seconds", async () => {
    fakeAnswer = { status: 200, body: { status: "success", data: { resultType: "matrix", result: [] } } };
    fake.seen.length = 0;
    const now = Date.parse("2025-01-01T00:10:00Z");
    const m = metric({
      address: fake.url,
      query: "up",
      rangeQuery: { start: 'now() - duration("10m")', end: "now()", step: "30s" },
    });
    expect(await new PrometheusMetricProvider().measure(m, ctx(now))).toEqual({ value: [] });
    expect(fake.seen[0]?.url).toBe("/api/v1/query_range");
    expect(Object.fromEntries(new URLSearchParams(fake.seen[0]?.body))).toEqual({
      query: "up",
      start: "1735689600.000",
      end: "1735690200.000",
      step: "30",
    });
  });

  it("falls back to GET when POST is refused (405), as Prometheus' Go client does", async () => {
    fake.seen.length = 0;
    const server = await startLocalServer((req, res) => {
      if (req.method === "POST") sendJson(res, 405, {});
      else sendJson(res, 200, vector);
    });
    try {
      const m = metric({ address: server.url, query: "up" });
      expect(await new PrometheusMetricProvider().measure(m, ctx(0))).toEqual({ value: [1] });
      expect(server.seen.map((r) => r.method)).toEqual(["POST", "GET"]);
      expect(server.seen[1]?.url).toBe("/api/v1/query?query=up&time=0.000");
    } finally {
      await server.close();
    }
  });

  it("basicAuth, and OAuth2 client credentials with the token reused until it expires", async () => {
    fakeAnswer = { status: 200, body: vector };
    const tokens = await startLocalServer((_req, res) =>
      sendJson(res, 200, { access_token: "tok-1", token_type: "bearer", expires_in: 3600 }),
    );
    try {
      fake.seen.length = 0;
      const p = new PrometheusMetricProvider();
      const basic = metric({
        address: fake.url,
        query: "up",
        authentication: { basicAuth: { username: "u", password: "p" } },
      });
      await p.measure(basic, ctx());
      expect(fake.seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);

      const oauth = metric({
        address: fake.url,
        query: "up",
        authentication: {
          oauth2: {
            tokenUrl: `${tokens.url}/token`,
            clientId: "id",
            clientSecret: "s3cret",
            scopes: ["read", "metrics"],
          },
        },
      });
      expect(await p.measure(oauth, ctx())).toEqual({ value: [1] });
      expect(await p.measure(oauth, ctx())).toEqual({ value: [1] });
      expect(fake.seen.slice(1).map((r) => r.headers.authorization)).toEqual([
        "Bearer tok-1",
        "Bearer tok-1",
      ]);
      expect(tokens.seen).toHaveLength(1);
      expect(tokens.seen[0]?.headers.authorization).toBe(
        `Basic ${Buffer.from("id:s3cret").toString("base64")}`,
      );
      expect(Object.fromEntries(new URLSearchParams(tokens.seen[0]?.body))).toEqual({
        grant_type: "client_credentials",
        scope: "read metrics",
      });
    } finally {
      await tokens.close();
    }
  });

  it("a token endpoint that refuses is an error measurement", async () => {
    const tokens = await startLocalServer((_req, res) => sendJson(res, 401, { error: "invalid_client" }));
    try {
      const m = metric({
        address: fake.url,
        query: "up",
        authentication: { oauth2: { tokenUrl: tokens.url, clientId: "id", clientSecret: "bad" } },
      });
      expect(await new PrometheusMetricProvider().measure(m, ctx())).toEqual({
        error: `prometheus: OAuth2 token from ${tokens.url}: HTTP 401: {"error":"invalid_client"} (${fake.url})`,
      });
    } finally {
      await tokens.close();
    }
  });
});

describe("prometheus settings are checked when the template loads, with paths", () => {
  const problems = (settings: unknown, resolved = false) => {
    const issues = new IssueList();
    parseProviderSpec({ prometheus: settings }, "spec.metrics[0].provider", issues, resolved);
    return issues.items.map((i) => `${i.path}: ${i.message}`);
  };

  it("accepts Argo's documented shapes, placeholders included", () => {
    expect(
      problems({
        address: "http://prometheus.example.com:9090",
        timeout: 40,
        headers: [{ key: "X-Scope-OrgID", value: "tenant_a" }],
        query: 'up{service="{{args.service-name}}"}',
        rangeQuery: { start: 'now() - duration("{{args.lookback-duration}}")', end: "now()", step: "1m" },
        authentication: {
          oauth2: {
            tokenUrl: "https://idp/token",
            clientId: "c",
            clientSecret: "{{ args.s }}",
            scopes: ["x"],
          },
        },
        insecure: true,
      }),
    ).toEqual([]);
  });

  it("reports bad fields", () => {
    expect(
      problems({
        address: "prometheus:9090",
        query: "",
        timeout: "30s",
        headers: [{ key: "bad key", value: 1 }],
        rangeQuery: { start: "yesterday", end: "now()", step: "0s" },
        authentication: { sigv4: { region: "eu-west-1" } },
      }),
    ).toEqual([
      'spec.metrics[0].provider.prometheus.query: required: a PromQL query, got the string ""',
      'spec.metrics[0].provider.prometheus.address: expected a URL such as "http://prometheus:9090", got the string "prometheus:9090"',
      'spec.metrics[0].provider.prometheus.timeout: expected a whole number of seconds > 0, got the string "30s"',
      'spec.metrics[0].provider.prometheus.headers[0].key: expected a header name such as "Authorization", got the string "bad key"',
      "spec.metrics[0].provider.prometheus.headers[0].value: expected a string, got number 1",
      "spec.metrics[0].provider.prometheus.authentication.sigv4: AWS SigV4 signing is not supported by Ramp; put a token in headers (Authorization) or use oauth2 or basicAuth",
      expect.stringMatching(
        /^spec\.metrics\[0\]\.provider\.prometheus\.rangeQuery\.start: cannot read time expression "yesterday": expected now\(\) or date\("…"\) at offset 0; supported: /,
      ),
      'spec.metrics[0].provider.prometheus.rangeQuery.step: expected a positive duration such as "30s" or "1m", got the string "0s"',
    ]);
  });
});

function evaluate(condition: string, r: MeasurementResult) {
  const c = compileCondition(condition);
  if (!c.ok) throw new Error(c.message);
  if (!("value" in r)) throw new Error(`no value: ${JSON.stringify(r)}`);
  return evaluateConditions({ successCondition: c.condition }, r.value, Date.now());
}

function judge(condition: string, r: MeasurementResult): string {
  return evaluate(condition, r).phase;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
