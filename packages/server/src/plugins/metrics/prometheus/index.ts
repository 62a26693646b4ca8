/**
 * The `prometheus` provider (argo-rollouts metricproviders/prometheus): runs the metric's PromQL as
 * an instant query at the analysis clock's `now`, or as a range query, and returns the value Argo
 * would bind as `result` — a number for a scalar, a list of numbers for a vector or a matrix.
 *
 * An empty vector is `[]`, as in Argo: conditions judge it, and the usual `result[0] >= 0.95` cannot
 * be evaluated on it, so the measurement is Error ("no data returned"), never a pass. A query over
 * zero requests (0/0) is `[NaN]`, which fails any comparison. Every failure is `{ error }` naming
 * the address: `prometheus: connection refused (http://prometheus:9090)`.
 */

import type { Metric } from "../../../analysis/types.js";
import { AuthHeaders } from "../http/auth.js";
import { excerpt, httpCall } from "../http/request.js";
import { headerMap, isHttpUrl } from "../http/settings.js";
import type { MeasurementContext, MeasurementResult, MetricProvider } from "../provider.js";
import { measuredSettings } from "../provider-settings.js";
import { type PrometheusSettings, readPrometheusSettings } from "./config.js";
import { errorOf, readQueryAnswer } from "./response.js";
import { evaluateTimeExpression } from "./time-expression.js";

export {
  DEFAULT_PROMETHEUS_TIMEOUT_SECONDS,
  parsePrometheusMetric,
  readPrometheusSettings,
} from "./config.js";

export interface PrometheusProviderOptions {
  /** The address of metrics that name none (the server's `prometheusAddress`, RAMP_PROMETHEUS_URL). */
  readonly defaultAddress?: string;
}

export class PrometheusMetricProvider implements MetricProvider {
  readonly type = "prometheus";
  readonly #auth = new AuthHeaders();

  constructor(private readonly options: PrometheusProviderOptions = {}) {}

  async measure(metric: Metric, context: MeasurementContext): Promise<MeasurementResult> {
    const read = measuredSettings(metric, "prometheus", readPrometheusSettings);
    if ("error" in read) return read;
    const { settings } = read;
    const address = settings.address ?? this.options.defaultAddress;
    if (address === undefined || address === "") {
      return {
        error:
          "prometheus: no address: set provider.prometheus.address, or give the server a default (RAMP_PROMETHEUS_URL)",
      };
    }
    if (!isHttpUrl(address))
      return { error: `prometheus: address ${JSON.stringify(address)} is not an http(s) URL` };
    const r = await this.#query(settings, address, context);
    return "problem" in r ? { error: `prometheus: ${r.problem} (${address})` } : { value: r.value };
  }

  async #query(
    s: PrometheusSettings,
    address: string,
    context: MeasurementContext,
  ): Promise<{ value: number | number[] } | { problem: string }> {
    const form = new URLSearchParams({ query: s.query });
    let endpoint = "query";
    if (s.rangeQuery === undefined) form.set("time", seconds(context.now));
    else {
      const start = evaluateTimeExpression(s.rangeQuery.start, context.now);
      if (!start.ok) return { problem: `rangeQuery.start: ${start.message}` };
      const end = evaluateTimeExpression(s.rangeQuery.end, context.now);
      if (!end.ok) return { problem: `rangeQuery.end: ${end.message}` };
      if (end.ms < start.ms) return { problem: "rangeQuery.end is before rangeQuery.start" };
      endpoint = "query_range";
      form.set("start", seconds(start.ms));
      form.set("end", seconds(end.ms));
      form.set("step", String(s.rangeQuery.stepMs / 1000));
    }
    // Argo's timeout bounds the whole measurement: a token, then the query.
    const deadline = Date.now() + s.timeoutMs;
    const auth = await this.#auth.header(s.authentication, {
      timeoutMs: s.timeoutMs,
      signal: context.signal,
      insecure: s.insecure,
    });
    if ("error" in auth) return { problem: auth.error };
    // The provider's own headers win over the template's, whatever their case (as in Argo).
    const headers = headerMap([
      ...s.headers,
      { key: "Accept", value: "application/json" },
      { key: "Content-Type", value: "application/x-www-form-urlencoded" },
      ...(auth.header === undefined ? [] : [{ key: "Authorization", value: auth.header }]),
    ]);
    const url = `${address.replace(/\/+$/, "")}/api/v1/${endpoint}`;
    const send = (method: "POST" | "GET") =>
      httpCall({
        method,
        url: method === "GET" ? `${url}?${form.toString()}` : url,
        headers,
        ...(method === "POST" && { body: form.toString() }),
        timeoutMs: Math.max(1, deadline - Date.now()),
        signal: context.signal,
        insecure: s.insecure,
      });
    // POST keeps long queries out of the URL; like Prometheus' Go client, fall back to GET where
    // a proxy in front refuses POST.
    let answer = await send("POST");
    if (answer.ok && (answer.status === 405 || answer.status === 501)) answer = await send("GET");
    if (!answer.ok) return { problem: answer.reason };
    if (answer.truncated) return { problem: "the answer is larger than 16 MiB" };
    if (answer.status < 200 || answer.status >= 300) {
      let doc: unknown;
      try {
        doc = JSON.parse(answer.body);
      } catch {
        doc = undefined;
      }
      return {
        problem: `HTTP ${answer.status}: ${errorOf(doc) ?? (excerpt(answer.body, 200) || "no body")}`,
      };
    }
    return readQueryAnswer(answer.body);
  }
}

/** Prometheus takes times as Unix seconds with a fraction. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
