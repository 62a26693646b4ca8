/** The server commands' command lines: `server`, `apply`, `export`, `flags`, `token`, `audit`. */
import { parseArgs } from "node:util";
import type { Env, Invocation } from "./args.js";
import { extra, format, json, nonEmpty } from "./args-util.js";
import type { ServerOptions } from "./commands/server.js";
import { UsageError } from "./output.js";
import { SCOPES, type Scope } from "./remote/api-types.js";
import { DEFAULT_SERVER, type RemoteOptions } from "./remote/client.js";

/** Options every remote command takes. */
export const REMOTE = {
  server: { type: "string" },
  token: { type: "string" },
  output: { type: "string", short: "o" },
} as const;

export function parseServer(args: readonly string[], env: Env): ServerOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      port: { type: "string", short: "p" },
      host: { type: "string" },
      data: { type: "string" },
      database: { type: "string" },
    },
  });
  extra(positionals, 0);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535)
      throw new UsageError(`--port must be 0–65535 (0: any free port); got '${values.port}'`);
  }
  const adminToken = nonEmpty(env.RAMP_ADMIN_TOKEN);
  return {
    port,
    host: values.host,
    data: values.data,
    database: values.database,
    ...(adminToken !== undefined && { adminToken }),
  };
}

export function parseApply(args: readonly string[], env: Env): Invocation {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      ...REMOTE,
      file: { type: "string", short: "f" },
      "dry-run": { type: "boolean", default: false },
    },
  });
  extra(positionals, 0);
  if (values.file === undefined) throw new UsageError("ramp apply needs -f FILE");
  return {
    command: "apply",
    remote: remote(values, env),
    options: { file: values.file, dryRun: values["dry-run"] ?? false, json: json(values.output) },
  };
}

export function parseExport(args: readonly string[], env: Env): Invocation {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...REMOTE, env: { type: "string", short: "e" } },
  });
  extra(positionals, 0);
  return {
    command: "export",
    remote: remote(values, env),
    options: { env: values.env, format: format(values.output, ["yaml", "json"], "yaml") },
  };
}

export function parseFlags(args: readonly string[], env: Env): Invocation {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...REMOTE,
      env: { type: "string", short: "e" },
      tag: { type: "string" },
      archived: { type: "boolean", default: false },
      variant: { type: "string" },
    },
  });
  const r = remote(values, env);
  const only = (allowed: readonly string[]) => {
    for (const name of ["env", "tag", "archived", "variant"] as const)
      if (!allowed.includes(name) && values[name] !== undefined && values[name] !== false)
        throw new UsageError(`ramp flags ${sub} does not take --${name}`);
  };
  const key = () => {
    const [k] = positionals;
    if (k === undefined) throw new UsageError(`ramp flags ${sub} needs a flag KEY`);
    return k;
  };
  const envOf = () => {
    if (values.env === undefined) throw new UsageError(`ramp flags ${sub} needs --env ENV`);
    return values.env;
  };
  switch (sub) {
    case "list":
      only(["env", "tag", "archived"]);
      extra(positionals, 0);
      return {
        command: "flags list",
        remote: r,
        options: {
          env: values.env,
          tag: values.tag,
          archived: values.archived ?? false,
          json: json(values.output),
        },
      };
    case "get":
      only([]);
      extra(positionals, 1);
      return {
        command: "flags get",
        remote: r,
        options: { key: key(), format: format(values.output, ["text", "json", "yaml"], "text") },
      };
    case "on":
    case "off":
      only(["env"]);
      extra(positionals, 1);
      return {
        command: "flags switch",
        remote: r,
        options: { key: key(), env: envOf(), on: sub === "on", json: json(values.output) },
      };
    case "rollout": {
      only(["env", "variant"]);
      extra(positionals, 2);
      const k = key();
      const pct = positionals[1];
      if (pct === undefined) throw new UsageError("ramp flags rollout needs KEY PERCENT");
      return {
        command: "flags rollout",
        remote: r,
        options: {
          key: k,
          env: envOf(),
          percentage: percentage(pct),
          variant: values.variant,
          json: json(values.output),
        },
      };
    }
    case "archive":
    case "unarchive":
      only([]);
      extra(positionals, 1);
      return {
        command: "flags archive",
        remote: r,
        options: { key: key(), archive: sub === "archive", json: json(values.output) },
      };
    case undefined:
      throw new UsageError("ramp flags needs a subcommand: list, get, on, off, rollout, archive, unarchive");
    default:
      throw new UsageError(`unknown subcommand 'flags ${sub}'`);
  }
}

export function parseToken(args: readonly string[], env: Env): Invocation {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...REMOTE,
      scope: { type: "string" },
      env: { type: "string", short: "e" },
      name: { type: "string" },
    },
  });
  const r = remote(values, env);
  if (sub !== "create" && sub !== undefined && (values.scope ?? values.env ?? values.name) !== undefined)
    throw new UsageError(`ramp token ${sub} takes no --scope, --env or --name`);
  switch (sub) {
    case "create": {
      extra(positionals, 0);
      const scope = values.scope;
      if (scope === undefined) throw new UsageError(`ramp token create needs --scope ${SCOPES.join("|")}`);
      if (!isScope(scope))
        throw new UsageError(`--scope must be one of ${SCOPES.join(", ")}; got '${scope}'`);
      const global = scope === "admin" || scope === "read";
      if (!global && values.env === undefined)
        throw new UsageError(`a ${scope} token is bound to one environment: give --env ENV`);
      if (global && values.env !== undefined)
        throw new UsageError(
          `${scope === "admin" ? "an admin" : "a read"} token reaches every environment: drop --env`,
        );
      return {
        command: "token create",
        remote: r,
        options: { scope, env: values.env, name: values.name, json: json(values.output) },
      };
    }
    case "list":
      extra(positionals, 0);
      return { command: "token list", remote: r, options: { json: json(values.output) } };
    case "revoke": {
      extra(positionals, 1);
      const [id] = positionals;
      if (id === undefined)
        throw new UsageError("ramp token revoke needs a token ID (see `ramp token list`)");
      return { command: "token revoke", remote: r, options: { id, json: json(values.output) } };
    }
    case undefined:
      throw new UsageError("ramp token needs a subcommand: create, list, revoke");
    default:
      throw new UsageError(`unknown subcommand 'token ${sub}'`);
  }
}

export function parseAudit(args: readonly string[], env: Env): Invocation {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      ...REMOTE,
      kind: { type: "string" },
      key: { type: "string" },
      action: { type: "string" },
      limit: { type: "string" },
    },
  });
  const r = remote(values, env);
  const [sub] = positionals;
  if (sub === "verify") {
    extra(positionals, 1);
    if ((values.kind ?? values.key ?? values.action ?? values.limit) !== undefined)
      throw new UsageError("ramp audit verify checks the whole chain: it takes no filters");
    return { command: "audit verify", remote: r, options: { json: json(values.output) } };
  }
  if (sub !== undefined)
    throw new UsageError(`unknown subcommand 'audit ${sub}' (did you mean 'audit verify'?)`);
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!/^\d+$/.test(values.limit) || limit < 1)
      throw new UsageError(`--limit must be a positive integer; got '${values.limit}'`);
  }
  return {
    command: "audit list",
    remote: r,
    options: { kind: values.kind, key: values.key, action: values.action, limit, json: json(values.output) },
  };
}

/** --server/--token, falling back to RAMP_SERVER/RAMP_TOKEN. */
export function remote(
  values: { server?: string | undefined; token?: string | undefined },
  env: Env,
): RemoteOptions {
  const server = nonEmpty(values.server) ?? nonEmpty(env.RAMP_SERVER) ?? DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be a URL such as ${DEFAULT_SERVER}; got '${server}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--server must be an http:// or https:// URL; got '${server}'`);
  const token = nonEmpty(values.token) ?? nonEmpty(env.RAMP_TOKEN);
  return { server, ...(token !== undefined && { token }) };
}

/** "25", "25%", "0.5" → a percentage in 0–100. */
export function percentage(text: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text);
  const n = m?.[1] === undefined ? Number.NaN : Number(m[1]);
  if (!(n >= 0 && n <= 100)) throw new UsageError(`PERCENT must be a number from 0 to 100; got '${text}'`);
  return n;
}

function isScope(s: string): s is Scope {
  return SCOPES.some((x) => x === s);
}
