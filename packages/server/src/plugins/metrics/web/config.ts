/**
 * The `web` provider's settings (Argo's WebMetric): checked with paths when a template loads, and
 * read again, typed, for each measurement.
 */

import type { JsonValue } from "@ramp/engine";
import { describeValue, joinPath } from "../../../analysis/issues.js";
import { type HttpSettings, isDeferred, isHttpUrl, parseHttpSettings } from "../http/settings.js";
import { toJson } from "../json.js";
import { type SettingsReader, settingsObject } from "../provider-settings.js";
import { type CompiledJsonPath, compileJsonPath } from "./json-path.js";

const KEYS = [
  "url",
  "method",
  "headers",
  "body",
  "jsonBody",
  "timeoutSeconds",
  "jsonPath",
  "insecure",
  "authentication",
] as const;
const METHODS = ["GET", "POST", "PUT"] as const;

/** Argo's default request timeout for web metrics. */
export const DEFAULT_WEB_TIMEOUT_SECONDS = 10;

export interface WebSettings extends HttpSettings {
  readonly url: string;
  readonly method: (typeof METHODS)[number];
  /** The body to send, and whether it is JSON (then Content-Type: application/json is set). */
  readonly body?: { readonly text: string; readonly json: boolean };
  readonly timeoutMs: number;
  readonly jsonPath: CompiledJsonPath;
}

/** The settings, typed, or undefined after reporting every problem with its path. */
export const readWebSettings: SettingsReader<WebSettings> = (input, path, issues, resolved) => {
  const before = issues.items.length;
  const value = settingsObject(input, KEYS, path, issues, "an object with a url");
  if (value === undefined) return undefined;
  const { url, body, jsonBody, timeoutSeconds, jsonPath } = value;
  if (typeof url !== "string" || (!isDeferred(url, resolved) && !isHttpUrl(url))) {
    issues.error(joinPath(path, "url"), `required: an http(s) URL, got ${describeValue(url)}`);
  }
  const methodText = value.method ?? "GET";
  const method = METHODS.find((m) => m === methodText);
  if (method === undefined) {
    issues.error(joinPath(path, "method"), `expected GET, POST or PUT, got ${describeValue(methodText)}`);
  }
  if (body !== undefined && typeof body !== "string") {
    issues.error(
      joinPath(path, "body"),
      `expected a string (use jsonBody for JSON), got ${describeValue(body)}`,
    );
  }
  const hasBody = (typeof body === "string" && body !== "") || jsonBody !== undefined;
  if (typeof body === "string" && body !== "" && jsonBody !== undefined) {
    issues.error(path, "use either body or jsonBody, not both");
  } else if (hasBody && method === "GET") {
    issues.error(joinPath(path, "method"), "a body (body or jsonBody) needs method POST or PUT");
  }
  const json: JsonValue | undefined =
    jsonBody === undefined ? undefined : toJson(jsonBody, joinPath(path, "jsonBody"), issues);
  if (timeoutSeconds !== undefined && !(Number.isInteger(timeoutSeconds) && Number(timeoutSeconds) >= 0)) {
    issues.error(
      joinPath(path, "timeoutSeconds"),
      `expected a whole number of seconds (0 for the default ${DEFAULT_WEB_TIMEOUT_SECONDS}), got ${describeValue(timeoutSeconds)}`,
    );
  }
  let compiled: CompiledJsonPath | undefined;
  if (jsonPath !== undefined && typeof jsonPath !== "string") {
    issues.error(
      joinPath(path, "jsonPath"),
      `expected a JSONPath such as "{$.data.ok}", got ${describeValue(jsonPath)}`,
    );
  } else if (!isDeferred(jsonPath, resolved)) {
    const c = compileJsonPath(jsonPath === undefined || jsonPath === "" ? "{$}" : jsonPath);
    if (c.ok) compiled = c.path;
    else issues.error(joinPath(path, "jsonPath"), c.message);
  }
  const http = parseHttpSettings(value, path, issues, resolved);
  if (issues.items.length > before || typeof url !== "string" || method === undefined || http === undefined) {
    return undefined;
  }
  // A template's jsonPath may wait for its arguments; the run reads the settings again, resolved.
  const selected = compiled ?? { source: "{$}", many: false, steps: [] };
  const seconds =
    typeof timeoutSeconds === "number" && timeoutSeconds > 0 ? timeoutSeconds : DEFAULT_WEB_TIMEOUT_SECONDS;
  return {
    url,
    method,
    ...http,
    ...(json !== undefined && { body: { text: JSON.stringify(json), json: true } }),
    ...(typeof body === "string" && body !== "" && { body: { text: body, json: false } }),
    timeoutMs: seconds * 1000,
    jsonPath: selected,
  };
};
