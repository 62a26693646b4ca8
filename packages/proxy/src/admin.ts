/** The admin endpoints, on their own port so scrapes never compete with traffic for a route. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { PROMETHEUS_CONTENT_TYPE } from "./metrics/prometheus.js";
import type { RampProxy } from "./proxy.js";

/**
 * `GET /metrics` (Prometheus text), `GET /healthz` and `GET /config` (the configuration in force, JSON).
 * Mount it on any `node:http` server, or let `listen({ admin })` serve it.
 */
export function createAdminHandler(proxy: Pick<RampProxy, "metrics" | "config">) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "text/plain; charset=utf-8", "method not allowed\n", ["allow", "GET, HEAD"]);
    } else if (path === "/metrics") {
      send(res, 200, PROMETHEUS_CONTENT_TYPE, proxy.metrics.prometheus());
    } else if (path === "/healthz") {
      send(res, 200, "text/plain; charset=utf-8", "ok\n");
    } else if (path === "/config") {
      send(res, 200, "application/json", `${JSON.stringify(proxy.config())}\n`);
    } else {
      send(res, 404, "text/plain; charset=utf-8", "not found: try /metrics, /healthz or /config\n");
    }
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: string[] = []): void {
  res.writeHead(status, ["content-type", type, "content-length", String(Buffer.byteLength(body)), ...extra]);
  res.end(body);
}
