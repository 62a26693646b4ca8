/** The one place a compiled router spec becomes a TrafficRouter; unknown kinds fail loudly. */
import type { RouterSpec } from "../../rollouts/rollout.js";
import { HaproxyTrafficRouter } from "./haproxy/haproxy-router.js";
import { NginxTrafficRouter } from "./nginx/nginx-router.js";
import { NoopRouter } from "./noop/noop-router.js";
import { ProxyTrafficRouter } from "./proxy/proxy-router.js";
import type { TrafficRouter } from "./router.js";

export interface RouterFactoryOptions {
  /** The service the router routes (the rollout's name): the proxy's label, nginx's default upstream. */
  readonly service: string;
  /** Called once the built-in proxy listens. */
  readonly onListening?: (url: string) => void;
}

/**
 * The router for `spec`; null (a blue-green rollout without trafficRouting) gets the no-op router.
 *
 * @example createTrafficRouter({ kind: "haproxy", runtimeApi: "unix:/run/haproxy.sock", backend: "web", … }, { service: "web" })
 */
export function createTrafficRouter(spec: RouterSpec | null, options: RouterFactoryOptions): TrafficRouter {
  if (spec === null) return new NoopRouter();
  switch (spec.kind) {
    case "proxy":
      return new ProxyTrafficRouter({
        service: options.service,
        spec,
        ...(options.onListening !== undefined && { onListening: options.onListening }),
      });
    case "nginx":
      return new NginxTrafficRouter({ service: options.service, spec });
    case "haproxy":
      return new HaproxyTrafficRouter({ spec });
    default:
      throw new Error(
        `unknown traffic router '${(spec as { kind?: unknown }).kind}': expected proxy, nginx or haproxy`,
      );
  }
}
