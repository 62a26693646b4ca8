/** The admin API's access routes (/api/v1): tokens, and the audit trail with its chain check. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { verifyChain } from "../../audit/audit-chain.js";
import {
  hashSecret,
  newTokenId,
  newTokenSecret,
  SCOPES,
  type TokenResolver,
  UNBOUND_SCOPES,
} from "../../auth/tokens.js";
import { diffJson } from "../../flags/diff.js";
import { storeErrors } from "../../flags/flag-service.js";
import { requireEnvironment } from "../../flags/require-environment.js";
import type { AuditRow, Scope, Store, TargetKind, TokenRow } from "../../store/store.js";
import { authOf } from "../context.js";
import { ApiError } from "../errors.js";

const key = { type: "string", minLength: 1, maxLength: 128 } as const;

function tokenView(t: TokenRow): Record<string, unknown> {
  return {
    id: t.id,
    scope: t.scope,
    environment: t.environment,
    name: t.name,
    createdAt: t.createdAt,
    revokedAt: t.revokedAt,
  };
}

function auditView(e: AuditRow): Record<string, unknown> {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    kind: e.kind,
    key: e.key,
    before: e.before,
    after: e.after,
    diff: diffJson(e.before, e.after),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/** Registered last by adminRoutes, in its scope, so these routes keep their place in /openapi.json. */
export function adminAccessRoutes(app: FastifyInstance, store: Store, tokens: TokenResolver): void {
  const project = (r: FastifyRequest) => authOf(r).project.id;
  const actor = (r: FastifyRequest) => authOf(r).token.id;

  // Tokens.
  app.post(
    "/api/v1/tokens",
    {
      schema: {
        body: {
          type: "object",
          properties: {
            scope: { type: "string", enum: [...SCOPES] },
            environment: { type: "string" },
            name: { type: "string", maxLength: 200 },
          },
          required: ["scope"],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { scope: Scope; environment?: string; name?: string };
      const projectId = project(request);
      if (!UNBOUND_SCOPES.includes(body.scope)) {
        if (body.environment === undefined)
          throw new ApiError(
            400,
            "environment_required",
            `a ${body.scope} token is bound to one environment: give "environment"`,
          );
        await requireEnvironment(store, projectId, body.environment);
      } else if (body.environment !== undefined)
        throw new ApiError(
          400,
          "invalid_token",
          `${body.scope} tokens reach every environment; drop "environment"`,
        );
      const secret = newTokenSecret(body.scope);
      const row = await store.write(projectId, async (tx) => {
        const t = await tx.insertToken({
          id: newTokenId(),
          scope: body.scope,
          environment: body.environment ?? null,
          name: body.name ?? "",
          secretHash: hashSecret(secret),
        });
        await tx.appendAudit({
          actor: actor(request),
          action: "token.create",
          kind: "token",
          key: t.id,
          before: null,
          after: { scope: t.scope, environment: t.environment, name: t.name },
        });
        return t;
      });
      return reply.status(201).send({ ...tokenView(row), token: secret });
    },
  );
  app.get("/api/v1/tokens", async (request) => ({
    tokens: (await store.listTokens(project(request))).map(tokenView),
  }));
  app.delete(
    "/api/v1/tokens/:id",
    { schema: { params: { type: "object", properties: { id: key }, required: ["id"] } } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const row = await storeErrors(
        store.write(project(request), async (tx) => {
          const t = await tx.revokeToken(id);
          if (t !== undefined)
            await tx.appendAudit({
              actor: actor(request),
              action: "token.revoke",
              kind: "token",
              key: id,
              before: null,
              after: null,
            });
          return t;
        }),
      );
      if (row === undefined) throw new ApiError(404, "token_not_found", `no token '${id}'`);
      tokens.forget();
      return reply.status(204).send();
    },
  );

  // Audit.
  app.get(
    "/api/v1/audit",
    {
      schema: {
        querystring: {
          type: "object",
          properties: {
            kind: { type: "string" },
            key: { type: "string" },
            action: { type: "string" },
            after: { type: "integer", minimum: 0 },
            before: { type: "integer", minimum: 1, description: "only entries with a smaller seq" },
            order: { type: "string", enum: ["asc", "desc"], default: "asc" },
            limit: { type: "integer", minimum: 1, maximum: 10000 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as {
        kind?: TargetKind;
        key?: string;
        action?: string;
        after?: number;
        before?: number;
        order?: "asc" | "desc";
        limit?: number;
      };
      const entries = await store.listAudit(project(request), { ...q, limit: q.limit ?? 1000 });
      return { entries: entries.map(auditView) };
    },
  );
  app.get("/api/v1/audit/verify", async (request) => verifyChain(await store.listAudit(project(request))));
}
