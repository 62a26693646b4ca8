/**
 * Route schemas of OFREP, after service/openapi.yaml: request validation (ajv), the OpenAPI document,
 * and the response serialisers (fast-json-stringify), which write only the properties listed here —
 * an evaluation answer cannot leak a rule.
 */

const metadata = {
  type: "object",
  description: "Flag metadata (owner, tags, description, expires, prerequisite) for telemetry and debugging.",
  additionalProperties: { type: ["string", "number", "boolean"] },
} as const;

/** `evaluationRequest` / `bulkEvaluationRequest`; the context may omit targetingKey (see ofrep.ts). */
const body = {
  type: "object",
  properties: {
    context: {
      type: "object",
      properties: { targetingKey: { type: "string" } },
      additionalProperties: true,
    },
  },
} as const;

const evaluationSuccess = {
  type: "object",
  required: ["key", "reason"],
  properties: {
    key: { type: "string" },
    value: { description: "boolean, string, number or object" },
    reason: { type: "string" },
    variant: { type: "string" },
    metadata,
  },
} as const;

const evaluationFailure = {
  type: "object",
  required: ["errorCode"],
  properties: {
    key: { type: "string" },
    errorCode: { type: "string" },
    errorDetails: { type: "string" },
    metadata,
  },
} as const;

const generalError = { type: "object", properties: { errorDetails: { type: "string" } } } as const;

/** One schema for both item kinds: fast-json-stringify picks no branch, absent properties are omitted. */
const bulkItem = {
  type: "object",
  required: ["key"],
  properties: {
    key: { type: "string" },
    value: {},
    reason: { type: "string" },
    variant: { type: "string" },
    errorCode: { type: "string" },
    errorDetails: { type: "string" },
    metadata,
  },
} as const;

const eventStream = {
  type: "object",
  required: ["type"],
  properties: {
    type: { type: "string" },
    url: { type: "string" },
    endpoint: {
      type: "object",
      required: ["requestUri"],
      properties: { origin: { type: "string" }, requestUri: { type: "string" } },
    },
    inactivityDelaySec: { type: "integer" },
  },
} as const;

const errorResponses = {
  401: { description: "Missing or unknown token", ...generalError },
  403: { description: "The token may not use this environment", ...generalError },
  500: generalError,
} as const;

export const singleSchema = {
  summary: "OFREP: evaluate one flag",
  tags: ["OFREP"],
  params: { type: "object", properties: { key: { type: "string" } }, required: ["key"] },
  querystring: { type: "object", properties: { env: { type: "string", description: "Admin tokens only" } } },
  body,
  response: {
    200: evaluationSuccess,
    400: evaluationFailure,
    404: evaluationFailure,
    ...errorResponses,
  },
} as const;

export const bulkSchema = {
  summary: "OFREP: evaluate every flag of the environment (ETag / If-None-Match → 304; eventStreams)",
  tags: ["OFREP"],
  querystring: {
    type: "object",
    properties: {
      env: { type: "string", description: "Admin tokens only" },
      flagConfigEtag: {
        type: "string",
        description: "The etag of the refetchEvaluation event that triggered this request",
      },
      flagConfigLastModified: { type: "string" },
    },
  },
  body,
  response: {
    200: {
      type: "object",
      required: ["flags"],
      properties: {
        flags: { type: "array", items: bulkItem },
        metadata,
        eventStreams: { type: "array", items: eventStream },
      },
    },
    304: {
      description: "Not modified: the flags and the context are those of the If-None-Match ETag",
      type: "null",
    },
    400: { description: "bulkEvaluationFailure", ...evaluationFailure, required: ["errorCode"] },
    ...errorResponses,
  },
} as const;
