/** What every route gets: the store, the snapshot cache, metrics, and the caller's authenticated identity. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FlagService } from "../flags/flag-service.js";
import type { SnapshotCache } from "../flags/snapshots.js";
import type { RolloutController } from "../rollouts/shell/controller.js";
import type { ProjectRow, Scope, Store, TokenRow } from "../store/store.js";
import { ApiError } from "./errors.js";
import type { ServerMetrics } from "./metrics.js";

export interface ServerDeps {
  readonly store: Store;
  readonly snapshots: SnapshotCache;
  readonly flags: FlagService;
  readonly metrics: ServerMetrics;
  /** The rollout controller; absent when the server runs without rollouts. */
  readonly rollouts?: RolloutController;
}

export interface AuthContext {
  readonly token: TokenRow;
  readonly project: ProjectRow;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: AuthContext | undefined;
  }
  interface FastifyContextConfig {
    /** Scopes allowed on the route; absent = admin only. */
    scopes?: readonly Scope[];
    /** No token needed (health, the dashboard's files). */
    public?: boolean;
  }
}

/** The authenticated caller; the auth hook guarantees it on every non-public route. */
export function authOf(request: FastifyRequest): AuthContext {
  if (request.auth === undefined) throw new ApiError(401, "unauthorized", "a token is required");
  return request.auth;
}

/**
 * The environment a request acts on: a server/client token's own environment, or for admin tokens
 * the `env` query parameter (required).
 */
export function environmentOf(request: FastifyRequest): string {
  const { token } = authOf(request);
  if (token.environment !== null) return token.environment;
  const q = request.query as { env?: unknown } | undefined;
  if (typeof q?.env === "string" && q.env !== "") return q.env;
  throw new ApiError(400, "environment_required", "an admin token must name the environment: add ?env=NAME");
}

export type Reply = FastifyReply;
