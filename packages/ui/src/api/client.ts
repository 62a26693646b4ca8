/**
 * The dashboard's only way to the server: typed calls to the public HTTP API with the session's
 * token. Every failure becomes an ApiError carrying the server's code, message and problem details.
 */
import type {
  AnalysisRun,
  AuditEntry,
  AuditQuery,
  EvaluationSeries,
  FlagDocument,
  FlagsQuery,
  ProblemDetail,
  Project,
  PutFlagAnswer,
  RolloutCommand,
  RolloutDetail,
  RolloutSummary,
  TokenInfo,
  TrafficSeries,
  WhoAmI,
} from "./types.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ProblemDetail[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function toDetails(v: unknown): ProblemDetail[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isRecord).map((d) => ({
    path: typeof d.path === "string" ? d.path : "",
    message: typeof d.message === "string" ? d.message : JSON.stringify(d),
    ...(typeof d.expected === "string" && { expected: d.expected }),
    ...(typeof d.suggestion === "string" && { suggestion: d.suggestion }),
  }));
}

/** Reads both error shapes: `{ error: { code, message, details } }` and `{ error: code, message, details }`. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isRecord(body)) {
    const e = body.error;
    if (isRecord(e))
      return new ApiError(
        status,
        String(e.code ?? status),
        String(e.message ?? `HTTP ${status}`),
        toDetails(e.details),
      );
    if (typeof e === "string")
      return new ApiError(status, e, String(body.message ?? e), toDetails(body.details));
  }
  return new ApiError(status, String(status), `HTTP ${status}`);
}

export type { AuditQuery } from "./types.js";

type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s === "" ? path : `${path}?${s}`;
}

/**
 * Every operation the dashboard calls, as `METHOD path` in /openapi.json's terms; the end-to-end test
 * checks each against the server's document, so a renamed route fails there, not in a user's browser.
 */
export const OPERATIONS = {
  whoami: "GET /api/v1/whoami",
  project: "GET /api/v1/project",
  flags: "GET /api/v1/flags",
  flag: "GET /api/v1/flags/{key}",
  putFlag: "PUT /api/v1/flags/{key}",
  setOn: "PUT /api/v1/flags/{key}/environments/{env}/on",
  setRollout: "PUT /api/v1/flags/{key}/environments/{env}/rollout",
  evaluations: "GET /api/v1/flags/{key}/evaluations",
  audit: "GET /api/v1/audit",
  tokens: "GET /api/v1/tokens",
  events: "GET /api/v1/events",
  rollouts: "GET /api/v1/rollouts",
  rollout: "GET /api/v1/rollouts/{name}",
  analysisRuns: "GET /api/v1/rollouts/{name}/analysisruns",
  trafficSeries: "GET /api/v1/rollouts/{name}/traffic/series",
  promote: "POST /api/v1/rollouts/{name}/promote",
  pause: "POST /api/v1/rollouts/{name}/pause",
  resume: "POST /api/v1/rollouts/{name}/resume",
  abort: "POST /api/v1/rollouts/{name}/abort",
  retry: "POST /api/v1/rollouts/{name}/retry",
} as const;

type Operation = keyof typeof OPERATIONS;

/** The path of an operation with its `{params}` filled in (URL-encoded). */
function pathOf(op: Operation, params: Record<string, string> = {}): string {
  const path = OPERATIONS[op].slice(OPERATIONS[op].indexOf(" ") + 1);
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
}

function methodOf(op: Operation): string {
  return OPERATIONS[op].slice(0, OPERATIONS[op].indexOf(" "));
}

export class Api {
  constructor(
    readonly token: string,
    private readonly base = "",
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: "application/json",
          ...(body !== undefined && { "content-type": "application/json" }),
          ...headers,
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (e) {
      throw new ApiError(
        0,
        "network",
        `the server did not answer: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) throw toApiError(res.status, parsed);
    return parsed as T;
  }

  #call<T>(
    op: Operation,
    params: Record<string, string> = {},
    o: { query?: Query; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<T> {
    return this.request<T>(methodOf(op), withQuery(pathOf(op, params), o.query), o.body, o.headers);
  }

  whoami(): Promise<WhoAmI> {
    return this.#call("whoami");
  }

  project(): Promise<Project> {
    return this.#call("project");
  }

  async flags(query: FlagsQuery = {}): Promise<FlagDocument[]> {
    return (await this.#call<{ flags: FlagDocument[] }>("flags", {}, { query })).flags;
  }

  flag(key: string): Promise<FlagDocument> {
    return this.#call("flag", { key });
  }

  /** PUT with If-Match: the write fails with 409 `version_conflict` when someone wrote since `version`. */
  putFlag(doc: FlagDocument, version: number, dryRun = false): Promise<PutFlagAnswer> {
    const { version: _v, archived: _a, createdAt: _c, updatedAt: _u, ...body } = doc;
    return this.#call(
      "putFlag",
      { key: doc.key },
      { query: { dryRun: dryRun || undefined }, body, headers: { "if-match": `"${version}"` } },
    );
  }

  setOn(key: string, env: string, on: boolean, version: number): Promise<FlagDocument> {
    return this.#call("setOn", { key, env }, { body: { on }, headers: { "if-match": `"${version}"` } });
  }

  setRollout(
    key: string,
    env: string,
    percentage: number,
    variant: string | undefined,
    version: number,
  ): Promise<FlagDocument> {
    return this.#call(
      "setRollout",
      { key, env },
      {
        body: { percentage, ...(variant !== undefined && { variant }) },
        headers: { "if-match": `"${version}"` },
      },
    );
  }

  evaluations(key: string, env: string, minutes = 60): Promise<EvaluationSeries> {
    return this.#call("evaluations", { key }, { query: { env, minutes } });
  }

  /** Newest first; `before` pages back. */
  async audit(query: AuditQuery): Promise<AuditEntry[]> {
    const q = { ...query, order: "desc", limit: query.limit ?? 50 };
    return (await this.#call<{ entries: AuditEntry[] }>("audit", {}, { query: q })).entries;
  }

  /** Admin only: names the actors of audit entries (a token's id is its actor). */
  async tokens(): Promise<TokenInfo[]> {
    return (await this.#call<{ tokens: TokenInfo[] }>("tokens")).tokens;
  }

  async rollouts(): Promise<RolloutSummary[]> {
    return (await this.#call<{ rollouts: RolloutSummary[] }>("rollouts")).rollouts;
  }

  rollout(name: string): Promise<RolloutDetail> {
    return this.#call("rollout", { name });
  }

  async analysisRuns(name: string, revision?: number): Promise<AnalysisRun[]> {
    return (await this.#call<{ runs: AnalysisRun[] }>("analysisRuns", { name }, { query: { revision } }))
      .runs;
  }

  trafficSeries(name: string, seconds = 300): Promise<TrafficSeries> {
    return this.#call("trafficSeries", { name }, { query: { seconds } });
  }

  command(name: string, command: RolloutCommand, full = false): Promise<RolloutSummary> {
    return this.#call(command, { name }, { body: full ? { full: true } : {} });
  }
}

/** Where the event stream is (read by event-stream.ts with fetch). */
export const EVENTS_PATH = pathOf("events");
