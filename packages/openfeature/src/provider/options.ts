/**
 * The provider's options, their defaults, and the check that rejects a bad configuration when the
 * provider is built (with the option's name), rather than failing later in the background.
 */
import { DefaultLogger, type Logger } from "@openfeature/server-sdk";
import { MAX_BATCH } from "../reporting/usage-reporter.js";
import { type BackoffPolicy, DEFAULT_BACKOFF } from "../stream/backoff.js";
import { type Clock, systemClock } from "../stream/clock.js";

/** Connects to a Ramp server: flags from `GET /sdk/v1/stream`, usage to `/sdk/v1/metrics` and `/events`. */
export interface RampServerOptions {
  /** The Ramp server's base URL, e.g. "https://ramp.example.com". */
  readonly url: string;
  /** A server-scoped SDK token (`ramp_server_…`); it decides the environment. */
  readonly token: string;
  /**
   * A file to keep the last good snapshot in. When the server cannot be reached at start, the
   * provider serves these flags (and reports STALE) instead of failing.
   */
  readonly cacheFile?: string;
  /** How long `initialize()` waits for flags before it fails (default 10 000 ms). */
  readonly initTimeoutMs?: number;
  /** The server's heartbeat period; a stream silent for twice this is reconnected (default 15 000 ms). */
  readonly heartbeatIntervalMs?: number;
  /**
   * Reconnection backoff: full jitter below initial·2^n, capped (default 500 ms, 4 000 ms). The cap
   * bounds how long after the server returns the flags converge.
   */
  readonly reconnect?: Partial<BackoffPolicy>;
  /** How often evaluation counts and tracked events are sent (default 10 000 ms). */
  readonly flushIntervalMs?: number;
  /** Tracked events per request, at most 1 000; a full batch is sent at once (default 100). */
  readonly eventBatchSize?: number;
  /** Tracked events kept while the server is away; the oldest go first beyond it (default 10 000). */
  readonly maxBufferedEvents?: number;
  /** Count evaluations per flag and variant for the server's usage metrics (default true). */
  readonly sendEvaluationMetrics?: boolean;
  /** Deadline of each metrics or events request (default 10 000 ms). */
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
  /** Replaces the global fetch (a proxy agent, tests). */
  readonly fetch?: typeof fetch;
  /** Replaces the system clock (tests). */
  readonly clock?: Clock;
  /** Replaces Math.random for backoff jitter (tests). */
  readonly random?: () => number;
}

/** Serves a flag file given by the application: no server, no network, no usage reports. */
export interface RampOfflineOptions {
  readonly offline: {
    /** A parsed flag file (docs/flag-format.md). */
    readonly file: unknown;
    /** The environment to serve (default: the file's first). */
    readonly environment?: string;
  };
  readonly logger?: Logger;
}

export type RampProviderOptions = RampServerOptions | RampOfflineOptions;

/** Server options with every default filled in. */
export interface ResolvedServerOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly cacheFile: string | undefined;
  readonly initTimeoutMs: number;
  readonly silenceTimeoutMs: number;
  readonly openGraceMs: number;
  readonly backoff: BackoffPolicy;
  readonly flushIntervalMs: number;
  readonly eventBatchSize: number;
  readonly maxBufferedEvents: number;
  readonly sendEvaluationMetrics: boolean;
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly random: () => number;
}

export function isOffline(options: RampProviderOptions): options is RampOfflineOptions {
  return "offline" in options && options.offline !== undefined;
}

/** Fills in defaults; throws a TypeError naming the option when one is unusable. */
export function resolveServerOptions(options: RampServerOptions): ResolvedServerOptions {
  const url = parseUrl(options.url);
  if (typeof options.token !== "string" || options.token.trim() === "")
    throw new TypeError("RampProvider: `token` is required (a server SDK token, ramp_server_…)");
  const heartbeat = positive("heartbeatIntervalMs", options.heartbeatIntervalMs, 15_000);
  const backoff: BackoffPolicy = {
    initialDelayMs: positive(
      "reconnect.initialDelayMs",
      options.reconnect?.initialDelayMs,
      DEFAULT_BACKOFF.initialDelayMs,
    ),
    maxDelayMs: positive("reconnect.maxDelayMs", options.reconnect?.maxDelayMs, DEFAULT_BACKOFF.maxDelayMs),
  };
  if (backoff.maxDelayMs < backoff.initialDelayMs)
    throw new TypeError(
      "RampProvider: `reconnect.maxDelayMs` must not be smaller than `reconnect.initialDelayMs`",
    );
  if (options.eventBatchSize !== undefined && options.eventBatchSize > MAX_BATCH)
    throw new TypeError(
      `RampProvider: \`eventBatchSize\` must be at most ${MAX_BATCH} (the server's limit per request)`,
    );
  if (options.cacheFile !== undefined && (typeof options.cacheFile !== "string" || options.cacheFile === ""))
    throw new TypeError("RampProvider: `cacheFile` must be a file path");
  return {
    baseUrl: url,
    token: options.token.trim(),
    cacheFile: options.cacheFile,
    initTimeoutMs: positive("initTimeoutMs", options.initTimeoutMs, 10_000),
    silenceTimeoutMs: 2 * heartbeat,
    // Long enough for the put that follows the headers, short next to any human-visible delay.
    openGraceMs: Math.min(250, heartbeat),
    backoff,
    flushIntervalMs: positive("flushIntervalMs", options.flushIntervalMs, 10_000),
    eventBatchSize: positive("eventBatchSize", options.eventBatchSize, 100, "number"),
    maxBufferedEvents: positive("maxBufferedEvents", options.maxBufferedEvents, 10_000, "number"),
    sendEvaluationMetrics: options.sendEvaluationMetrics ?? true,
    requestTimeoutMs: positive("requestTimeoutMs", options.requestTimeoutMs, 10_000),
    logger: options.logger ?? new DefaultLogger(),
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}

function parseUrl(raw: unknown): string {
  if (typeof raw !== "string" || raw === "")
    throw new TypeError('RampProvider: `url` is required (the Ramp server, e.g. "https://ramp.example.com")');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`RampProvider: \`url\` is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError(`RampProvider: \`url\` must be http(s), not ${url.protocol}`);
  // Kept as a prefix, so a server behind a path (https://example.com/ramp) works.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

function positive(
  name: string,
  value: number | undefined,
  fallback: number,
  unit = "number of milliseconds",
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    throw new TypeError(`RampProvider: \`${name}\` must be a positive ${unit}, not ${String(value)}`);
  return value;
}
