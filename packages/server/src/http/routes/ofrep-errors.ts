/**
 * OFREP's error answers (service/openapi.yaml): 400 `evaluationFailure` / `bulkEvaluationFailure`
 * with PARSE_ERROR, INVALID_CONTEXT, TARGETING_KEY_MISSING or GENERAL; 404 `flagNotFound`; 401, 403;
 * 500 `generalErrorResponse`. Everything that goes wrong on an OFREP route, from the token check to
 * an unparseable body, is normalised here, once, into those shapes.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../errors.js";

export type OfrepErrorCode =
  | "PARSE_ERROR"
  | "TARGETING_KEY_MISSING"
  | "INVALID_CONTEXT"
  | "GENERAL"
  | "FLAG_NOT_FOUND";

export interface OfrepFailure {
  readonly key?: string;
  readonly errorCode?: string;
  readonly errorDetails: string;
  readonly metadata?: { readonly [k: string]: string | number | boolean };
}

export class OfrepError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: OfrepErrorCode | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** 400 and 404 carry `errorCode` (and, on the single-flag route, `key`); other statuses only `errorDetails`. */
export function failureBody(
  status: number,
  errorCode: string | undefined,
  details: string,
  key: string | undefined,
): OfrepFailure {
  if ((status !== 400 && status !== 404) || errorCode === undefined) return { errorDetails: details };
  return key === undefined ? { errorCode, errorDetails: details } : { key, errorCode, errorDetails: details };
}

export function ofrepErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const params = request.params as { key?: unknown } | undefined;
  const key = typeof params?.key === "string" ? params.key : undefined;
  const send = (status: number, code: OfrepErrorCode | undefined, details: string): FastifyReply =>
    reply.status(status).send(failureBody(status, code, details, key));

  if (error instanceof OfrepError) return send(error.status, error.errorCode, error.message);
  // The token check and environmentOf speak Ramp's errors; OFREP clients get OFREP's shapes.
  if (error instanceof ApiError)
    return send(error.status, error.status === 400 ? "GENERAL" : undefined, error.message);
  if (error.validation !== undefined) {
    const aboutContext = error.validation.some((v) => v.instancePath.startsWith("/context"));
    return send(400, aboutContext ? "INVALID_CONTEXT" : "PARSE_ERROR", error.message);
  }
  if (error.statusCode === 413) return send(413, undefined, error.message);
  // Malformed JSON, an empty body, a body that is not JSON: the request could not be parsed.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
    return send(400, "PARSE_ERROR", error.message);
  request.log.error(error);
  return send(500, undefined, "internal error");
}
