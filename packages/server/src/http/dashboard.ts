/**
 * The dashboard's built files (packages/ui/dist) served at the root without a token: `/` and every
 * client-side route that asks for HTML get index.html, `/assets/*` (hashed names) is cached for a year.
 *
 * Hand-written rather than @fastify/static: the UI is one index.html plus flat hashed assets, so all
 * that is needed is a content-type table and a containment check — a handler short enough to audit
 * (traversal is refused in one place below), and no dependency to pin against Fastify's major.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "./errors.js";

/** packages/ui/dist, from src/http or dist/http alike (both sit two levels below the package). */
export function defaultUiDir(): string {
  return fileURLToPath(new URL("../../../ui/dist", import.meta.url));
}

/** Paths that belong to the API: never answered with the dashboard's HTML. */
const API_PREFIXES = ["/api/", "/ofrep/", "/sdk/", "/metrics", "/healthz", "/readyz", "/openapi.json"];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/** Scripts only from the server itself; inline styles allowed (component libraries set style attributes). */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ramp</title></head>
<body><h1>Ramp</h1><p>Dashboard not built: run <code>npm run build</code>, then reload.</p>
<p>The API is at <a href="/openapi.json">/openapi.json</a> (token required).</p></body></html>
`;

export class DashboardFiles {
  readonly #root: string;
  readonly #assets: string;

  constructor(uiDir: string) {
    this.#root = resolve(uiDir);
    this.#assets = join(this.#root, "assets");
  }

  route(app: FastifyInstance): void {
    app.get("/", { config: { public: true }, schema: { hide: true } }, (_request, reply) =>
      this.#index(reply),
    );
    app.get<{ Params: { "*": string } }>(
      "/assets/*",
      { config: { public: true }, schema: { hide: true } },
      async (request, reply) => {
        const file = inside(this.#assets, request.params["*"]);
        if (file === undefined || !(await this.#send(reply, file, "public, max-age=31536000, immutable")))
          return notFound(request, reply);
        return reply;
      },
    );
  }

  /**
   * For the 404 handler: a GET of a non-API path that accepts HTML is a client-side route (index.html);
   * a top-level file of the build (favicon, robots.txt) is served as is. True when it answered.
   */
  async fallback(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const path = request.url.split("?")[0] ?? "/";
    if (API_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith("/") ? p : `${p}/`))) return false;
    if (path === "/index.html") {
      await this.#index(reply);
      return true;
    }
    if (/^\/[^/]+\.[A-Za-z0-9]+$/.test(path)) {
      const file = inside(this.#root, safeDecode(path.slice(1)));
      if (file !== undefined && (await this.#send(reply, file, "public, max-age=3600"))) return true;
    }
    if (!(request.headers.accept ?? "").includes("text/html")) return false;
    await this.#index(reply);
    return true;
  }

  async #index(reply: FastifyReply): Promise<FastifyReply> {
    htmlHeaders(reply);
    reply.header("cache-control", "no-cache");
    const html = await readFile(join(this.#root, "index.html")).catch(() => undefined);
    return reply
      .status(200)
      .type("text/html; charset=utf-8")
      .send(html ?? NOT_BUILT);
  }

  /** Sends a regular file; false when there is none (a directory, a missing file). */
  async #send(reply: FastifyReply, file: string, cacheControl: string): Promise<boolean> {
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) return false;
    const body = await readFile(file);
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    if (type.startsWith("text/html")) htmlHeaders(reply);
    reply.header("cache-control", cacheControl).header("x-content-type-options", "nosniff");
    await reply.status(200).type(type).send(body);
    return true;
  }
}

/**
 * The file `rel` names under `dir`, or undefined when it would leave `dir`: `..` segments, absolute
 * paths, backslashes and NUL bytes are refused before resolving, and the resolved path is checked
 * again. `rel` is already percent-decoded (Fastify decodes the wildcard), so `%2e%2e%2f` arrives as `../`.
 */
export function inside(dir: string, rel: string): string | undefined {
  if (rel === "" || rel.includes("\0") || rel.includes("\\") || isAbsolute(rel)) return undefined;
  if (rel.split("/").some((s) => s === ".." || s === "." || s === "")) return undefined;
  const file = resolve(dir, rel);
  const r = relative(dir, file);
  if (r === "" || r.startsWith("..") || isAbsolute(r) || !file.startsWith(dir + sep)) return undefined;
  return file;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return "";
  }
}

function htmlHeaders(reply: FastifyReply): void {
  reply
    .header("content-security-policy", CSP)
    .header("x-frame-options", "DENY")
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer");
}

function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(404).send(new ApiError(404, "not_found", `no file ${request.url}`).toJSON());
}
