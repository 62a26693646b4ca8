/**
 * The `web` provider (argo-rollouts metricproviders/webmetric): calls a URL and returns the part of
 * its JSON answer that `jsonPath` selects (default `{$}`, the whole document) — a number, boolean,
 * string, object or list, bound as `result` (`result.ok == true`). As in Argo, an answer that is not
 * JSON is returned as its text, and a status outside 2xx is an error, quoting the body.
 *
 * Where Ramp differs: a path with `[*]` selects the list of every match (Argo keeps only the
 * first), so `result.all(x, x > 0)` sees them all; a path that selects nothing is an error, never
 * an empty value a condition could pass.
 */

import type { JsonValue } from "@ramp/engine";
import type { Metric } from "../../../analysis/types.js";
import { AuthHeaders } from "../http/auth.js";
import { excerpt, httpCall } from "../http/request.js";
import { headerMap } from "../http/settings.js";
import type { MeasurementContext, MeasurementResult, MetricProvider } from "../provider.js";
import { measuredSettings } from "../provider-settings.js";
import { readWebSettings } from "./config.js";
import { selectJsonPath } from "./json-path.js";

export { DEFAULT_WEB_TIMEOUT_SECONDS, readWebSettings } from "./config.js";
export { compileJsonPath, selectJsonPath } from "./json-path.js";

/** Bodies larger than this are not read: a metric endpoint answers in kilobytes. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class WebMetricProvider implements MetricProvider {
  readonly type = "web";
  readonly #auth = new AuthHeaders();

  async measure(metric: Metric, context: MeasurementContext): Promise<MeasurementResult> {
    const read = measuredSettings(metric, "web", readWebSettings);
    if ("error" in read) return read;
    const s = read.settings;
    const fail = (what: string): MeasurementResult => ({ error: `web: ${what} (${s.method} ${s.url})` });

    const deadline = Date.now() + s.timeoutMs;
    const auth = await this.#auth.header(s.authentication, {
      timeoutMs: s.timeoutMs,
      signal: context.signal,
      insecure: s.insecure,
    });
    if ("error" in auth) return fail(auth.error);
    // The provider's own headers win over the template's, whatever their case (as in Argo).
    const headers = headerMap([
      ...s.headers,
      ...(s.body?.json === true ? [{ key: "Content-Type", value: "application/json" }] : []),
      ...(auth.header === undefined ? [] : [{ key: "Authorization", value: auth.header }]),
    ]);
    const answer = await httpCall({
      method: s.method,
      url: s.url,
      headers,
      ...(s.body !== undefined && { body: s.body.text }),
      timeoutMs: Math.max(1, deadline - Date.now()),
      signal: context.signal,
      insecure: s.insecure,
      maxBytes: MAX_BODY_BYTES,
    });
    if (!answer.ok) return fail(answer.reason);
    if (answer.status < 200 || answer.status >= 300) {
      return fail(`HTTP ${answer.status}: ${excerpt(answer.body) || "no body"}`);
    }
    if (answer.truncated) return fail(`the answer is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
    let doc: JsonValue;
    try {
      doc = JSON.parse(answer.body) as JsonValue;
    } catch {
      return { value: answer.body };
    }
    const matches = selectJsonPath(s.jsonPath, doc);
    if (matches.length === 0) return fail(`jsonPath ${s.jsonPath.source} selects nothing in the answer`);
    return { value: s.jsonPath.many ? matches : (matches[0] ?? null) };
  }
}
