/**
 * The Fastify application: body limits and parsers, the token check on every non-public route,
 * error normalisation, metrics, the OpenAPI document, and the route modules.
 */
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { routeScopes, TokenResolver } from "../auth/tokens.js";
import type { Scope } from "../store/store.js";
import type { ServerDeps } from "./context.js";
import { DashboardFiles, defaultUiDir } from "./dashboard.js";
import { ApiError } from "./errors.js";
import { documentResponses } from "./openapi-docs.js";
import { adminRoutes } from "./routes/admin.js";
import { dashboardApiRoutes } from "./routes/dashboard-api.js";
import { eventRoutes } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { ofrepRoutes } from "./routes/ofrep.js";
import { rolloutRoutes } from "./routes/rollouts.js";
import { sdkRoutes } from "./routes/sdk.js";
import { heartbeatMsOf } from "./streams.js";
import type { TrafficHistoryOptions } from "./traffic-history.js";

export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  readonly public: boolean;
  readonly scopes: readonly Scope[];
}

declare module "fastify" {
  interface FastifyInstance {
    routeTable: readonly RouteInfo[];
  }
}

export interface AppOptions {
  /** Largest accepted request body, bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  readonly logger?: boolean;
  /** The dashboard's built files (default: RAMP_UI_DIR, else packages/ui/dist). */
  readonly uiDir?: string;
  /** Heartbeat of the dashboard's event stream (default: RAMP_STREAM_HEARTBEAT_MS, else 15 s). */
  readonly heartbeatMs?: number;
  /** The event stream's audit poll and evaluations intervals (tests shorten them). */
  readonly events?: { readonly auditPollMs?: number; readonly evaluationsMs?: number };
  /** How often rollout traffic is sampled for `/traffic/series` (default 2 s; tests pass a clock too). */
  readonly trafficSeries?: TrafficHistoryOptions;
}

export async function buildApp(deps: ServerDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    logger: options.logger ?? false,
    forceCloseConnections: true,
    ajv: { customOptions: { allErrors: true, coerceTypes: "array", removeAdditional: false } },
  });
  const tokens = new TokenResolver(deps.store);
  // Every route, as registered: the route-table test walks it to prove nothing answers without a token.
  const routes: RouteInfo[] = [];
  app.addHook("onRoute", (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method])
      routes.push({
        method,
        url: r.url,
        public: r.config?.public === true,
        scopes: routeScopes(method, r.url, r.config?.scopes),
      });
  });
  app.decorate("routeTable", routes);
  app.decorateRequest("auth", undefined);
  app.decorate("tokens", tokens);

  for (const type of ["application/yaml", "application/x-yaml", "text/yaml", "text/plain"]) {
    app.addContentTypeParser(type, { parseAs: "string" }, (_req, body, done) => done(null, body));
  }

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Ramp API",
        version: "1",
        description: "Feature flags, OFREP, SDK sync. See docs/api.md.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: documentResponses,
  });

  // Browsers evaluate through OFREP from other origins (the web provider): allow it, credentials by header.
  app.addHook("onRequest", async (request, reply) => {
    if (!request.url.startsWith("/ofrep/")) return;
    reply.header("access-control-allow-origin", "*");
    reply.header("access-control-expose-headers", "etag");
    if (request.method === "OPTIONS") {
      reply.header("access-control-allow-methods", "GET, POST, OPTIONS");
      reply.header(
        "access-control-allow-headers",
        "authorization, content-type, if-none-match, x-api-key, last-event-id",
      );
      reply.header("access-control-max-age", "600");
      return reply.status(204).send();
    }
  });

  app.addHook("onRequest", async (request) => {
    const config = request.routeOptions.config;
    if (config.public === true) return;
    // No such route: let the 404 handler say so rather than asking for a token.
    if (request.routeOptions.url === undefined) return;
    const secret = secretOf(request);
    if (secret === undefined)
      throw new ApiError(401, "unauthorized", "a token is required: Authorization: Bearer <token>");
    const principal = await tokens.resolve(secret);
    if (principal === undefined) throw new ApiError(401, "unauthorized", "unknown or revoked token");
    const allowed: readonly Scope[] = routeScopes(request.method, request.routeOptions.url, config.scopes);
    if (!allowed.includes(principal.token.scope))
      throw new ApiError(
        403,
        "forbidden",
        `a ${principal.token.scope} token cannot use this route (needs ${allowed.join(" or ")})`,
      );
    request.auth = principal;
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    deps.metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).send(error.toJSON());
    const e = error as {
      statusCode?: number;
      code?: string;
      validation?: { instancePath?: string; message?: string }[];
      message: string;
    };
    if (e.validation !== undefined) {
      const details = e.validation.map((v) => ({
        path: v.instancePath ?? "",
        message: v.message ?? "invalid",
      }));
      return reply.status(400).send(new ApiError(400, "invalid_request", e.message, details).toJSON());
    }
    if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return reply
        .status(413)
        .send(
          new ApiError(
            413,
            "body_too_large",
            `the body is larger than ${app.initialConfig.bodyLimit} bytes`,
          ).toJSON(),
        );
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)
      return reply
        .status(e.statusCode)
        .send(new ApiError(e.statusCode, e.code ?? "bad_request", e.message).toJSON());
    request.log.error(error);
    return reply.status(500).send(new ApiError(500, "internal", "internal error").toJSON());
  });

  const ui = new DashboardFiles(options.uiDir ?? (process.env.RAMP_UI_DIR || defaultUiDir()));
  app.setNotFoundHandler(async (request, reply) => {
    // Client-side routes of the dashboard (`/flags/x` asking for HTML) are no API path: index.html.
    if (await ui.fallback(request, reply)) return reply;
    return reply
      .status(404)
      .send(new ApiError(404, "not_found", `no route ${request.method} ${request.url}`).toJSON());
  });

  app.get(
    "/openapi.json",
    { config: { public: false, scopes: ["admin", "read", "server", "client"] }, schema: { hide: true } },
    async () => app.swagger(),
  );

  await app.register(async (scope) => healthRoutes(scope, deps));
  await app.register(async (scope) => adminRoutes(scope, deps, tokens));
  await app.register(async (scope) => sdkRoutes(scope, deps));
  const rollouts = deps.rollouts;
  if (rollouts !== undefined)
    await app.register(async (scope) => rolloutRoutes(scope, rollouts, deps.store, options.trafficSeries));
  await app.register(async (scope) => ofrepRoutes(scope, deps));
  await app.register(async (scope) => {
    eventRoutes(scope, deps, heartbeatMsOf(options), options.events);
  });
  await app.register(async (scope) => dashboardApiRoutes(scope, deps));
  await app.register(async (scope) => ui.route(scope));
  return app;
}

function secretOf(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (m?.[1] !== undefined) return m[1];
  }
  const k = request.headers["x-api-key"];
  return typeof k === "string" && k !== "" ? k : undefined;
}
