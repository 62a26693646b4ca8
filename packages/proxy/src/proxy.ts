/**
 * The proxy's control API: `createProxy` builds a data plane from a configuration, `configure` swaps
 * the configuration atomically (requests in flight finish on the one they started with), `close`
 * drains gracefully.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdminHandler } from "./admin.js";
import { type NormalizedConfig, type ProxyConfig, validateProxyConfig } from "./config.js";
import { ProxyConfigError } from "./errors.js";
import { forward, respondNoCanary } from "./forward.js";
import type { ActiveConfig, Lane, RequestContext } from "./lane.js";
import { ProxyMetrics } from "./metrics/proxy-metrics.js";
import type { WindowOptions } from "./metrics/window.js";
import { compileRouter, type Role } from "./route.js";
import type { PoolOptions } from "./upstream/target.js";
import { TargetRegistry } from "./upstream/upstream.js";

export interface ProxyOptions {
  /** The first configuration; invalid ones make `createProxy` throw {@link ProxyConfigError}. */
  readonly config: ProxyConfig;
  /** Uniform in [0, 1) (default Math.random): splits of requests without a sticky value, mirror sampling. */
  readonly random?: () => number;
  /** Uniform in [0, 1) (default Math.random) for the metric windows' reservoir sampling; apart from `random` so sampling never shifts routing. */
  readonly sampleRandom?: () => number;
  /** Wall clock in epoch ms (default Date.now): metric windows, ejection. Latency uses performance.now(). */
  readonly now?: () => number;
  /** The sample windows behind `metrics.window()` (default 60 windows of 10 s, 1000 samples each). */
  readonly metricsWindows?: Partial<WindowOptions>;
  /** Largest request body buffered to mirror (default 64 KiB); bigger requests are not mirrored. */
  readonly mirrorBodyLimitBytes?: number;
  /** How long a target that refused a connection is passed over by round-robin (default 5000 ms). */
  readonly ejectMs?: number;
  /** Keep-alive connection pool of each target. */
  readonly pool?: PoolOptions;
}

export interface ListenOptions {
  /** Default 0: the OS picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Also serve `/metrics`, `/healthz` and `/config` on a separate port. */
  readonly admin?: { readonly port?: number; readonly host?: string };
  /**
   * Also serve a listener that sends every request to the canary (a blue-green preview entry point),
   * counted on the canary's metrics; 503 with a JSON body while there is no canary.
   */
  readonly canary?: { readonly port?: number; readonly host?: string };
}

export interface ProxyAddress {
  readonly url: string;
  readonly port: number;
  readonly admin?: { readonly url: string; readonly port: number };
  readonly canary?: { readonly url: string; readonly port: number };
}

export interface CloseOptions {
  /** How long requests in flight may take to finish before their connections are cut (default 10 000 ms). */
  readonly graceMs?: number;
}

export interface RampProxy {
  /** Starts serving traffic (and the admin endpoints, if asked). */
  listen(options?: ListenOptions): Promise<ProxyAddress>;
  /**
   * Validates and applies a configuration atomically; returns it normalised. On an invalid one, throws
   * {@link ProxyConfigError} (every problem with its path) and the configuration in force stays.
   */
  configure(config: ProxyConfig): NormalizedConfig;
  /** The configuration in force, normalised (defaults filled in). */
  config(): NormalizedConfig;
  /** Per-version metrics: `window()` in process, `prometheus()` for scraping. */
  readonly metrics: ProxyMetrics;
  /** The request handler, for hosts that serve the proxy from their own `node:http` server. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Like `handle`, but every request goes to the canary (503 while there is none): what `listen({ canary })` serves. */
  readonly handleCanary: (req: IncomingMessage, res: ServerResponse) => void;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes every connection. */
  close(options?: CloseOptions): Promise<void>;
}

const DEFAULT_EJECT_MS = 5000;
const DEFAULT_MIRROR_BODY_LIMIT = 64 * 1024;
const DEFAULT_GRACE_MS = 10_000;

/**
 * Creates a proxy for one service.
 *
 * @example
 * const proxy = createProxy({
 *   config: {
 *     service: "payment",
 *     stable: { version: "v1", targets: ["http://127.0.0.1:8081"] },
 *     canary: { version: "v2", targets: ["http://127.0.0.1:8082"] },
 *     weight: 5,
 *     sticky: { header: "x-user-id" },
 *   },
 * });
 * await proxy.listen({ port: 8080, admin: { port: 9090 } });
 * proxy.configure({ ...proxy.config(), weight: 25 });
 */
export function createProxy(options: ProxyOptions): RampProxy {
  return new BuiltinProxy(options);
}

class BuiltinProxy implements RampProxy {
  readonly metrics: ProxyMetrics;
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  readonly handleCanary: (req: IncomingMessage, res: ServerResponse) => void;
  private readonly registry: TargetRegistry;
  private readonly ctx: RequestContext;
  private active: ActiveConfig;
  private generation = 0;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private readonly servers: Server[] = [];

  constructor(options: ProxyOptions) {
    const random = options.random ?? Math.random;
    const now = options.now ?? Date.now;
    this.metrics = new ProxyMetrics(now, options.sampleRandom ?? Math.random, options.metricsWindows);
    this.registry = new TargetRegistry(options.pool ?? {});
    this.ctx = {
      random,
      now,
      ejectMs: options.ejectMs ?? DEFAULT_EJECT_MS,
      mirrorBodyLimitBytes: options.mirrorBodyLimitBytes ?? DEFAULT_MIRROR_BODY_LIMIT,
      done: () => {
        this.inFlight--;
        if (this.inFlight === 0) this.drained?.();
      },
    };
    this.active = this.activate(validated(options.config));
    this.handle = (req, res) => {
      if (this.closing !== undefined) res.shouldKeepAlive = false;
      this.inFlight++;
      forward(this.ctx, this.active, req, res);
    };
    this.handleCanary = (req, res) => {
      if (this.closing !== undefined) res.shouldKeepAlive = false;
      const active = this.active;
      if (active.canary === undefined) {
        respondNoCanary(active.config.service, res);
        return;
      }
      this.inFlight++;
      forward(this.ctx, active, req, res, "canary");
    };
  }

  async listen(options: ListenOptions = {}): Promise<ProxyAddress> {
    if (this.closing !== undefined) throw new Error("the proxy is closed");
    const host = options.host ?? "127.0.0.1";
    const main = createServer({ keepAliveTimeout: 65_000 }, this.handle);
    const port = await listenOn(main, options.port ?? 0, host);
    this.servers.push(main);
    let address: ProxyAddress = { url: url(host, port), port };
    if (options.admin !== undefined) {
      const adminHost = options.admin.host ?? host;
      const admin = createServer(createAdminHandler(this));
      const adminPort = await listenOn(admin, options.admin.port ?? 0, adminHost);
      this.servers.push(admin);
      address = { ...address, admin: { url: url(adminHost, adminPort), port: adminPort } };
    }
    if (options.canary !== undefined) {
      const canaryHost = options.canary.host ?? host;
      const canary = createServer({ keepAliveTimeout: 65_000 }, this.handleCanary);
      const canaryPort = await listenOn(canary, options.canary.port ?? 0, canaryHost);
      this.servers.push(canary);
      address = { ...address, canary: { url: url(canaryHost, canaryPort), port: canaryPort } };
    }
    return address;
  }

  configure(config: ProxyConfig): NormalizedConfig {
    const next = this.activate(validated(config));
    this.active = next;
    return next.config;
  }

  config(): NormalizedConfig {
    return this.active.config;
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.graceMs ?? DEFAULT_GRACE_MS);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    const closed = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of this.servers) s.closeIdleConnections();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    for (const s of this.servers) s.closeAllConnections();
    await Promise.all(closed);
    this.registry.closeAll();
  }

  /** Builds everything a configuration needs before it is swapped in, then retires unused targets. */
  private activate(config: NormalizedConfig): ActiveConfig {
    const lane = (role: Role, version: string, targets: readonly string[]): Lane => ({
      role,
      upstream: this.registry.upstream(version, targets),
      series: this.metrics.seriesFor(config.service, role, version),
    });
    const canary = config.canary;
    const active: ActiveConfig = {
      config,
      router: compileRouter(config),
      stable: lane("stable", config.stable.version, config.stable.targets),
      canary: canary === null ? undefined : lane("canary", canary.version, canary.targets),
      generation: ++this.generation,
    };
    this.registry.prune(new Set([...config.stable.targets, ...(canary?.targets ?? [])]));
    this.metrics.setState({ service: config.service, weight: config.weight, generation: active.generation });
    return active;
  }
}

function validated(input: ProxyConfig): NormalizedConfig {
  const result = validateProxyConfig(input);
  if (!result.ok) throw new ProxyConfigError(result.issues);
  return result.config;
}

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function url(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
