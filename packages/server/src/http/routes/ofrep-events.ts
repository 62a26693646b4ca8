/**
 * OFREP change notification (protocol ADR-0008): the bulk response advertises an SSE event stream;
 * the stream sends `refetchEvaluation` messages and the provider re-fetches the bulk evaluation.
 *
 * Browsers' EventSource cannot send an Authorization header, so the advertised URL carries a stream
 * ticket instead of the token: an HMAC of (project, token id, environment) keyed by the token's
 * stored hash. It only opens this notification stream (which carries no flag data), is stable for a
 * token and environment (so providers keep their connection across re-fetches, as ADR-0008 allows
 * when the URL set is unchanged) and dies with the token's revocation.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from "fastify";
import type { ChangeNotice } from "../../flags/snapshots.js";
import type { ServerDeps } from "../context.js";
import { Heartbeat, lastEventIdOf, SseConnection, sseFrame } from "../streams.js";
import { OfrepError } from "./ofrep-errors.js";

export const EVENT_STREAM_PATH = "/ofrep/v1/event-stream";
/** ADR-0008's default; sent explicitly so providers need not assume it. */
const INACTIVITY_DELAY_SEC = 120;
const TOKEN_CACHE_MS = 5_000;

/** An `eventStreams` entry of the bulk response. `endpoint.requestUri` resolves against the provider's base URL. */
export interface EventStreamEntry {
  readonly type: "sse";
  readonly endpoint: { readonly requestUri: string };
  readonly inactivityDelaySec: number;
}

/** The flag configuration's validator sent as `etag` in events and echoed back as `flagConfigEtag`. */
export function configEtag(projectId: number, version: number): string {
  return `"${projectId}-${version}"`;
}

/** The version a `flagConfigEtag` names, when it is one of this project's. */
export function versionOfConfigEtag(value: unknown, projectId: number): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^(?:W\/)?"?(\d+)-(\d+)"?$/.exec(value);
  return m !== null && Number(m[1]) === projectId ? Number(m[2]) : undefined;
}

function ticketOf(secretHash: string, projectId: number, tokenId: string, environment: string): string {
  return createHmac("sha256", secretHash)
    .update(`ofrep-event-stream\n${projectId}\n${tokenId}\n${environment}`)
    .digest("base64url");
}

interface OfrepStream {
  readonly conn: SseConnection;
  readonly environment: string;
  /** The last version the client was told about; -1 before the first message. */
  version: number;
}

interface StreamQuery {
  readonly project?: number;
  readonly token?: string;
  readonly env?: string;
  readonly ticket?: string;
}

export class OfrepEventHub {
  readonly #byProject = new Map<number, Set<OfrepStream>>();
  readonly #entries = new Map<string, readonly EventStreamEntry[]>();
  readonly #tokens = new Map<
    number,
    { at: number; tokens: Awaited<ReturnType<ServerDeps["store"]["listTokens"]>> }
  >();
  readonly #heartbeat: Heartbeat;
  readonly #unsubscribe: () => void;
  #count = 0;

  constructor(
    private readonly deps: ServerDeps,
    private readonly log: FastifyBaseLogger,
    heartbeatMs: number,
  ) {
    this.#heartbeat = new Heartbeat(heartbeatMs, () => this.#connections());
    this.#unsubscribe = deps.snapshots.onChange((n) => this.#onNotice(n));
  }

  /**
   * The `eventStreams` of a bulk response for this token and environment (computed once, then
   * cached). `prefix` is a reverse proxy's path prefix (X-Forwarded-Prefix): the provider resolves
   * `requestUri` against its base URL's origin only.
   */
  entriesFor(
    projectId: number,
    token: { id: string; secretHash: string },
    environment: string,
    prefix: string,
  ): readonly EventStreamEntry[] {
    const k = `${token.id}\u0000${environment}\u0000${prefix}`;
    let entries = this.#entries.get(k);
    if (entries === undefined) {
      const q = new URLSearchParams({
        project: String(projectId),
        token: token.id,
        env: environment,
        ticket: ticketOf(token.secretHash, projectId, token.id, environment),
      });
      entries = [
        {
          type: "sse",
          endpoint: { requestUri: `${prefix}${EVENT_STREAM_PATH}?${q}` },
          inactivityDelaySec: INACTIVITY_DELAY_SEC,
        },
      ];
      if (this.#entries.size >= 10_000) this.#entries.clear();
      this.#entries.set(k, entries);
    }
    return entries;
  }

  route(app: FastifyInstance): void {
    app.get<{ Querystring: StreamQuery }>(
      EVENT_STREAM_PATH,
      {
        // The ticket is the credential: EventSource cannot send headers.
        config: { public: true },
        exposeHeadRoute: false,
        schema: {
          summary: "OFREP event stream (SSE): `refetchEvaluation` messages when flags change (ADR-0008)",
          querystring: {
            type: "object",
            properties: {
              project: { type: "integer" },
              token: { type: "string" },
              env: { type: "string" },
              ticket: { type: "string" },
            },
          },
        },
      },
      async (request, reply) => {
        const { projectId, environment } = await this.#verify(request.query);
        const snapshot = await this.deps.snapshots.get(projectId, environment);
        if (snapshot === undefined)
          throw new OfrepError(404, undefined, `environment '${environment}' does not exist`);
        this.#open(reply, projectId, environment, lastEventIdOf(request.headers["last-event-id"]));
      },
    );
  }

  close(): void {
    this.#unsubscribe();
    this.#heartbeat.stop();
    for (const c of [...this.#connections()]) c.close();
  }

  async #verify(q: StreamQuery): Promise<{ projectId: number; environment: string }> {
    const { project, token: tokenId, env, ticket } = q;
    if (project === undefined || tokenId === undefined || env === undefined || ticket === undefined)
      throw new OfrepError(
        401,
        undefined,
        "an event stream ticket is required: use the URL from the bulk response's eventStreams",
      );
    const token = (await this.#tokensOf(project)).find((t) => t.id === tokenId);
    const expected =
      token === undefined ? undefined : Buffer.from(ticketOf(token.secretHash, project, token.id, env));
    const given = Buffer.from(ticket);
    if (
      token === undefined ||
      token.revokedAt !== null ||
      expected === undefined ||
      expected.length !== given.length ||
      !timingSafeEqual(expected, given)
    )
      throw new OfrepError(401, undefined, "unknown, revoked or forged event stream ticket");
    if (token.environment !== null && token.environment !== env)
      throw new OfrepError(403, undefined, `this token is bound to environment '${token.environment}'`);
    return { projectId: project, environment: env };
  }

  /** Tokens are read per project and kept briefly: a reconnect storm costs one query per project. */
  async #tokensOf(projectId: number): Promise<Awaited<ReturnType<ServerDeps["store"]["listTokens"]>>> {
    const hit = this.#tokens.get(projectId);
    if (hit !== undefined && Date.now() - hit.at < TOKEN_CACHE_MS) return hit.tokens;
    const tokens = await this.deps.store.listTokens(projectId);
    this.#tokens.set(projectId, { at: Date.now(), tokens });
    return tokens;
  }

  #open(reply: FastifyReply, projectId: number, environment: string, lastEventId: number | undefined): void {
    let streams = this.#byProject.get(projectId);
    if (streams === undefined) {
      streams = new Set();
      this.#byProject.set(projectId, streams);
    }
    const set = streams;
    const stream: OfrepStream = {
      conn: SseConnection.open(reply, () => {
        if (!set.delete(stream)) return;
        if (set.size === 0) this.#byProject.delete(projectId);
        this.#count--;
        this.deps.metrics.streamConnections.dec({ kind: "ofrep" });
        this.#heartbeat.update(this.#count);
      }),
      environment,
      version: -1,
    };
    set.add(stream);
    this.#count++;
    this.deps.metrics.streamConnections.inc({ kind: "ofrep" });
    this.#heartbeat.update(this.#count);
    // A dropped notification is repaired by telling the client to re-fetch once more.
    stream.conn.onResync = () => {
      if (stream.version >= 0) stream.conn.send(refetchFrame(projectId, stream.version, undefined));
    };
    // The provider fetched before connecting; a change in between (or while it was away) must not
    // be lost, so a client that is not provably current is told to re-fetch (a 304 if nothing changed).
    this.deps.snapshots.get(projectId, environment).then(
      (snapshot) => {
        if (snapshot === undefined || stream.version >= snapshot.version) return;
        if (lastEventId !== snapshot.version)
          stream.conn.send(refetchFrame(projectId, snapshot.version, undefined));
        stream.version = snapshot.version;
      },
      (err: unknown) => {
        this.log.error({ err, environment }, "ofrep event stream: reading the snapshot failed");
        stream.conn.close();
      },
    );
  }

  *#connections(): Iterable<SseConnection> {
    for (const set of this.#byProject.values()) for (const s of set) yield s.conn;
  }

  #onNotice(notice: ChangeNotice): void {
    const streams = this.#byProject.get(notice.projectId);
    if (streams === undefined) return;
    const last = notice.changes.at(-1);
    const frame = refetchFrame(notice.projectId, notice.version, last === undefined ? undefined : last.at);
    for (const s of streams) {
      if (s.version >= notice.version || !concerns(notice, s.environment)) continue;
      s.conn.send(frame);
      s.version = notice.version;
    }
  }
}

/** Changes to other environments' definitions (not their flags) do not concern a stream. */
function concerns(notice: ChangeNotice, environment: string): boolean {
  return (
    notice.resync ||
    notice.changes.length === 0 ||
    notice.changes.some((c) => c.kind !== "environment" || c.key === environment)
  );
}

function refetchFrame(projectId: number, version: number, at: string | undefined): string {
  const data: { type: string; etag: string; lastModified?: number } = {
    type: "refetchEvaluation",
    etag: configEtag(projectId, version),
  };
  if (at !== undefined) data.lastModified = Math.floor(Date.parse(at) / 1000);
  // ADR-0008: the SSE event type is always `message`; providers route on data.type.
  return sseFrame("message", version, JSON.stringify(data));
}
