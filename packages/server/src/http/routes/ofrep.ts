/**
 * OFREP, the OpenFeature Remote Evaluation Protocol (github.com/open-feature/protocol,
 * service/openapi.yaml v0.3.0): single-flag and bulk evaluation in the token's environment, the bulk
 * ETag / If-None-Match → 304, and the event stream that tells providers to re-fetch (ADR-0008, in
 * ofrep-events.ts). Answers carry evaluated values only — never rules — whatever the token's scope.
 */
import { createHash } from "node:crypto";
import type { EvaluationContext, EvaluationResult, FlagMetadata } from "@ramp/engine";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { EnvironmentSnapshot } from "../../flags/snapshots.js";
import type { Scope } from "../../store/store.js";
import { noneMatch } from "../conditional.js";
import { authOf, type ServerDeps } from "../context.js";
import { awaitVersion, heartbeatMsOf, type StreamOptions } from "../streams.js";
import { environmentFor } from "./environment.js";
import { failureBody, OfrepError, type OfrepFailure, ofrepErrorHandler } from "./ofrep-errors.js";
import { OfrepEventHub, versionOfConfigEtag } from "./ofrep-events.js";
import { bulkSchema, singleSchema } from "./ofrep-schemas.js";

const SCOPES: readonly Scope[] = ["client", "server", "admin"];
/** How long a re-fetch that names a newer configuration (flagConfigEtag) waits for this replica. */
const CATCH_UP_MS = 2_000;
const EMPTY_CONTEXT: EvaluationContext = Object.freeze({});

interface EvaluationBody {
  readonly context?: EvaluationContext;
}

/** `evaluationSuccess`: what a provider may see of an evaluation. */
interface OfrepSuccess {
  readonly key: string;
  readonly value: unknown;
  readonly reason: string;
  readonly variant?: string;
  readonly metadata?: FlagMetadata;
}

/**
 * The engine builds one frozen result per outcome when a snapshot compiles, so the success shape and
 * the single-flag JSON are derived once per outcome; the hot path allocates nothing for them.
 */
const successes = new WeakMap<EvaluationResult, OfrepSuccess>();
const successJson = new WeakMap<EvaluationResult, string>();
const flagKeys = new WeakMap<EnvironmentSnapshot, readonly string[]>();

export function ofrepRoutes(app: FastifyInstance, deps: ServerDeps, options: StreamOptions = {}): void {
  app.setErrorHandler(ofrepErrorHandler);
  const events = new OfrepEventHub(deps, app.log, heartbeatMsOf(options));
  app.addHook("onClose", async () => events.close());
  events.route(app);

  app.post<{ Params: { key: string }; Body: EvaluationBody }>(
    "/ofrep/v1/evaluate/flags/:key",
    { config: { scopes: SCOPES }, schema: singleSchema },
    async (request, reply) => {
      const environment = environmentFor(request);
      const snapshot = await snapshotOf(deps, authOf(request).project.id, environment);
      const r = snapshot.evaluator.evaluate(request.params.key, request.body.context ?? EMPTY_CONTEXT);
      if (r.errorCode !== undefined) {
        // Unknown keys are not counted: clients must not be able to mint metric series.
        if (r.errorCode !== "FLAG_NOT_FOUND") deps.metrics.recordEvaluations(environment, r.key, "", 1);
        const status = r.errorCode === "FLAG_NOT_FOUND" ? 404 : 400;
        return reply.code(status).send(failureOf(r, status));
      }
      deps.metrics.recordEvaluations(environment, r.key, r.variant ?? "", 1);
      return sendSuccess(reply, r);
    },
  );

  app.post<{ Body: EvaluationBody; Querystring: { flagConfigEtag?: string } }>(
    "/ofrep/v1/evaluate/flags",
    { config: { scopes: SCOPES }, schema: bulkSchema },
    async (request, reply) => {
      const environment = environmentFor(request);
      const { project, token } = authOf(request);
      let snapshot = await snapshotOf(deps, project.id, environment);
      // A re-fetch triggered by an event names the configuration it was told about; another replica
      // may have announced it before this one has seen it.
      const wanted = versionOfConfigEtag(request.query.flagConfigEtag, project.id);
      if (wanted !== undefined && wanted > snapshot.version) {
        await awaitVersion(deps.snapshots, project.id, wanted, snapshot.version, CATCH_UP_MS);
        snapshot = await snapshotOf(deps, project.id, environment);
      }
      const context = request.body.context ?? EMPTY_CONTEXT;
      const etag = bulkEtag(snapshot, token.id, context);
      reply.header("etag", etag);
      if (noneMatch(request.headers["if-none-match"], etag)) return reply.code(304).send();

      const keys = keysOf(snapshot);
      const flags: (OfrepSuccess | OfrepFailure)[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const r = snapshot.evaluator.evaluate(keys[i] ?? "", context);
        deps.metrics.recordEvaluations(environment, r.key, r.variant ?? "", 1);
        flags[i] = r.errorCode === undefined ? successOf(r) : failureOf(r, 400);
      }
      return {
        flags,
        metadata: { environment, version: snapshot.version },
        eventStreams: events.entriesFor(
          project.id,
          token,
          environment,
          prefixOf(request.headers["x-forwarded-prefix"]),
        ),
      };
    },
  );
}

async function snapshotOf(
  deps: ServerDeps,
  projectId: number,
  environment: string,
): Promise<EnvironmentSnapshot> {
  const snapshot = await deps.snapshots.get(projectId, environment);
  if (snapshot === undefined)
    throw new OfrepError(400, "GENERAL", `environment '${environment}' does not exist in this project`);
  return snapshot;
}

function successOf(r: EvaluationResult): OfrepSuccess {
  const cached = successes.get(r);
  if (cached !== undefined) return cached;
  const s: OfrepSuccess = {
    key: r.key,
    value: r.value,
    reason: r.reason,
    ...(r.variant !== undefined && { variant: r.variant }),
    ...(Object.keys(r.flagMetadata).length > 0 && { metadata: r.flagMetadata }),
  };
  if (Object.isFrozen(r)) successes.set(r, s);
  return s;
}

function sendSuccess(reply: FastifyReply, r: EvaluationResult): FastifyReply {
  let json = successJson.get(r);
  if (json === undefined) {
    // The route's response schema (fast-json-stringify) decides what is written.
    const out = reply.serialize(successOf(r));
    json = typeof out === "string" ? out : JSON.stringify(successOf(r));
    if (Object.isFrozen(r)) successJson.set(r, json);
  }
  return reply.type("application/json; charset=utf-8").send(json);
}

function failureOf(r: EvaluationResult, status: number): OfrepFailure {
  const f = failureBody(status, r.errorCode, r.errorMessage ?? r.errorCode ?? "evaluation failed", r.key);
  return Object.keys(r.flagMetadata).length > 0 ? { ...f, metadata: r.flagMetadata } : f;
}

/** A proxy's path prefix ("/ramp"), without a trailing slash; "" when absent or malformed. */
function prefixOf(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v !== undefined && /^\/[A-Za-z0-9._~\-/]*$/.test(v) ? v.replace(/\/+$/, "") : "";
}

function keysOf(snapshot: EnvironmentSnapshot): readonly string[] {
  let keys = flagKeys.get(snapshot);
  if (keys === undefined) {
    keys = Object.keys(snapshot.file.flags ?? {});
    flagKeys.set(snapshot, keys);
  }
  return keys;
}

/**
 * The bulk ETag names the configuration (project, environment, version) *and* the request: the
 * evaluation context and the token (whose event stream URL the body carries). The same context
 * against the same configuration gets the same tag, so a provider polling or told to re-fetch gets
 * 304 until a flag changes; a different context never gets a 304 for another context's values —
 * which matters because the OFREP web provider keeps its ETag when only context attributes change.
 */
function bulkEtag(snapshot: EnvironmentSnapshot, tokenId: string, context: EvaluationContext): string {
  const h = createHash("sha256")
    .update(`${snapshot.projectId}\u0000${snapshot.environment}\u0000${tokenId}\u0000`)
    .update(JSON.stringify(context))
    .digest("base64url")
    .slice(0, 22);
  return `"${snapshot.version}-${h}"`;
}
