/** Read views the dashboard needs beyond the admin API: who the token is, and evaluations over time. */
import type { FastifyInstance } from "fastify";
import { requireEnvironment } from "../../flags/require-environment.js";
import { authOf, environmentOf, type ServerDeps } from "../context.js";
import { ApiError } from "../errors.js";
import { STEP_SECONDS } from "../evaluation-series.js";

const key = { type: "string", minLength: 1, maxLength: 128 } as const;
const nullableString = { type: ["string", "null"] } as const;

export const whoamiSchema = {
  type: "object",
  required: ["scope", "environment", "name"],
  properties: {
    scope: { type: "string", enum: ["admin", "read", "server", "client"] },
    environment: nullableString,
    name: nullableString,
  },
} as const;

export const evaluationSeriesSchema = {
  type: "object",
  required: ["flag", "environment", "stepSeconds", "from", "to", "series"],
  properties: {
    flag: { type: "string" },
    environment: { type: "string" },
    stepSeconds: { type: "integer" },
    from: { type: "integer", description: "start of the first bucket, epoch seconds" },
    to: { type: "integer", description: "start of the last (current) bucket, epoch seconds" },
    series: {
      type: "array",
      items: {
        type: "object",
        required: ["variant", "points"],
        properties: {
          variant: { type: "string" },
          points: {
            type: "array",
            description: "[epoch seconds, count] per bucket, zeros included",
            items: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2 },
          },
        },
      },
    },
  },
} as const;

export function dashboardApiRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get(
    "/api/v1/whoami",
    {
      config: { scopes: ["admin", "read", "server", "client"] },
      schema: { summary: "The calling token's scope, environment and name", response: { 200: whoamiSchema } },
    },
    async (request) => {
      const { token } = authOf(request);
      return {
        scope: token.scope,
        environment: token.environment,
        name: token.name === "" ? null : token.name,
      };
    },
  );

  app.get(
    "/api/v1/flags/:key/evaluations",
    {
      schema: {
        summary: `A flag's evaluations per variant in ${STEP_SECONDS} s buckets (this replica, last hour)`,
        params: { type: "object", properties: { key }, required: ["key"] },
        querystring: {
          type: "object",
          properties: {
            env: { type: "string" },
            minutes: { type: "integer", minimum: 1, maximum: 60, default: 60 },
          },
          additionalProperties: false,
        },
        response: { 200: evaluationSeriesSchema },
      },
    },
    async (request) => {
      const { key: flag } = request.params as { key: string };
      const { minutes } = request.query as { minutes: number };
      const environment = environmentOf(request);
      const projectId = authOf(request).project.id;
      await requireEnvironment(deps.store, projectId, environment);
      const row = await deps.store.getFlag(projectId, flag);
      if (row === undefined) throw new ApiError(404, "flag_not_found", `no flag '${flag}'`);
      return deps.metrics.evaluationSeries.query(
        environment,
        flag,
        minutes,
        declaredVariants(row.definition),
      );
    },
  );
}

/** The variants a flag can serve, in its own order (booleans without variants serve on/off). */
function declaredVariants(def: { [k: string]: unknown }): string[] {
  const v = def.variants;
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return Object.keys(v);
  return def.type === "boolean" ? ["on", "off"] : [];
}
