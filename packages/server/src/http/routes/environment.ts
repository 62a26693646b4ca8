/** The environment an SDK or OFREP request evaluates in, refusing a bound token's reach for another. */
import type { FastifyRequest } from "fastify";
import { authOf, environmentOf } from "../context.js";
import { ApiError } from "../errors.js";

/**
 * environmentOf, plus docs/api.md's rule that a token of the wrong environment is refused (403): a
 * server or client token naming another environment with `?env=` must not silently get its own.
 */
export function environmentFor(request: FastifyRequest): string {
  const bound = authOf(request).token.environment;
  if (bound !== null) {
    const q = request.query as { env?: unknown } | undefined;
    if (typeof q?.env === "string" && q.env !== "" && q.env !== bound)
      throw new ApiError(403, "forbidden", `this token is bound to environment '${bound}', not '${q.env}'`);
  }
  return environmentOf(request);
}
