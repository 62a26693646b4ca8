/**
 * SDK sync for server SDKs, which evaluate in-process: the environment's flags (snapshot + ETag), an
 * SSE stream of put/patch deltas with resume, and the SDKs' evaluation counts and tracked events.
 * See docs/api.md, "SDK sync".
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EnvironmentSnapshot } from "../../flags/snapshots.js";
import type { Json, Scope, TrackedEvent } from "../../store/store.js";
import { noneMatch } from "../conditional.js";
import { authOf, type ServerDeps } from "../context.js";
import { ApiError } from "../errors.js";
import { awaitVersion, heartbeatMsOf, lastEventIdOf, type StreamOptions } from "../streams.js";
import { environmentFor } from "./environment.js";
import { SdkStreamHub, snapshotBody } from "./sdk-streams.js";

const SCOPES: readonly Scope[] = ["server", "admin"];
/** How long a resuming client ahead of this replica waits for it to catch up before getting a put. */
const CATCH_UP_MS = 2_000;
const MAX_BATCH = 1_000;

const envQuery = { type: "object", properties: { env: { type: "string" } } } as const;

interface MetricsBody {
  readonly evaluations: readonly {
    readonly flag: string;
    readonly variant: string;
    readonly count: number;
  }[];
}

interface EventsBody {
  readonly events: readonly {
    readonly name: string;
    readonly targetingKey?: string;
    readonly value?: number;
    readonly attributes?: { [k: string]: Json };
    readonly at?: string;
  }[];
}

export function sdkRoutes(app: FastifyInstance, deps: ServerDeps, options: StreamOptions = {}): void {
  const hub = new SdkStreamHub(deps, app.log, heartbeatMsOf(options));
  app.addHook("onClose", async () => hub.close());

  app.get(
    "/sdk/v1/flags",
    {
      config: { scopes: SCOPES },
      schema: {
        summary: "The environment's flag file (rules), for in-process evaluation",
        querystring: envQuery,
        response: {
          200: {
            type: "object",
            properties: {
              environment: { type: "string" },
              version: { type: "integer" },
              file: { type: "object", additionalProperties: true },
            },
          },
          304: { type: "null", description: "Not modified (If-None-Match)" },
        },
      },
    },
    async (request, reply) => {
      const snapshot = await snapshotOf(deps, request);
      const etag = `"${snapshot.version}"`;
      reply.header("etag", etag).header("cache-control", "no-cache");
      if (noneMatch(request.headers["if-none-match"], etag)) return reply.code(304).send();
      // Serialised once per snapshot and sent as is: every SDK of the environment gets the same bytes.
      return reply.type("application/json; charset=utf-8").send(snapshotBody(snapshot));
    },
  );

  app.get(
    "/sdk/v1/stream",
    {
      config: { scopes: SCOPES },
      // A HEAD would open a stream that can never send anything.
      exposeHeadRoute: false,
      schema: {
        summary:
          "text/event-stream: put on connect, patch per change, Last-Event-ID resume, : ping heartbeats",
        querystring: envQuery,
      },
    },
    async (request, reply) => {
      const environment = environmentFor(request);
      const { project } = authOf(request);
      // Unknown environments answer a JSON 404 before the stream opens.
      const snapshot = await snapshotOf(deps, request);
      const lastEventId = lastEventIdOf(request.headers["last-event-id"]);
      if (lastEventId !== undefined)
        await awaitVersion(deps.snapshots, project.id, lastEventId, snapshot.version, CATCH_UP_MS);
      hub.open(reply, project.id, environment, lastEventId);
    },
  );

  app.post<{ Body: MetricsBody }>(
    "/sdk/v1/metrics",
    {
      config: { scopes: SCOPES },
      schema: {
        summary: "Evaluation counts reported by an SDK",
        querystring: envQuery,
        body: {
          type: "object",
          required: ["evaluations"],
          additionalProperties: false,
          properties: {
            evaluations: {
              type: "array",
              maxItems: MAX_BATCH,
              items: {
                type: "object",
                required: ["flag", "variant", "count"],
                additionalProperties: false,
                properties: {
                  flag: { type: "string", minLength: 1, maxLength: 200 },
                  variant: { type: "string", maxLength: 200 },
                  count: { type: "integer", minimum: 0, maximum: 1_000_000_000 },
                },
              },
            },
          },
        },
        response: {
          202: {
            type: "object",
            properties: { accepted: { type: "integer" }, ignored: { type: "integer" } },
          },
        },
      },
    },
    async (request, reply) => {
      const snapshot = await snapshotOf(deps, request);
      let accepted = 0;
      let ignored = 0;
      for (const e of request.body.evaluations) {
        // Only flags of the environment become label values: a client cannot grow the series at will.
        if (!snapshot.evaluator.has(e.flag)) {
          ignored++;
          continue;
        }
        deps.metrics.recordEvaluations(snapshot.environment, e.flag, e.variant, e.count);
        accepted++;
      }
      return reply.code(202).send({ accepted, ignored });
    },
  );

  app.post<{ Body: EventsBody }>(
    "/sdk/v1/events",
    {
      config: { scopes: SCOPES },
      schema: {
        summary: "Tracked events (conversions, values) for experiments",
        querystring: envQuery,
        body: {
          type: "object",
          required: ["events"],
          additionalProperties: false,
          properties: {
            events: {
              type: "array",
              maxItems: MAX_BATCH,
              items: {
                type: "object",
                required: ["name"],
                additionalProperties: false,
                properties: {
                  name: { type: "string", minLength: 1, maxLength: 200 },
                  targetingKey: { type: "string", maxLength: 500 },
                  value: { type: "number" },
                  attributes: { type: "object", additionalProperties: true },
                  at: { type: "string", format: "date-time" },
                },
              },
            },
          },
        },
        response: { 202: { type: "object", properties: { accepted: { type: "integer" } } } },
      },
    },
    async (request, reply) => {
      const { environment, projectId } = await snapshotOf(deps, request);
      const now = new Date().toISOString();
      const events: TrackedEvent[] = request.body.events.map((e) => ({
        projectId,
        environment,
        name: e.name,
        targetingKey: e.targetingKey ?? null,
        value: e.value ?? null,
        attributes: e.attributes ?? null,
        at: e.at === undefined ? now : new Date(e.at).toISOString(),
      }));
      if (events.length > 0) await deps.store.insertEvents(events);
      return reply.code(202).send({ accepted: events.length });
    },
  );
}

async function snapshotOf(deps: ServerDeps, request: FastifyRequest): Promise<EnvironmentSnapshot> {
  const environment = environmentFor(request);
  const snapshot = await deps.snapshots.get(authOf(request).project.id, environment);
  if (snapshot === undefined)
    throw new ApiError(
      404,
      "environment_not_found",
      `environment '${environment}' does not exist in this project`,
    );
  return snapshot;
}
