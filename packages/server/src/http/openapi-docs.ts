/**
 * Response schemas of the admin and rollouts APIs, for /openapi.json only (clients generate types from
 * it, as the dashboard's packages/ui/src/api/openapi.ts is; packages/ui/test/api-types.test.ts checks
 * real answers against them). Kept out of the routes' own schemas on purpose: Fastify serialises
 * replies by their response schema, and these documents carry open-ended parts (rollout specs, provider
 * settings) that must go out exactly as stored.
 */
import { flag as flagDefinition, segment as segmentDefinition, toJsonSchema } from "@ramp/engine";
import type { FastifySchema } from "fastify";
import { ANALYSIS_PHASES } from "../analysis/types.js";
import {
  BLUE_GREEN_STAGES,
  FLAGGER_PHASES,
  FLAGGER_STAGES,
  PAUSE_REASONS,
  ROLLOUT_EVENTS,
  ROLLOUT_PHASES,
} from "../rollouts/status.js";
import { evaluationSeriesSchema, whoamiSchema } from "./routes/dashboard-api.js";
import { trafficSeriesSchema } from "./routes/rollouts.js";

type Schema = Record<string, unknown>;

const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const bool = { type: "boolean" } as const;
const nullable = (type: string) => ({ type: [type, "null"] }) as const;
const oneOf = (values: readonly string[]) => ({ type: "string", enum: [...values] });
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

/**
 * A stored document: the engine's definition (the same schema that validates writes and is published as
 * flags.schema.json, so the document describes flags to the rule) plus the fields the server adds.
 */
function storedDocument(definition: Schema, added: Schema): Schema {
  const properties = definition.properties as Schema;
  const required = (definition.required as string[] | undefined) ?? [];
  return {
    ...definition,
    properties: { key: str, ...properties, ...added },
    required: ["key", ...required, ...Object.keys(added)],
  };
}

const dateTime = { type: "string", format: "date-time" } as const;

const flagDocument = storedDocument(toJsonSchema(flagDefinition), {
  version: int,
  archived: bool,
  createdAt: dateTime,
  updatedAt: dateTime,
});

const segmentDocument = storedDocument(toJsonSchema(segmentDefinition), {
  version: int,
  createdAt: dateTime,
  updatedAt: dateTime,
});

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
  phase: oneOf(ROLLOUT_PHASES),
  message: str,
  revision: int,
  stepIndex: nullable("integer"),
  canaryWeight: { type: "number" },
  stableVersion: nullable("string"),
  canaryVersion: nullable("string"),
  aborted: bool,
});

// An AnalysisRun as the controller persists it (analysis/types.ts): the resolved spec and its status.
const intOrString = { anyOf: [int, str], description: "a number, or a string from an argument" } as const;
const runSummary = obj({ count: int, successful: int, failed: int, inconclusive: int, error: int });
const measurement = obj(
  { phase: oneOf(ANALYSIS_PHASES), message: str, startedAt: str, finishedAt: str, resumeAt: str, value: str },
  ["phase", "startedAt"],
);
const metricResult = obj(
  {
    name: str,
    phase: oneOf(ANALYSIS_PHASES),
    measurements: { type: "array", items: measurement },
    message: str,
    ...(runSummary.properties as Schema),
    consecutiveError: int,
    consecutiveSuccess: int,
    dryRun: bool,
  },
  ["name", "phase", "measurements", "count", "successful", "failed", "inconclusive", "error"],
);
// Metrics keep the template's own fields (providers' settings are each provider's business).
const metric = obj(
  {
    name: str,
    interval: str,
    initialDelay: str,
    count: intOrString,
    successCondition: str,
    failureCondition: str,
    failureLimit: intOrString,
    inconclusiveLimit: intOrString,
    consecutiveErrorLimit: intOrString,
    consecutiveSuccessLimit: intOrString,
    maxWait: str,
    provider: { type: "object", description: "exactly one provider's settings", additionalProperties: true },
  },
  ["name", "provider"],
  true,
);
const analysisRun = obj({
  name: str,
  spec: obj({
    metrics: { type: "array", items: metric },
    args: { type: "array", items: obj({ name: str, value: str }, ["name"]) },
    dryRun: { type: "array", items: obj({ metricName: str }) },
    measurementRetention: { type: "array", items: obj({ metricName: str, limit: int }) },
    terminate: bool,
  }),
  status: obj(
    {
      phase: oneOf(ANALYSIS_PHASES),
      message: str,
      startedAt: str,
      completedAt: str,
      metricResults: { type: "array", items: metricResult },
      runSummary,
      dryRunSummary: runSummary,
    },
    ["phase", "metricResults", "runSummary"],
  ),
});

// The rollout status (rollouts/status.ts): what a client shows; the controller's bookkeeping is left open.
const { name: _name, ...summaryFields } = rolloutSummarySchema.properties as Schema;
const rolloutStatus = obj(
  {
    ...summaryFields,
    abortedAt: nullable("string"),
    abortMessage: nullable("string"),
    pauseConditions: {
      type: "array",
      items: obj({ reason: oneOf(PAUSE_REASONS), since: str, until: nullable("string") }),
    },
    history: {
      type: "array",
      items: obj({
        seq: int,
        at: str,
        revision: int,
        event: oneOf(ROLLOUT_EVENTS),
        stepIndex: nullable("integer"),
        weight: { type: "number" },
        message: str,
      }),
    },
    activeVersion: nullable("string"),
    previewVersion: nullable("string"),
    blueGreenStage: { type: ["string", "null"], enum: [...BLUE_GREEN_STAGES, null] },
  },
  undefined,
  true,
);
// Flagger-style analysis (docs/flagger.md): only rollouts of that shape have it, so it is added to the
// properties after obj(), which would list it as required.
const flaggerStatus = obj({
  revision: int,
  phase: oneOf(FLAGGER_PHASES),
  failedChecks: int,
  iterations: int,
  interval: int,
  stage: { type: ["string", "null"], enum: [...FLAGGER_STAGES, null] },
  intervalStartedAt: nullable("string"),
  nextAt: nullable("string"),
  heldBy: { ...obj({ type: str, name: str, message: str }), type: ["object", "null"] },
});
(rolloutStatus.properties as Schema).flagger = flaggerStatus;

const storedRun = {
  ...analysisRun,
  properties: { ...(analysisRun.properties as Schema), revision: int },
  required: [...(analysisRun.required as string[]), "revision"],
};

const trafficReport = obj({
  name: str,
  measured: bool,
  proxy: nullable("string"),
  preview: nullable("string"),
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
        status: rolloutStatus,
        analysisRuns: { type: "array", items: analysisRun },
      },
      required: [...(rolloutSummarySchema.required as string[]), "spec", "status", "analysisRuns"],
    },
  },
  "GET /api/v1/rollouts/:name/traffic": { 200: trafficReport },
  "GET /api/v1/rollouts/:name/traffic/series": { 200: trafficSeriesSchema },
  "GET /api/v1/rollouts/:name/analysisruns": {
    200: list("runs", storedRun),
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
