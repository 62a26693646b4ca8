/**
 * The built-in proxy as a traffic router: Ramp's embedded data plane, in the server's process. For
 * blue-green it also opens the preview's entry points (`previewListen`, `previewHeader`).
 */
import { createProxy, type HeaderMatch, type RampProxy } from "@ramp/proxy";
import type { HeaderRoute, MirrorRoute, ProxyRouterSpec } from "../../../rollouts/rollout.js";
import type {
  VersionMetricsSource,
  VersionWindow,
  VersionWindowQuery,
} from "../../metrics/builtin/version-metrics.js";
import type { RouteState, TrafficRouter } from "../router.js";

export interface ProxyRouterOptions {
  readonly service: string;
  readonly spec: ProxyRouterSpec;
  /** Called once the proxy listens (the demo prints it). */
  readonly onListening?: (url: string) => void;
}

/** The header route that sends requests carrying the preview header to the preview. */
export const PREVIEW_ROUTE = "ramp-preview";

/** "127.0.0.1:8080", ":8080", "8080" → host and port. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(listen.trim());
  if (m === null) throw new Error(`listen must be HOST:PORT or PORT, got '${listen}'`);
  return { host: m[1] === undefined || m[1] === "" ? "127.0.0.1" : m[1], port: Number(m[2]) };
}

export class ProxyTrafficRouter implements TrafficRouter {
  readonly type = "proxy";
  readonly metrics: VersionMetricsSource;
  #proxy: RampProxy | undefined;
  #listening: Promise<unknown> | undefined;
  #current: RouteState | undefined;
  #url: string | undefined;
  #previewUrl: string | undefined;

  constructor(private readonly options: ProxyRouterOptions) {
    this.metrics = { window: (q) => this.#window(q) };
  }

  /** The proxy's address once it listens. */
  get url(): string | undefined {
    return this.#url;
  }

  /** The preview listener's address once it listens (blue-green `previewListen`). */
  get previewUrl(): string | undefined {
    return this.#previewUrl;
  }

  async apply(state: RouteState): Promise<void> {
    const config = {
      service: this.options.service,
      stable: { version: state.stable.version, targets: [...state.stable.targets] },
      canary:
        state.canary === null ? null : { version: state.canary.version, targets: [...state.canary.targets] },
      weight: state.weight,
      ...(this.options.spec.sticky !== null && { sticky: this.options.spec.sticky }),
      headerRoutes: [...this.#previewRoute(state), ...state.headerRoutes.flatMap(headerRoutes)],
      mirror: state.mirrorRoutes[0] === undefined ? null : mirrorRoute(state.mirrorRoutes[0]),
    };
    if (this.#proxy === undefined) {
      // 2 s windows (ten minutes of them, as many samples as the default 10 s ones keep): an
      // analysis window of 15 s then covers 15–17 s, not 15–25 s, and live rates follow the weights.
      this.#proxy = createProxy({ config, metricsWindows: { sizeMs: 2_000, count: 300, samples: 200 } });
      const { host, port } = parseListen(this.options.spec.listen);
      const previewListen = this.options.spec.preview?.listen;
      const proxy = this.#proxy;
      const canary = previewListen == null ? undefined : parseListen(previewListen);
      this.#listening = proxy.listen({ host, port, ...(canary !== undefined && { canary }) }).then((a) => {
        this.#url = a.url;
        this.#previewUrl = a.canary?.url;
        this.options.onListening?.(a.url);
      });
    } else this.#proxy.configure(config);
    await this.#listening;
    this.#current = state;
  }

  /** Blue-green's preview header as a proxy header route, while there is a preview to route to. */
  #previewRoute(state: RouteState): { name: string; match: HeaderMatch[] }[] {
    const header = this.options.spec.preview?.header;
    if (header == null || state.canary === null) return [];
    return [{ name: PREVIEW_ROUTE, match: [{ header: header.name, exact: header.value }] }];
  }

  prometheus(): string {
    return this.#proxy?.metrics.prometheus() ?? "";
  }

  current(): RouteState | undefined {
    return this.#current;
  }

  async close(): Promise<void> {
    const p = this.#proxy;
    this.#proxy = undefined;
    this.#current = undefined;
    this.#previewUrl = undefined;
    await p?.close({ graceMs: 2_000 });
  }

  #window(q: VersionWindowQuery): VersionWindow {
    const empty = {
      requests: 0,
      errors5xx: 0,
      successRate: Number.NaN,
      latency: { p50: Number.NaN, p90: Number.NaN, p95: Number.NaN, p99: Number.NaN },
    };
    const p = this.#proxy;
    if (p === undefined) return empty;
    const revision = q.revision ?? this.#current?.[q.version]?.version;
    const w = p.metrics.window({
      version: q.version,
      sinceMs: q.sinceMs,
      ...(revision !== undefined && { revision }),
    });
    const n = (x: number | null) => x ?? Number.NaN;
    return {
      requests: w.requests,
      errors5xx: w.errors5xx,
      successRate: n(w.successRate),
      latency: { p50: n(w.latency.p50), p90: n(w.latency.p90), p95: n(w.latency.p95), p99: n(w.latency.p99) },
      fromMs: w.fromMs,
    };
  }
}

/**
 * A rollout's header route sends a request to the canary when it matches any entry of `match` (Argo:
 * Istio makes each entry a match of its own); a proxy route needs all of its entries, so each entry
 * becomes a proxy route.
 */
function headerRoutes(r: HeaderRoute) {
  return r.match.map((m, i) => ({
    name: r.match.length === 1 ? r.name : `${r.name}#${i + 1}`,
    match: [{ header: m.headerName, ...m.headerValue } as HeaderMatch],
  }));
}

function mirrorRoute(r: MirrorRoute) {
  const match: HeaderMatch[] = [];
  for (const m of r.match)
    for (const [header, value] of Object.entries(m.headers ?? {}))
      match.push({ header, ...value } as HeaderMatch);
  return { name: r.name, percentage: r.percentage, ...(match.length > 0 && { match }) };
}
