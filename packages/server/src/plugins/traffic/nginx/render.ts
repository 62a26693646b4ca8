/**
 * The pure half of the nginx router: a RouteState rendered as the nginx configuration Ramp owns (an
 * upstream with weighted servers, a canary-only upstream and `map` blocks for header routes).
 */
import type { HeaderRoute, StringMatchValue } from "../../../rollouts/rollout.js";
import type { RouteState } from "../router.js";

/** The access log fields, '|'-separated (none contains one); the upstream address last, as it may list retries. */
export const ACCESS_LOG_FORMAT = "$msec|$status|$upstream_response_time|$upstream_addr";

/** Weights are rendered in thousandths: Ramp's weights have 0.1 % steps. */
const SCALE = 1000;

export interface NginxNames {
  /** The split upstream, stable and canary weighted. */
  readonly upstream: string;
  /** The canary-only upstream that header routes select. */
  readonly canaryUpstream: string;
  /** The variable (without `$`) that names the upstream a request goes to. */
  readonly variable: string;
  /** The variable (without `$`) that holds the generation of the routing in force. */
  readonly generationVariable: string;
  /** The access log format the metrics reader parses (ACCESS_LOG_FORMAT). */
  readonly logFormat: string;
}

/** The names rendered for an upstream: `checkout` → `$ramp_checkout_upstream`, upstream `checkout_canary`. */
export function nginxNames(upstream: string): NginxNames {
  const id = upstream.replace(/[^A-Za-z0-9_]/g, "_");
  return {
    upstream,
    canaryUpstream: `${upstream}_canary`,
    variable: `ramp_${id}_upstream`,
    generationVariable: `ramp_${id}_generation`,
    logFormat: `ramp_${id}`,
  };
}

export interface RenderedConfig {
  readonly text: string;
  /** A hash of what routes: the same state renders the same generation. */
  readonly generation: string;
}

/** `http://127.0.0.1:8080/` → `127.0.0.1:8080`; nginx talks plain HTTP to the targets. */
export function serverAddress(target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new Error(`nginx router: target '${target}' is not a URL like http://127.0.0.1:8080`);
  }
  if (url.protocol !== "http:")
    throw new Error(`nginx router: target '${target}' must be http:// (nginx proxies to it in plain HTTP)`);
  return `${url.hostname.includes(":") ? `[${url.hostname}]` : url.hostname}:${url.port || "80"}`;
}

/** nginx `server … weight=N` lines for the split: integers in the ratio of the weights, reduced. */
export function weightedServers(state: RouteState): { address: string; weight: number }[] {
  const canaryShare = state.canary === null ? 0 : Math.round(state.weight * (SCALE / 100));
  const stable = state.stable.targets.map(serverAddress);
  const canary = state.canary?.targets.map(serverAddress) ?? [];
  if (canaryShare <= 0 || canary.length === 0) return stable.map((address) => ({ address, weight: 1 }));
  if (canaryShare >= SCALE) return canary.map((address) => ({ address, weight: 1 }));
  // Each version's share is spread evenly over its targets.
  let ws = (SCALE - canaryShare) * canary.length;
  let wc = canaryShare * stable.length;
  const g = gcd(ws, wc);
  ws /= g;
  wc /= g;
  return [
    ...stable.map((address) => ({ address, weight: ws })),
    ...canary.map((address) => ({ address, weight: wc })),
  ];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A string inside nginx double quotes: nginx unescapes `\"` and `\\`. */
function quoted(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
}

/** A PCRE pattern matching `s` literally. */
export function pcreLiteral(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}/-]/g, "\\$&");
}

/**
 * The PCRE for one StringMatch, anchored at both ends: Argo's (Istio's) regex matches the whole
 * value. RE2 syntax is (for what header routes use) a subset of PCRE; `(?:…)` keeps alternations inside.
 */
export function matchPattern(m: StringMatchValue): string {
  if ("exact" in m) return `^${pcreLiteral(m.exact)}$`;
  if ("prefix" in m) return `^${pcreLiteral(m.prefix)}`;
  return `^(?:${m.regex})$`;
}

/** Header name → the patterns that send it to the canary, in route order, without repeats. */
function patternsByHeader(routes: readonly HeaderRoute[]): Map<string, string[]> {
  const byHeader = new Map<string, string[]>();
  for (const route of routes)
    for (const m of route.match) {
      const header = m.headerName.toLowerCase();
      const list = byHeader.get(header) ?? [];
      const pattern = matchPattern(m.headerValue);
      if (!list.includes(pattern)) list.push(pattern);
      byHeader.set(header, list);
    }
  return byHeader;
}

/**
 * The file for `state`: deterministic, and only what routes is in it (not the version names), so a
 * state that routes the same renders the same text and needs no reload.
 */
export function renderNginxConfig(state: RouteState, names: NginxNames, service: string): RenderedConfig {
  const body: string[] = [];
  const upstream = (name: string, servers: readonly { address: string; weight: number }[]) => {
    body.push(`upstream ${name} {`);
    for (const s of servers)
      body.push(`    server ${s.address}${s.weight === 1 ? "" : ` weight=${s.weight}`};`);
    body.push("}", "");
  };
  upstream(names.upstream, weightedServers(state));
  const headers = state.canary === null ? new Map<string, string[]>() : patternsByHeader(state.headerRoutes);
  if (state.canary !== null && headers.size > 0) {
    upstream(
      names.canaryUpstream,
      state.canary.targets.map((t) => ({ address: serverAddress(t), weight: 1 })),
    );
  }
  // One map per header, chained through their defaults: a request matching any route's entry goes
  // to the canary upstream (Argo's header routes are alternatives), every other to the split.
  const entries = [...headers];
  if (entries.length === 0) {
    body.push(`map $host $${names.variable} {`, `    default ${names.upstream};`, "}", "");
  }
  entries.forEach(([header, patterns], i) => {
    const out = i === entries.length - 1 ? names.variable : `${names.variable}_${i + 1}`;
    const fallback = i === 0 ? names.upstream : `$${names.variable}_${i}`;
    body.push(`map $http_${header.replace(/-/g, "_")} $${out} {`, `    default ${fallback};`);
    for (const p of patterns) body.push(`    ${quoted(`~${p}`)} ${names.canaryUpstream};`);
    body.push("}", "");
  });
  const generation = fnv1a(body.join("\n"));
  const text = [
    `# Written by Ramp for the rollout '${service}': Ramp rewrites this file at every traffic change.`,
    `# Include it in nginx.conf's http block and proxy_pass to http://$${names.variable} (docs/routers.md).`,
    "",
    ...body,
    `map $host $${names.generationVariable} {`,
    `    default "${generation}";`,
    "}",
    "",
    `# For per-version metrics: access_log <accessLog> ${names.logFormat}; in the location that proxies.`,
    `log_format ${names.logFormat} '${ACCESS_LOG_FORMAT}';`,
    "",
  ].join("\n");
  return { text, generation };
}

/** A short stable hash (FNV-1a, 32 bits, hex) of the routing part of the file. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
