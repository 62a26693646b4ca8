/**
 * Response schemas of the admin and rollouts APIs, for /openapi.json only (clients generate types
 * from it). Kept out of the routes' own schemas on purpose: Fastify serialises replies by their
 * response schema, and these documents carry open-ended parts (flag definitions, rollout specs) that
 * must go out exactly as stored.
 */
import type { FastifySchema } from "fastify";
import { evaluationSeriesSchema, whoamiSchema } from "./routes/dashboard-api.js";
import { trafficSeriesSchema } from "./routes/rollouts.js";

type Schema = Record<string, unknown>;

const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const bool = { type: "boolean" } as const;
const nullable = (type: string) => ({ type: [type, "null"] }) as const;
const anyJson = { description: "any JSON value" } as const;
const obj = (properties: Schema, required: string[] = Object.keys(properties), extra = false): Schema => ({
  type: "object",
  properties,
  required,
  additionalProperties: extra,
});
const list = (key: string, items: Schema): Schema => obj({ [key]: { type: "array", items } });

export const errorSchema = obj({
  error: obj(
    {
      code: str,
      message: str,
      details: {
        type: "array",
        items: obj({ path: str, message: str, expected: str, suggestion: str }, ["path", "message"]),
      },
    },
    ["code", "message"],
  ),
});

const flagDocument = obj(
  {
    key: str,
    type: { type: "string", enum: ["boolean", "string", "number", "object"] },
    description: str,
    tags: { type: "array", items: str },
    variants: { type: "object", additionalProperties: anyJson },
    offVariant: str,
    environments: {
      type: "object",
      additionalProperties: { type: "object", properties: { on: bool }, additionalProperties: true },
    },
    version: int,
    archived: bool,
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
  },
  ["key", "version", "archived", "createdAt", "updatedAt"],
  true,
);

const segmentDocument = obj(
  {
    key: str,
    description: str,
    if: str,
    include: { type: "array", items: str },
    exclude: { type: "array", items: str },
    bucketBy: str,
    version: int,
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
  },
  ["key", "version", "createdAt", "updatedAt"],
  true,
);

const dryRunResult = obj({ ok: { type: "boolean", enum: [true] }, flag: flagDocument });

const tokenView = obj({
  id: str,
  scope: { type: "string", enum: ["admin", "read", "server", "client"] },
  environment: nullable("string"),
  name: str,
  createdAt: str,
  revokedAt: nullable("string"),
});

const diffEntry = obj({ path: str, before: anyJson, after: anyJson }, ["path"]);

const auditEntry = obj({
  seq: int,
  at: { type: "string", format: "date-time" },
  actor: { type: "string", description: 'token id, or "system"' },
  action: str,
  kind: {
    type: "string",
    enum: ["flag", "segment", "environment", "token", "project", "rollout", "document"],
  },
  key: str,
  before: anyJson,
  after: anyJson,
  diff: { type: "array", items: diffEntry },
  prevHash: str,
  hash: str,
});

const change = obj(
  {
    kind: { type: "string", enum: ["flag", "segment", "environment"] },
    key: str,
    action: { type: "string", enum: ["create", "update", "unchanged"] },
    diff: { type: "array", items: diffEntry },
  },
  ["kind", "key", "action"],
);

export const rolloutSummarySchema = obj({
  name: str,
  phase: { type: "string", enum: ["Progressing", "Paused", "Healthy", "Degraded"] },
  message: str,
  revision: int,
  stepIndex: nullable("integer"),
  canaryWeight: { type: "number" },
  stableVersion: nullable("string"),
  canaryVersion: nullable("string"),
  aborted: bool,
});

const analysisRun = {
  type: "object",
  description: "an AnalysisRun: name, spec, status (phase, metricResults, runSummary)",
  additionalProperties: true,
} as const;

const trafficReport = obj({
  name: str,
  measured: bool,
  proxy: nullable("string"),
  windowSeconds: int,
  versions: {
    type: "array",
    items: obj({
      role: { type: "string", enum: ["stable", "canary"] },
      version: str,
      requests: int,
      errors5xx: int,
      periodSeconds: { type: "number" },
      requestsPerSecond: { type: "number" },
      errorRate: nullable("number"),
      p50Ms: nullable("number"),
      p99Ms: nullable("number"),
    }),
  },
});

const named = (action: Schema) => ({ type: "array", items: obj({ name: str, action }) });
const noContent = { type: "null", description: "No content" } as const;

/** Response schemas by "METHOD url" (the route's own pattern). */
const RESPONSES: Record<string, Record<string, unknown>> = {
  "GET /api/v1/project": {
    200: obj({
      key: str,
      name: str,
      version: { type: "integer", description: "the project's change sequence" },
      environments: { type: "array", items: obj({ key: str, name: str }) },
    }),
  },
  "POST /api/v1/environments": { 201: obj({ key: str, name: str }) },
  "GET /api/v1/flags": { 200: list("flags", flagDocument) },
  "POST /api/v1/flags": { 201: flagDocument, 200: { ...dryRunResult, description: "with ?dryRun=true" } },
  "GET /api/v1/flags/:key": { 200: flagDocument },
  "PUT /api/v1/flags/:key": {
    200: {
      anyOf: [flagDocument, dryRunResult],
      description: "the stored flag; with ?dryRun=true {ok, flag}",
    },
  },
  "POST /api/v1/flags/:key/archive": { 200: flagDocument },
  "POST /api/v1/flags/:key/unarchive": { 200: flagDocument },
  "PUT /api/v1/flags/:key/environments/:env/on": { 200: flagDocument },
  "PUT /api/v1/flags/:key/environments/:env/rollout": { 200: flagDocument },
  "GET /api/v1/flags/:key/evaluations": { 200: evaluationSeriesSchema },
  "GET /api/v1/segments": { 200: list("segments", segmentDocument) },
  "GET /api/v1/segments/:key": { 200: segmentDocument },
  "PUT /api/v1/segments/:key": { 200: segmentDocument },
  "DELETE /api/v1/segments/:key": { 204: noContent },
  "POST /api/v1/apply": {
    200: obj({ dryRun: bool, version: int, changes: { type: "array", items: change } }),
  },
  "GET /api/v1/export": {
    200: {
      type: "object",
      description: "the flag file (version, environments, segments, flags)",
      additionalProperties: true,
    },
  },
  "POST /api/v1/tokens": {
    201: {
      ...tokenView,
      properties: {
        ...(tokenView.properties as Schema),
        token: { type: "string", description: "the secret, shown once" },
      },
      required: [...(tokenView.required as string[]), "token"],
    },
  },
  "GET /api/v1/tokens": { 200: list("tokens", tokenView) },
  "DELETE /api/v1/tokens/:id": { 204: noContent },
  "GET /api/v1/audit": { 200: list("entries", auditEntry) },
  "GET /api/v1/audit/verify": {
    200: obj({ ok: bool, entries: int, firstBad: obj({ seq: int, reason: str }) }, ["ok", "entries"]),
  },
  "GET /api/v1/whoami": { 200: whoamiSchema },
  "POST /api/v1/rollouts": {
    200: obj({
      rollouts: named({ type: "string", enum: ["create", "update", "unchanged"] }),
      templates: named(str),
    }),
  },
  "GET /api/v1/rollouts": { 200: list("rollouts", rolloutSummarySchema) },
  "GET /api/v1/rollouts/:name": {
    200: {
      ...rolloutSummarySchema,
      properties: {
        ...(rolloutSummarySchema.properties as Schema),
        spec: { type: "object", description: "the Rollout document as applied", additionalProperties: true },
        status: {
          type: "object",
          description: "the full rollout status (history, routes, runs…)",
          additionalProperties: true,
        },
        analysisRuns: { type: "array", items: analysisRun },
      },
      required: [...(rolloutSummarySchema.required as string[]), "spec", "status", "analysisRuns"],
    },
  },
  "GET /api/v1/rollouts/:name/traffic": { 200: trafficReport },
  "GET /api/v1/rollouts/:name/traffic/series": { 200: trafficSeriesSchema },
  "GET /api/v1/rollouts/:name/analysisruns": {
    200: list("runs", { ...analysisRun, properties: { revision: int } }),
  },
};
for (const verb of ["promote", "pause", "resume", "abort", "retry", "undo", "set-version"])
  RESPONSES[`POST /api/v1/rollouts/:name/${verb}`] = { 200: rolloutSummarySchema };

/** The @fastify/swagger `transform`: adds the responses above and the error shape to API routes. */
export function documentResponses({
  schema,
  url,
  route,
}: {
  schema: FastifySchema | undefined;
  url: string;
  route: { method: string | string[] };
}): { schema: FastifySchema; url: string } {
  const method = Array.isArray(route.method) ? (route.method[0] ?? "GET") : route.method;
  const own = (schema ?? {}) as FastifySchema & { response?: Record<string, unknown> };
  const documented = RESPONSES[`${method} ${url}`];
  if (documented === undefined && !url.startsWith("/api/v1/")) return { schema: own, url };
  const errors = url.startsWith("/api/v1/") ? { "4XX": { ...errorSchema, description: "an error" } } : {};
  return { schema: { ...own, response: { ...errors, ...documented, ...own.response } }, url };
}
