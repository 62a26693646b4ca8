/** The rollouts API (/api/v1/rollouts): apply Rollouts and AnalysisTemplates, read them, steer them. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parseAllDocuments } from "yaml";
import type { AnalysisRun } from "../../analysis/index.js";
import type { RolloutCommand } from "../../rollouts/commands.js";
import { ApplyError, type RolloutController, RolloutNotFoundError } from "../../rollouts/shell/controller.js";
import { analysisRunOf, type RolloutBody, RUN } from "../../rollouts/shell/documents.js";
import type { RolloutTraffic } from "../../rollouts/shell/traffic.js";
import type { Store } from "../../store/store.js";
import { authOf } from "../context.js";
import { ApiError } from "../errors.js";
import { TRAFFIC_KEEP_SECONDS, TrafficHistory, type TrafficHistoryOptions } from "../traffic-history.js";

const nameParams = {
  type: "object",
  properties: { name: { type: "string", minLength: 1, maxLength: 128 } },
  required: ["name"],
} as const;

/** The summary every listing shows (`ramp rollout get -o json` has at least these). */
export function rolloutSummary(name: string, body: RolloutBody) {
  const s = body.status;
  return {
    name,
    phase: s.phase,
    message: s.message,
    revision: s.revision,
    stepIndex: s.stepIndex,
    canaryWeight: s.canaryWeight,
    stableVersion: s.stableVersion,
    canaryVersion: s.canaryVersion,
    aborted: s.aborted,
  };
}

export function rolloutRoutes(
  app: FastifyInstance,
  controller: RolloutController,
  store: Store,
  trafficOptions: TrafficHistoryOptions = {},
): void {
  const history = new TrafficHistory(controller, trafficOptions);
  history.start();
  app.addHook("onClose", async () => history.stop());
  const actor = (r: FastifyRequest) => authOf(r).token.id;
  const project = (r: FastifyRequest) => authOf(r).project.id;

  app.post("/api/v1/rollouts", async (request, reply) => {
    let docs: unknown[];
    if (typeof request.body === "string") {
      const parsed = parseAllDocuments(request.body, { uniqueKeys: true });
      const list = Array.isArray(parsed) ? parsed : [parsed];
      const bad = list.find((d) => d.errors.length > 0)?.errors[0];
      if (bad !== undefined)
        throw new ApiError(400, "invalid_yaml", `the body is not valid YAML: ${bad.message.split("\n")[0]}`);
      docs = list.map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
    } else docs = Array.isArray(request.body) ? request.body : [request.body];
    try {
      const result = await controller.apply(docs, actor(request));
      return reply.status(200).send(result);
    } catch (e) {
      if (e instanceof ApplyError)
        throw new ApiError(
          400,
          "invalid_rollout",
          e.message,
          e.issues.map((i) => ({
            path: i.path,
            message: i.message,
            ...(i.suggestion !== undefined && { suggestion: i.suggestion }),
          })),
        );
      throw e;
    }
  });

  app.get("/api/v1/rollouts", async () => ({
    rollouts: (await controller.list()).map((r) => rolloutSummary(r.name, r.body)),
  }));

  app.get("/api/v1/rollouts/:name", { schema: { params: nameParams } }, async (request) => {
    const { name } = request.params as { name: string };
    const body = await controller.get(name);
    if (body === undefined) throw new ApiError(404, "rollout_not_found", `no rollout '${name}'`);
    const runs: AnalysisRun[] = [];
    for (const r of body.status.analysisRuns) {
      const doc = await store.getDocument(project(request), RUN, r.id);
      if (doc !== undefined) runs.push(analysisRunOf(doc.body));
    }
    return { ...rolloutSummary(name, body), spec: body.spec, status: body.status, analysisRuns: runs };
  });

  // Read-only views for `ramp rollout get --watch` and the demo: live traffic, and every analysis run.
  app.get(
    "/api/v1/rollouts/:name/traffic",
    {
      schema: {
        params: nameParams,
        querystring: {
          type: "object",
          properties: { windowSeconds: { type: "integer", minimum: 1, maximum: 600 } },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const { windowSeconds = 10 } = request.query as { windowSeconds?: number };
      const now = Date.now();
      const traffic = await notFound(() => controller.traffic(name, now - windowSeconds * 1000));
      return trafficReport(name, traffic, windowSeconds, now);
    },
  );

  app.get(
    "/api/v1/rollouts/:name/traffic/series",
    {
      schema: {
        summary:
          "Per version: requests/s, error rate and p99 over the last minutes, one point per router window",
        params: nameParams,
        querystring: {
          type: "object",
          properties: {
            seconds: {
              type: "integer",
              minimum: 1,
              maximum: TRAFFIC_KEEP_SECONDS,
              default: TRAFFIC_KEEP_SECONDS,
            },
          },
          additionalProperties: false,
        },
        response: { 200: trafficSeriesSchema },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const { seconds } = request.query as { seconds: number };
      if ((await controller.get(name)) === undefined)
        throw new ApiError(404, "rollout_not_found", `no rollout '${name}'`);
      return history.series(name, seconds);
    },
  );

  app.get(
    "/api/v1/rollouts/:name/analysisruns",
    {
      schema: {
        params: nameParams,
        querystring: {
          type: "object",
          properties: { revision: { type: "integer", minimum: 0 } },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const { revision } = request.query as { revision?: number };
      return { runs: await notFound(() => controller.analysisRuns(name, revision)) };
    },
  );

  const commands: Record<string, (body: { full?: boolean; version?: string }) => RolloutCommand> = {
    promote: (b) => ({ kind: b.full === true ? "promoteFull" : "promote" }),
    pause: () => ({ kind: "pause" }),
    resume: () => ({ kind: "resume" }),
    abort: () => ({ kind: "abort" }),
    retry: () => ({ kind: "retry" }),
    undo: () => ({ kind: "undo" }),
    "set-version": (b) => {
      if (typeof b.version !== "string" || b.version === "")
        throw new ApiError(400, "invalid_version", 'give {"version": "v2"}');
      return { kind: "setVersion", version: b.version };
    },
  };
  for (const [verb, make] of Object.entries(commands)) {
    app.post(
      `/api/v1/rollouts/:name/${verb}`,
      {
        schema: {
          params: nameParams,
          body: {
            type: "object",
            properties: { full: { type: "boolean" }, version: { type: "string" } },
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        const { name } = request.params as { name: string };
        const command = make((request.body ?? {}) as { full?: boolean; version?: string });
        try {
          const answer = await controller.command(name, command, actor(request));
          if (answer === undefined)
            throw new ApiError(
              503,
              "controller_unavailable",
              "no active rollout controller decided the command in time; it stays queued",
            );
          if (answer.refused !== undefined)
            throw new ApiError(409, answer.refused.code.toLowerCase(), answer.refused.message);
          const body = await controller.get(name);
          return body === undefined ? {} : rolloutSummary(name, body);
        } catch (e) {
          if (e instanceof RolloutNotFoundError) throw new ApiError(404, "rollout_not_found", e.message);
          throw e;
        }
      },
    );
  }
}

async function notFound<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof RolloutNotFoundError) throw new ApiError(404, "rollout_not_found", e.message);
    throw e;
  }
}

/**
 * Per version: requests per second, share of 5xx and latency over the window (the period the router
 * counted, which may start a little before it). Rates and latencies are null without requests.
 */
export function trafficReport(
  name: string,
  traffic: RolloutTraffic | undefined,
  windowSeconds: number,
  now: number,
) {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    name,
    /** False when this replica does not run the rollout (or its router measures nothing yet). */
    measured: traffic !== undefined,
    proxy: traffic?.url ?? null,
    /** The blue-green preview entry point, when the proxy opens one. */
    preview: traffic?.previewUrl ?? null,
    windowSeconds,
    versions: (traffic?.versions ?? []).map(({ role, version, window: w }) => {
      const seconds = Math.max(windowSeconds, (now - (w.fromMs ?? now - windowSeconds * 1000)) / 1000);
      return {
        role,
        version,
        requests: w.requests,
        errors5xx: w.errors5xx,
        periodSeconds: seconds,
        requestsPerSecond: w.requests / seconds,
        errorRate: w.requests === 0 ? null : w.errors5xx / w.requests,
        p50Ms: w.requests === 0 ? null : finite(w.latency.p50),
        p99Ms: w.requests === 0 ? null : finite(w.latency.p99),
      };
    }),
  };
}

const nullableNumber = { type: ["number", "null"] } as const;

export const trafficSeriesSchema = {
  type: "object",
  required: ["name", "measured", "stepSeconds", "versions"],
  properties: {
    name: { type: "string" },
    measured: {
      type: "boolean",
      description: "false when the router measures nothing or another replica runs the rollout",
    },
    stepSeconds: { type: "number" },
    versions: {
      type: "array",
      items: {
        type: "object",
        required: ["role", "version", "points"],
        properties: {
          role: { type: "string", enum: ["stable", "canary"] },
          version: { type: "string" },
          points: {
            type: "array",
            items: {
              type: "object",
              required: ["t", "requestsPerSecond", "errorRate", "p99Ms"],
              properties: {
                t: { type: "integer", description: "epoch seconds" },
                requestsPerSecond: { type: "number" },
                errorRate: nullableNumber,
                p99Ms: nullableNumber,
              },
            },
          },
        },
      },
    },
  },
} as const;
