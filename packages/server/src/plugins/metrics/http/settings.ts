/**
 * Settings the HTTP-calling providers share, as Argo writes them: `headers: [{key, value}]` and
 * `authentication: {basicAuth | oauth2 | sigv4}`. Checked at template load (with paths) and read
 * again, typed, when a measurement is taken.
 */

import {
  checkKnownKeys,
  describeValue,
  type IssueList,
  isPlainObject,
  joinPath,
} from "../../../analysis/issues.js";
import { settingsObject } from "../provider-settings.js";

export interface HeaderSetting {
  readonly key: string;
  readonly value: string;
}

export interface OAuth2Settings {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
}

export interface AuthSettings {
  readonly basicAuth?: { readonly username: string; readonly password: string };
  readonly oauth2?: OAuth2Settings;
}

/** How an HTTP-calling provider connects: `insecure`, `headers` and `authentication`, as Argo has them. */
export interface HttpSettings {
  readonly insecure: boolean;
  readonly headers: readonly HeaderSetting[];
  readonly authentication: AuthSettings;
}

// RFC 9110 token characters: what a header name may be made of.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether a template string still waits for `{{args.*}}` substitution (checked once resolved). */
export function isDeferred(value: unknown, resolved: boolean): boolean {
  return !resolved && typeof value === "string" && value.includes("{{");
}

/** A provider's `insecure`, `headers` and `authentication`, or undefined after reporting what is wrong. */
export function parseHttpSettings(
  value: Record<string, unknown>,
  path: string,
  issues: IssueList,
  resolved: boolean,
): HttpSettings | undefined {
  const { insecure } = value;
  if (insecure !== undefined && typeof insecure !== "boolean") {
    issues.error(joinPath(path, "insecure"), `expected true or false, got ${describeValue(insecure)}`);
  }
  const headers = parseHeaders(value.headers, joinPath(path, "headers"), issues, resolved);
  const authentication = parseAuthentication(
    value.authentication,
    joinPath(path, "authentication"),
    issues,
    resolved,
  );
  if (headers === undefined || authentication === undefined) return undefined;
  return { insecure: insecure === true, headers, authentication };
}

/** `headers: [{key, value}]`, Argo's WebMetricHeader list. */
export function parseHeaders(
  value: unknown,
  path: string,
  issues: IssueList,
  resolved: boolean,
): HeaderSetting[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.error(path, `expected a list of {key, value}, got ${describeValue(value)}`);
    return undefined;
  }
  const before = issues.items.length;
  const out: HeaderSetting[] = [];
  for (const [i, item] of value.entries()) {
    const at = joinPath(path, i);
    if (!isPlainObject(item)) {
      issues.error(at, `expected {key, value}, got ${describeValue(item)}`);
      continue;
    }
    checkKnownKeys(item, ["key", "value"], at, issues);
    const { key, value: v } = item;
    if (typeof key !== "string" || (!isDeferred(key, resolved) && !HEADER_NAME.test(key))) {
      issues.error(
        joinPath(at, "key"),
        `expected a header name such as "Authorization", got ${describeValue(key)}`,
      );
    }
    if (typeof v !== "string")
      issues.error(joinPath(at, "value"), `expected a string, got ${describeValue(v)}`);
    else if (/[\r\n]/.test(v)) issues.error(joinPath(at, "value"), "a header value cannot hold a line break");
    if (typeof key === "string" && typeof v === "string") out.push({ key, value: v });
  }
  return issues.items.length > before ? undefined : out;
}

/**
 * `authentication`: `basicAuth {username, password}` and `oauth2 {tokenUrl, clientId, clientSecret,
 * scopes}` (client credentials) are supported. `sigv4` (Amazon Managed Prometheus) is not: it is
 * refused here rather than ignored, so no query runs unsigned by surprise.
 */
export function parseAuthentication(
  value: unknown,
  path: string,
  issues: IssueList,
  resolved: boolean,
): AuthSettings | undefined {
  if (value === undefined) return {};
  const before = issues.items.length;
  const auth = settingsObject(
    value,
    ["basicAuth", "oauth2", "sigv4"],
    path,
    issues,
    "an object with basicAuth or oauth2",
  );
  if (auth === undefined) return undefined;
  const { basicAuth, oauth2, sigv4 } = auth;
  if (sigv4 !== undefined && !(isPlainObject(sigv4) && Object.values(sigv4).every((v) => v === ""))) {
    issues.error(
      joinPath(path, "sigv4"),
      "AWS SigV4 signing is not supported by Ramp; put a token in headers (Authorization) or use oauth2 or basicAuth",
    );
  }
  const out: { basicAuth?: AuthSettings["basicAuth"]; oauth2?: OAuth2Settings } = {};
  const basic = stringFields(basicAuth, ["username", "password"], joinPath(path, "basicAuth"), issues);
  const username = basic?.username ?? "";
  const password = basic?.password ?? "";
  // Argo's zero value: an empty basicAuth block means none.
  if (username !== "" || password !== "") {
    if (username === "")
      issues.error(joinPath(joinPath(path, "basicAuth"), "username"), "required for basic authentication");
    if (password === "")
      issues.error(joinPath(joinPath(path, "basicAuth"), "password"), "required for basic authentication");
    out.basicAuth = { username, password };
  }
  const o = stringFields(oauth2, ["tokenUrl", "clientId", "clientSecret"], joinPath(path, "oauth2"), issues, [
    "scopes",
  ]);
  const tokenUrl = o?.tokenUrl ?? "";
  const clientId = o?.clientId ?? "";
  const clientSecret = o?.clientSecret ?? "";
  if (isPlainObject(oauth2) && (tokenUrl !== "" || clientId !== "" || clientSecret !== "")) {
    const at = joinPath(path, "oauth2");
    const required = "required for the OAuth2 client-credentials flow";
    if (tokenUrl === "") issues.error(joinPath(at, "tokenUrl"), required);
    if (clientId === "") issues.error(joinPath(at, "clientId"), required);
    if (clientSecret === "") issues.error(joinPath(at, "clientSecret"), required);
    if (tokenUrl !== "" && !isDeferred(tokenUrl, resolved) && !isHttpUrl(tokenUrl)) {
      issues.error(joinPath(at, "tokenUrl"), `expected an http(s) URL, got ${describeValue(tokenUrl)}`);
    }
    const scopes = oauth2.scopes;
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((s) => typeof s === "string"))) {
      issues.error(joinPath(at, "scopes"), `expected a list of strings, got ${describeValue(scopes)}`);
    }
    out.oauth2 = {
      tokenUrl,
      clientId,
      clientSecret,
      scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : [],
    };
  }
  return issues.items.length > before ? undefined : out;
}

function stringFields<K extends string>(
  value: unknown,
  fields: readonly K[],
  path: string,
  issues: IssueList,
  others: readonly string[] = [],
): Partial<Record<K, string>> | undefined {
  if (value === undefined) return undefined;
  const o = settingsObject(
    value,
    [...fields, ...others],
    path,
    issues,
    `an object with ${fields.join(", ")}`,
  );
  if (o === undefined) return undefined;
  const out: Partial<Record<K, string>> = {};
  for (const field of fields) {
    const v = o[field] ?? "";
    if (typeof v !== "string")
      issues.error(joinPath(path, field), `expected a string, got ${describeValue(v)}`);
    else out[field] = v;
  }
  return fields.every((f) => out[f] !== undefined) ? out : undefined;
}

/** A URL with an http or https scheme and a host. */
export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "";
  } catch {
    return false;
  }
}

/** Headers as a request map: later entries win, as Argo's Header.Set does. */
export function headerMap(headers: readonly HeaderSetting[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) {
    for (const k of Object.keys(out)) if (k.toLowerCase() === h.key.toLowerCase()) delete out[k];
    out[h.key] = h.value;
  }
  return out;
}
