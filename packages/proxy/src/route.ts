/**
 * The routing decision, a pure function of the configuration, the request headers and a random
 * number: header routes first, then the weight (sticky by hash when the request carries the sticky
 * header or cookie), and separately whether to mirror.
 */
import type { IncomingHttpHeaders } from "node:http";
import { compileRegex, prefixedMurmur3 } from "@ramp/engine";
import { fullMatch, type HeaderMatch, type NormalizedConfig } from "./config.js";
import { cookieValue } from "./cookie.js";

/** Which version serves a request. Labels of the `version` metric label. */
export type Role = "stable" | "canary";

/** Sticky buckets: 1000, so weights move in 0.1% steps. */
export const STICKY_BUCKETS = 1000;

type Predicate = (headers: IncomingHttpHeaders) => boolean;

/** A configuration compiled for the hot path. */
export interface Router {
  /** Chooses the version for a request; `random` in [0, 1) is used only when no sticky value is present. */
  choose(headers: IncomingHttpHeaders, random: () => number): Role;
  /** Whether a request routed to stable is also mirrored to the canary. */
  mirror(headers: IncomingHttpHeaders, random: () => number): boolean;
}

/**
 * The sticky bucket (0 … 999) of `value` under `salt`: murmur3(`${salt}:${value}`) mod 1000, the hash
 * family of the engine's `bucketOf`. A user is on the canary iff bucket < weight × 10, so raising the
 * weight only ever moves users from stable to the canary.
 */
export function stickyBucket(salt: string, value: string): number {
  return prefixedMurmur3(`${salt}:`)(value) % STICKY_BUCKETS;
}

/** Compiles the routing part of a validated configuration. */
export function compileRouter(config: NormalizedConfig): Router {
  const threshold = config.canary === null ? 0 : Math.round(config.weight * 10);
  const routes = config.canary === null ? [] : config.headerRoutes.map((r) => all(r.match.map(compileMatch)));
  const mirror = config.canary === null ? null : config.mirror;
  const mirrorThreshold = mirror === null ? 0 : Math.round(mirror.percentage * 10);
  const mirrorMatch = mirror?.match === undefined ? undefined : all(mirror.match.map(compileMatch));
  const stickyHeader = config.sticky?.header;
  const stickyCookie = config.sticky?.cookie;
  const hash = prefixedMurmur3(`${config.sticky?.salt ?? config.service}:`);

  const stickyValue = (headers: IncomingHttpHeaders): string | undefined => {
    if (stickyHeader !== undefined) {
      const h = headers[stickyHeader];
      const v = typeof h === "string" ? h : h?.[0];
      if (v !== undefined && v !== "") return v;
    }
    if (stickyCookie !== undefined) {
      const v = cookieValue(headers.cookie, stickyCookie);
      if (v !== undefined && v !== "") return v;
    }
    return undefined;
  };

  const byWeight = (headers: IncomingHttpHeaders, random: () => number): Role => {
    if (threshold <= 0) return "stable";
    if (threshold >= STICKY_BUCKETS) return "canary";
    const key = stickyValue(headers);
    const bucket = key === undefined ? Math.floor(random() * STICKY_BUCKETS) : hash(key) % STICKY_BUCKETS;
    return bucket < threshold ? "canary" : "stable";
  };

  return {
    choose:
      routes.length === 0
        ? byWeight
        : (headers, random) => {
            for (const route of routes) if (route(headers)) return "canary";
            return byWeight(headers, random);
          },
    mirror: (headers, random) => {
      if (mirrorThreshold <= 0) return false;
      if (mirrorMatch !== undefined && !mirrorMatch(headers)) return false;
      return mirrorThreshold >= STICKY_BUCKETS || Math.floor(random() * STICKY_BUCKETS) < mirrorThreshold;
    },
  };
}

function all(predicates: readonly Predicate[]): Predicate {
  if (predicates.length === 1) return predicates[0] ?? (() => false);
  return (headers) => predicates.every((p) => p(headers));
}

/** Compiles one validated match; a header sent several times is matched on its comma-joined value. */
export function compileMatch(match: HeaderMatch): Predicate {
  const test = valueTest(match);
  const cookie = match.cookie;
  if (cookie !== undefined) {
    return (headers) => {
      const v = cookieValue(headers.cookie, cookie);
      return v !== undefined && test(v);
    };
  }
  const name = (match.header ?? "").toLowerCase();
  return (headers) => {
    const h = headers[name];
    if (h === undefined) return false;
    return test(typeof h === "string" ? h : h.join(", "));
  };
}

function valueTest(match: HeaderMatch): (value: string) => boolean {
  const { exact, prefix, regex } = match;
  if (exact !== undefined) return (v) => v === exact;
  if (prefix !== undefined) return (v) => v.startsWith(prefix);
  const compiled = compileRegex(fullMatch(regex ?? ""));
  // Validation compiled the same pattern; a failure here would be a bug, and must not route traffic.
  return compiled.ok ? compiled.test : () => false;
}
