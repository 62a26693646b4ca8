/**
 * The proxy's configuration: its shape (Argo Rollouts' names for header and mirror routes) and its
 * validation, a pure function that reports every problem with its path and returns the normalised form.
 */
import { compileRegex } from "@ramp/engine";
import type { ConfigIssue } from "./errors.js";

/** One version of the service and the upstreams that serve it, e.g. `{ version: "v2", targets: ["http://10.0.0.7:8080"] }`. */
export interface VersionTargets {
  readonly version: string;
  /** `http://host:port` origins; requests go to them in turn. */
  readonly targets: readonly string[];
}

/**
 * A condition on one request header or cookie; exactly one of `exact`, `prefix` and `regex`. `regex` is
 * RE2 syntax matched against the whole value (as Istio and the Gateway API do) in linear time.
 */
export interface HeaderMatch {
  readonly header?: string;
  readonly cookie?: string;
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

/** Argo's `setHeaderRoute`: a request matching every entry of `match` always goes to the canary. */
export interface HeaderRoute {
  readonly name: string;
  readonly match: readonly HeaderMatch[];
}

/** Argo's `setMirrorRoute`: `percentage` of the (matching) requests are also sent to the canary, responses discarded. */
export interface MirrorRoute {
  readonly name: string;
  readonly percentage: number;
  readonly match?: readonly HeaderMatch[];
}

/** Which request value keeps a user on one version: a header, else a cookie. `salt` defaults to the service. */
export interface StickyConfig {
  readonly header?: string;
  readonly cookie?: string;
  readonly salt?: string;
}

/** Everything the data plane needs; `configure` swaps it atomically. */
export interface ProxyConfig {
  /** The `service` label of the metrics; also the default sticky salt. */
  readonly service: string;
  readonly stable: VersionTargets;
  readonly canary?: VersionTargets | null;
  /** Percentage of traffic for the canary, 0–100 in steps of 0.1. */
  readonly weight: number;
  readonly sticky?: StickyConfig;
  readonly headerRoutes?: readonly HeaderRoute[];
  readonly mirror?: MirrorRoute | null;
  /**
   * How long an upstream may stay silent during one attempt, like nginx's `proxy_read_timeout`
   * (default 30 000 ms). Before the response head it fails the attempt (retried when safe, else 504);
   * after, it cuts the response off.
   */
  readonly timeoutMs?: number;
  /**
   * Extra attempts on another target after a failure before any response byte (default 1); only for
   * idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) without a body, never for POST or PATCH.
   */
  readonly retries?: number;
}

/** A configuration after validation: defaults filled in, header names lower-cased, targets as origins. */
export interface NormalizedConfig extends ProxyConfig {
  readonly canary: VersionTargets | null;
  readonly headerRoutes: readonly HeaderRoute[];
  readonly mirror: MirrorRoute | null;
  readonly timeoutMs: number;
  readonly retries: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 1;
const MAX_TIMEOUT_MS = 3_600_000;
const MAX_RETRIES = 10;
/** RFC 9110 token: what a header or cookie name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export type ValidationResult =
  | { readonly ok: true; readonly config: NormalizedConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

type Obj = Readonly<Record<string, unknown>>;

/** Checks `input` against {@link ProxyConfig}; never throws. */
export function validateProxyConfig(input: unknown): ValidationResult {
  const issues: ConfigIssue[] = [];
  const v = new Checker(issues);
  const root = v.object(input, "", [
    "service",
    "stable",
    "canary",
    "weight",
    "sticky",
    "headerRoutes",
    "mirror",
    "timeoutMs",
    "retries",
  ]);
  if (root === undefined) return { ok: false, issues };

  const service = v.name(root.service, "service");
  const stable = v.version(root.stable, "stable");
  const canary = root.canary === undefined || root.canary === null ? null : v.version(root.canary, "canary");
  const weight = v.percentage(root.weight, "weight");
  if (weight !== undefined && weight > 0 && root.canary == null)
    v.fail("weight", "must be 0 when there is no canary");
  const sticky = root.sticky === undefined ? undefined : v.sticky(root.sticky, "sticky");
  const headerRoutes = v.headerRoutes(root.headerRoutes, "headerRoutes");
  if (headerRoutes.length > 0 && root.canary == null) v.fail("headerRoutes", "need a canary to route to");
  const mirror =
    root.mirror === undefined || root.mirror === null ? null : (v.mirror(root.mirror, "mirror") ?? null);
  if (mirror !== null && root.canary == null) v.fail("mirror", "needs a canary to mirror to");
  const timeoutMs = v.integer(root.timeoutMs, "timeoutMs", 1, MAX_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS;
  const retries = v.integer(root.retries, "retries", 0, MAX_RETRIES) ?? DEFAULT_RETRIES;

  if (issues.length > 0 || service === undefined || stable === undefined || weight === undefined) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    config: deepFreeze({
      service,
      stable,
      canary: canary ?? null,
      weight,
      ...(sticky === undefined ? {} : { sticky }),
      headerRoutes,
      mirror,
      timeoutMs,
      retries,
    }),
  };
}

/** Collects issues while reading an unknown value; each method returns undefined on a problem. */
class Checker {
  constructor(private readonly issues: ConfigIssue[]) {}

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  object(value: unknown, path: string, known: readonly string[]): Obj | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return this.fail(path, `must be an object, got ${describe(value)}`);
    }
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        const hint = closest(key, known);
        this.fail(join(path, key), `unknown field${hint === undefined ? "" : ` (did you mean '${hint}'?)`}`);
      }
    }
    return value as Obj;
  }

  string(value: unknown, path: string): string | undefined {
    if (typeof value !== "string") return this.fail(path, `must be a string, got ${describe(value)}`);
    return value;
  }

  name(value: unknown, path: string): string | undefined {
    const s = this.string(value, path);
    if (s === undefined) return undefined;
    if (s.trim() === "") return this.fail(path, "must not be empty");
    if (s.length > 200) return this.fail(path, "must be at most 200 characters");
    return s;
  }

  integer(value: unknown, path: string, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      return this.fail(path, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
    }
    return value;
  }

  percentage(value: unknown, path: string): number | undefined {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 100) {
      return this.fail(path, `must be a number from 0 to 100, got ${describe(value)}`);
    }
    if (Math.abs(value * 10 - Math.round(value * 10)) > 1e-9) {
      return this.fail(path, `must be a multiple of 0.1 (0.1% steps), got ${value}`);
    }
    return Math.round(value * 10) / 10;
  }

  version(value: unknown, path: string): VersionTargets | undefined {
    const o = this.object(value, path, ["version", "targets"]);
    if (o === undefined) return undefined;
    const version = this.name(o.version, join(path, "version"));
    const targets = this.targets(o.targets, join(path, "targets"));
    return version === undefined || targets === undefined ? undefined : { version, targets };
  }

  targets(value: unknown, path: string): string[] | undefined {
    if (!Array.isArray(value))
      return this.fail(path, `must be an array of http:// URLs, got ${describe(value)}`);
    if (value.length === 0) return this.fail(path, "must list at least one target");
    const out: string[] = [];
    value.forEach((t, i) => {
      const origin = this.target(t, `${path}[${i}]`);
      if (origin !== undefined) out.push(origin);
    });
    return out.length === value.length ? out : undefined;
  }

  target(value: unknown, path: string): string | undefined {
    const s = this.string(value, path);
    if (s === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return this.fail(path, `'${s}' is not a URL (expected http://host:port)`);
    }
    if (url.protocol !== "http:") return this.fail(path, `'${s}': only http:// targets are supported`);
    if (url.username !== "" || url.password !== "")
      return this.fail(path, `'${s}': credentials are not allowed`);
    if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
      return this.fail(path, `'${s}': a target is an origin (http://host:port), without path or query`);
    }
    return url.origin;
  }

  sticky(value: unknown, path: string): StickyConfig | undefined {
    const o = this.object(value, path, ["header", "cookie", "salt"]);
    if (o === undefined) return undefined;
    const header = o.header === undefined ? undefined : this.token(o.header, join(path, "header"));
    const cookie = o.cookie === undefined ? undefined : this.token(o.cookie, join(path, "cookie"));
    const salt = o.salt === undefined ? undefined : this.string(o.salt, join(path, "salt"));
    if (o.header === undefined && o.cookie === undefined)
      return this.fail(path, "set header, cookie or both");
    return {
      ...(header === undefined ? {} : { header: header.toLowerCase() }),
      ...(cookie === undefined ? {} : { cookie }),
      ...(salt === undefined ? {} : { salt }),
    };
  }

  token(value: unknown, path: string): string | undefined {
    const s = this.string(value, path);
    if (s === undefined) return undefined;
    if (!TOKEN.test(s)) return this.fail(path, `'${s}' is not a valid header or cookie name`);
    return s;
  }

  headerRoutes(value: unknown, path: string): HeaderRoute[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.fail(path, `must be an array, got ${describe(value)}`) ?? [];
    const seen = new Set<string>();
    const out: HeaderRoute[] = [];
    value.forEach((r, i) => {
      const p = `${path}[${i}]`;
      const o = this.object(r, p, ["name", "match"]);
      if (o === undefined) return;
      const name = this.name(o.name, `${p}.name`);
      if (name !== undefined && seen.has(name)) this.fail(`${p}.name`, `duplicate route name '${name}'`);
      if (name !== undefined) seen.add(name);
      const match = this.matches(o.match, `${p}.match`, true);
      if (name !== undefined && match !== undefined) out.push({ name, match });
    });
    return out;
  }

  mirror(value: unknown, path: string): MirrorRoute | undefined {
    const o = this.object(value, path, ["name", "percentage", "match"]);
    if (o === undefined) return undefined;
    const name = this.name(o.name, `${path}.name`);
    const percentage = this.percentage(o.percentage, `${path}.percentage`);
    const match = o.match === undefined ? undefined : this.matches(o.match, `${path}.match`, false);
    if (name === undefined || percentage === undefined) return undefined;
    return match === undefined || match.length === 0 ? { name, percentage } : { name, percentage, match };
  }

  matches(value: unknown, path: string, required: boolean): HeaderMatch[] | undefined {
    if (!Array.isArray(value)) return this.fail(path, `must be an array of matches, got ${describe(value)}`);
    if (required && value.length === 0) return this.fail(path, "must have at least one match");
    const out: HeaderMatch[] = [];
    value.forEach((m, i) => {
      const match = this.match(m, `${path}[${i}]`);
      if (match !== undefined) out.push(match);
    });
    return out.length === value.length ? out : undefined;
  }

  match(value: unknown, path: string): HeaderMatch | undefined {
    const o = this.object(value, path, ["header", "cookie", "exact", "prefix", "regex"]);
    if (o === undefined) return undefined;
    const subjects = (["header", "cookie"] as const).filter((k) => o[k] !== undefined);
    const kinds = (["exact", "prefix", "regex"] as const).filter((k) => o[k] !== undefined);
    if (subjects.length !== 1) return this.fail(path, "needs exactly one of header and cookie");
    if (kinds.length !== 1) return this.fail(path, "needs exactly one of exact, prefix and regex");
    const subject = subjects[0] ?? "header";
    const kind = kinds[0] ?? "exact";
    const name = this.token(o[subject], join(path, subject));
    const pattern = this.string(o[kind], join(path, kind));
    if (name === undefined || pattern === undefined) return undefined;
    if (kind === "regex") {
      const compiled = compileRegex(fullMatch(pattern));
      if (!compiled.ok)
        return this.fail(join(path, "regex"), `invalid regular expression: ${compiled.message}`);
    }
    return { [subject]: subject === "header" ? name.toLowerCase() : name, [kind]: pattern };
  }
}

/** Wraps a pattern so that it must match the whole value. */
export function fullMatch(pattern: string): string {
  return `^(?:${pattern})$`;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}

/** The known key nearest to `key` by edit distance, when near enough to be a typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
