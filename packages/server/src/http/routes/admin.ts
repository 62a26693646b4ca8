/** The admin API (/api/v1): flags, segments, environments, apply/export; tokens and audit in admin-access.ts. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parse as parseYaml, stringify as yaml } from "yaml";
import type { TokenResolver } from "../../auth/tokens.js";
import { FlagService, segmentDocument, toDocument } from "../../flags/flag-service.js";
import { requireEnvironment } from "../../flags/require-environment.js";
import { authOf, type ServerDeps } from "../context.js";
import { rollbackStore } from "../dry-run.js";
import { ApiError } from "../errors.js";
import { adminAccessRoutes } from "./admin-access.js";

const key = { type: "string", minLength: 1, maxLength: 128 } as const;
const keyParams = { type: "object", properties: { key }, required: ["key"] } as const;
const dryRunQuery = {
  type: "object",
  properties: {
    dryRun: {
      type: "boolean",
      description: "validate and check If-Match exactly as the write would; write nothing",
    },
  },
} as const;
const envParams = { type: "object", properties: { key, env: key }, required: ["key", "env"] } as const;

/** `If-Match: "7"` (or W/"7", or 7) → 7. */
function ifMatchOf(request: FastifyRequest): number | undefined {
  const h = request.headers["if-match"];
  if (typeof h !== "string" || h.trim() === "*") return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(h.trim());
  if (m?.[1] === undefined)
    throw new ApiError(400, "invalid_if_match", `If-Match must be a version like "7"; got ${h}`);
  return Number(m[1]);
}

export function adminRoutes(app: FastifyInstance, deps: ServerDeps, tokens: TokenResolver): void {
  const { store, flags } = deps;
  // The same service over a store whose writes roll back: `?dryRun=true` answers what the write would.
  const dryFlags = new FlagService(rollbackStore(store));
  const dryRunOf = (r: FastifyRequest) => (r.query as { dryRun?: boolean } | undefined)?.dryRun === true;
  const project = (r: FastifyRequest) => authOf(r).project.id;
  const actor = (r: FastifyRequest) => authOf(r).token.id;

  app.get("/api/v1/project", async (request) => {
    const p = await store.getProject(project(request));
    const envs = await store.listEnvironments(project(request));
    return {
      key: p?.key,
      name: p?.name,
      version: p?.seq,
      environments: envs.map((e) => ({ key: e.key, name: e.name })),
    };
  });

  app.post(
    "/api/v1/environments",
    {
      schema: {
        body: {
          type: "object",
          properties: { key, name: { type: "string" } },
          required: ["key"],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { key: string; name?: string };
      if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(body.key))
        throw new ApiError(
          400,
          "invalid_environment",
          "an environment key is letters, digits, '_', '.', ':' or '-'",
        );
      const existing = await store.listEnvironments(project(request));
      if (existing.some((e) => e.key === body.key))
        throw new ApiError(409, "environment_exists", `environment '${body.key}' exists`);
      const row = await store.write(project(request), async (tx) => {
        const r = await tx.putEnvironment(body.key, body.name ?? body.key);
        await tx.appendAudit({
          actor: actor(request),
          action: "environment.create",
          kind: "environment",
          key: body.key,
          before: null,
          after: { key: body.key, name: r.name },
        });
        await tx.recordChange("environment", body.key);
        return r;
      });
      return reply.status(201).send({ key: row.key, name: row.name });
    },
  );

  // Flags.
  app.get(
    "/api/v1/flags",
    {
      schema: {
        querystring: {
          type: "object",
          properties: {
            env: { type: "string" },
            tag: { type: "string" },
            q: { type: "string" },
            archived: { type: "boolean" },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as { env?: string; tag?: string; q?: string; archived?: boolean };
      let rows = await store.listFlags(project(request), { includeArchived: q.archived === true });
      if (q.tag !== undefined)
        rows = rows.filter(
          (f) => Array.isArray(f.definition.tags) && f.definition.tags.includes(q.tag ?? ""),
        );
      if (q.q !== undefined) {
        const needle = q.q.toLowerCase();
        rows = rows.filter(
          (f) =>
            f.key.toLowerCase().includes(needle) ||
            String(f.definition.description ?? "")
              .toLowerCase()
              .includes(needle),
        );
      }
      if (q.env !== undefined) {
        const env = q.env;
        rows = rows.filter(
          (f) =>
            typeof f.definition.environments === "object" &&
            f.definition.environments !== null &&
            env in f.definition.environments,
        );
      }
      return { flags: rows.map(toDocument) };
    },
  );

  app.get("/api/v1/flags/:key", { schema: { params: keyParams } }, async (request, reply) => {
    const { key: k } = request.params as { key: string };
    const row = await store.getFlag(project(request), k);
    if (row === undefined) throw new ApiError(404, "flag_not_found", `no flag '${k}'`);
    reply.header("etag", `"${row.version}"`);
    return toDocument(row);
  });

  app.post(
    "/api/v1/flags",
    { schema: { querystring: dryRunQuery, body: { type: "object" } } },
    async (request, reply) => {
      if (dryRunOf(request)) {
        const row = await dryFlags.createFlag(project(request), actor(request), request.body);
        return { ok: true, flag: toDocument(row) };
      }
      const row = await flags.createFlag(project(request), actor(request), request.body);
      reply.header("etag", `"${row.version}"`);
      return reply.status(201).send(toDocument(row));
    },
  );

  app.put(
    "/api/v1/flags/:key",
    { schema: { params: keyParams, querystring: dryRunQuery, body: { type: "object" } } },
    async (request, reply) => {
      const { key: k } = request.params as { key: string };
      if (dryRunOf(request)) {
        const row = await dryFlags.putFlag(
          project(request),
          actor(request),
          k,
          request.body,
          ifMatchOf(request),
        );
        return { ok: true, flag: toDocument(row) };
      }
      const row = await flags.putFlag(project(request), actor(request), k, request.body, ifMatchOf(request));
      reply.header("etag", `"${row.version}"`);
      return toDocument(row);
    },
  );

  for (const archived of [true, false]) {
    app.post(
      `/api/v1/flags/:key/${archived ? "archive" : "unarchive"}`,
      { schema: { params: keyParams } },
      async (request) => {
        const { key: k } = request.params as { key: string };
        return toDocument(await flags.setArchived(project(request), actor(request), k, archived));
      },
    );
  }

  app.put(
    "/api/v1/flags/:key/environments/:env/on",
    {
      schema: {
        params: envParams,
        body: {
          type: "object",
          properties: { on: { type: "boolean" } },
          required: ["on"],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { key: k, env } = request.params as { key: string; env: string };
      await requireEnvironment(store, project(request), env);
      const row = await flags.setOn(
        project(request),
        actor(request),
        k,
        env,
        (request.body as { on: boolean }).on,
        ifMatchOf(request),
      );
      reply.header("etag", `"${row.version}"`);
      return toDocument(row);
    },
  );

  app.put(
    "/api/v1/flags/:key/environments/:env/rollout",
    {
      schema: {
        params: envParams,
        body: {
          type: "object",
          properties: {
            percentage: { type: "number", minimum: 0, maximum: 100 },
            variant: { type: "string" },
          },
          required: ["percentage"],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { key: k, env } = request.params as { key: string; env: string };
      await requireEnvironment(store, project(request), env);
      const body = request.body as { percentage: number; variant?: string };
      const row = await flags.setRollout(
        project(request),
        actor(request),
        k,
        env,
        body.percentage,
        body.variant,
        ifMatchOf(request),
      );
      reply.header("etag", `"${row.version}"`);
      return toDocument(row);
    },
  );

  // Segments.
  app.get("/api/v1/segments", async (request) => ({
    segments: (await store.listSegments(project(request))).map(segmentDocument),
  }));
  app.get("/api/v1/segments/:key", { schema: { params: keyParams } }, async (request, reply) => {
    const { key: k } = request.params as { key: string };
    const row = await store.getSegment(project(request), k);
    if (row === undefined) throw new ApiError(404, "segment_not_found", `no segment '${k}'`);
    reply.header("etag", `"${row.version}"`);
    return segmentDocument(row);
  });
  app.put(
    "/api/v1/segments/:key",
    { schema: { params: keyParams, body: { type: "object" } } },
    async (request, reply) => {
      const { key: k } = request.params as { key: string };
      const row = await flags.putSegment(
        project(request),
        actor(request),
        k,
        request.body,
        ifMatchOf(request),
      );
      reply.header("etag", `"${row.version}"`);
      return segmentDocument(row);
    },
  );
  app.delete("/api/v1/segments/:key", { schema: { params: keyParams } }, async (request, reply) => {
    const { key: k } = request.params as { key: string };
    await flags.deleteSegment(project(request), actor(request), k);
    return reply.status(204).send();
  });

  // Flags as code.
  app.post(
    "/api/v1/apply",
    { schema: { querystring: { type: "object", properties: { dryRun: { type: "boolean" } } } } },
    async (request) => {
      const dryRun = (request.query as { dryRun?: boolean }).dryRun === true;
      let file: unknown = request.body;
      if (typeof file === "string") {
        try {
          file = parseYaml(file, { uniqueKeys: true, maxAliasCount: 100 });
        } catch (e) {
          const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
          throw new ApiError(
            400,
            "invalid_yaml",
            `the body is not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ""}: ${(e as Error).message.split("\n")[0]}`,
          );
        }
      }
      const r = await flags.apply(project(request), actor(request), file, dryRun);
      return { dryRun, ...r };
    },
  );

  app.get(
    "/api/v1/export",
    { schema: { querystring: { type: "object", properties: { env: { type: "string" } } } } },
    async (request, reply) => {
      const env = (request.query as { env?: string }).env;
      const file = await flags.export(project(request), env);
      const accept = request.headers.accept ?? "";
      if (/yaml/.test(accept))
        return reply
          .header("content-type", "application/yaml; charset=utf-8")
          .send(yaml(file, { lineWidth: 0 }));
      return file;
    },
  );

  adminAccessRoutes(app, store, tokens);
}
