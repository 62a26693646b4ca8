/** Liveness, readiness and Prometheus metrics. */
import type { FastifyInstance } from "fastify";
import type { ServerDeps } from "../context.js";
import { mergePrometheus } from "../merge-prometheus.js";

export function healthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get("/healthz", { config: { public: true }, schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await deps.store.ping();
      return { status: "ready" };
    } catch (e) {
      return reply
        .status(503)
        .send({ status: "unavailable", reason: e instanceof Error ? e.message : String(e) });
    }
  });
  app.get("/metrics", { schema: { hide: true } }, async (_req, reply) => {
    reply.header("content-type", deps.metrics.registry.contentType);
    // The built-in proxies' per-version series (the seed's PromQL names) are served here too.
    return mergePrometheus([await deps.metrics.registry.metrics(), ...(deps.rollouts?.prometheus() ?? [])]);
  });
}
