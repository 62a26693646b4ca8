/**
 * The SDK stream hub: every open `/sdk/v1/stream`, grouped by project and environment. A change
 * notice becomes one `patch` frame per group (documents read once from the store, one string written
 * to every stream), or a fresh `put` for streams that cannot be patched (a gap, a resync, their own
 * environment changed, a congested socket that dropped frames).
 */
import type { FastifyBaseLogger, FastifyReply } from "fastify";
import { type ChangeNotice, type EnvironmentSnapshot, flagForEnvironment } from "../../flags/snapshots.js";
import type { ChangeRow, Json } from "../../store/store.js";
import type { ServerDeps } from "../context.js";
import { Heartbeat, SseConnection, sseFrame } from "../streams.js";

/** `{ environment, version, file }`: the body of GET /sdk/v1/flags and the data of `put`. */
const bodies = new WeakMap<EnvironmentSnapshot, string>();
const putFrames = new WeakMap<EnvironmentSnapshot, string>();

export function snapshotBody(snapshot: EnvironmentSnapshot): string {
  let body = bodies.get(snapshot);
  if (body === undefined) {
    body = JSON.stringify({
      environment: snapshot.environment,
      version: snapshot.version,
      file: snapshot.file,
    });
    bodies.set(snapshot, body);
  }
  return body;
}

function putFrame(snapshot: EnvironmentSnapshot): string {
  let frame = putFrames.get(snapshot);
  if (frame === undefined) {
    frame = sseFrame("put", snapshot.version, snapshotBody(snapshot));
    putFrames.set(snapshot, frame);
  }
  return frame;
}

interface SdkStream {
  readonly conn: SseConnection;
  /** The version the client holds; -1 until its first step (put or resume) has run. */
  version: number;
}

interface Group {
  readonly projectId: number;
  readonly environment: string;
  readonly streams: Set<SdkStream>;
  /** Steps of this group run one at a time, so every stream sees versions in order. */
  queue: Promise<void>;
}

const PENDING = -1;

export class SdkStreamHub {
  readonly #groups = new Map<string, Group>();
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
   * Opens a stream on the reply. `lastEventId` is the version a reconnecting client holds: when it is
   * current nothing is resent, otherwise the client gets a fresh `put`.
   */
  open(reply: FastifyReply, projectId: number, environment: string, lastEventId: number | undefined): void {
    const group = this.#group(projectId, environment);
    const stream: SdkStream = {
      conn: SseConnection.open(reply, () => this.#remove(group, stream)),
      version: PENDING,
    };
    stream.conn.onResync = () => this.#enqueue(group, () => this.#put(group, [stream]));
    group.streams.add(stream);
    this.#count++;
    this.deps.metrics.streamConnections.inc({ kind: "sdk" });
    this.#heartbeat.update(this.#count);
    // Queued behind any notice already being delivered; its snapshot is read after that notice
    // invalidated the cache, so nothing between the client's version and now is lost.
    this.#enqueue(group, async () => {
      const snapshot = await this.deps.snapshots.get(projectId, environment).catch((err: unknown) => {
        this.log.error({ err, environment }, "sdk stream: reading the snapshot failed");
        return undefined;
      });
      // Closing makes the client reconnect (and resume) once the environment or the store is back.
      if (snapshot === undefined) return stream.conn.close();
      if (lastEventId === snapshot.version) stream.version = snapshot.version;
      else this.#sendPut(snapshot, [stream]);
    });
  }

  close(): void {
    this.#unsubscribe();
    this.#heartbeat.stop();
    for (const c of [...this.#connections()]) c.close();
  }

  *#connections(): Iterable<SseConnection> {
    for (const g of this.#groups.values()) for (const s of g.streams) yield s.conn;
  }

  #group(projectId: number, environment: string): Group {
    const k = `${projectId}\u0000${environment}`;
    let g = this.#groups.get(k);
    if (g === undefined) {
      g = { projectId, environment, streams: new Set(), queue: Promise.resolve() };
      this.#groups.set(k, g);
    }
    return g;
  }

  #remove(group: Group, stream: SdkStream): void {
    if (!group.streams.delete(stream)) return;
    this.#count--;
    this.deps.metrics.streamConnections.dec({ kind: "sdk" });
    this.#heartbeat.update(this.#count);
    if (group.streams.size === 0) this.#groups.delete(`${group.projectId}\u0000${group.environment}`);
  }

  #enqueue(group: Group, step: () => Promise<void> | void): void {
    group.queue = group.queue.then(step).catch((err: unknown) => {
      this.log.error({ err, environment: group.environment }, "sdk stream: delivering a change failed");
      // The clients may have missed this change: the next notice finds them behind and sends a put.
      for (const s of group.streams) if (s.version !== PENDING) s.version = 0;
    });
  }

  #onNotice(notice: ChangeNotice): void {
    for (const group of this.#groups.values())
      if (group.projectId === notice.projectId) this.#enqueue(group, () => this.#deliver(group, notice));
  }

  async #deliver(group: Group, notice: ChangeNotice): Promise<void> {
    const behind = [...group.streams].filter((s) => s.version !== PENDING && s.version < notice.version);
    if (behind.length === 0) return;
    const ownEnvironmentChanged = notice.changes.some(
      (c) => c.kind === "environment" && c.key === group.environment,
    );
    // The notice lists every change after its first seq: a stream can be patched when that covers
    // everything after its own version.
    const firstSeq = notice.changes[0]?.seq ?? Number.POSITIVE_INFINITY;
    const puts: SdkStream[] = [];
    const patches = new Map<number, SdkStream[]>();
    for (const s of behind) {
      if (notice.resync || ownEnvironmentChanged || s.version < firstSeq - 1) puts.push(s);
      else patches.set(s.version, [...(patches.get(s.version) ?? []), s]);
    }
    if (patches.size > 0) {
      const documents = await this.#documents(group, notice.changes);
      for (const [from, streams] of patches) {
        const frame = patchFrame(
          notice.version,
          notice.changes.filter((c) => c.seq > from),
          documents,
        );
        for (const s of streams) {
          s.conn.send(frame);
          s.version = notice.version;
        }
      }
    }
    if (puts.length > 0) await this.#put(group, puts);
  }

  async #put(group: Group, streams: readonly SdkStream[]): Promise<void> {
    const snapshot = await this.deps.snapshots.get(group.projectId, group.environment);
    if (snapshot === undefined) for (const s of streams) s.conn.close();
    else this.#sendPut(snapshot, streams);
  }

  #sendPut(snapshot: EnvironmentSnapshot, streams: readonly SdkStream[]): void {
    const frame = putFrame(snapshot);
    for (const s of streams) {
      s.conn.send(frame);
      s.version = snapshot.version;
    }
  }

  /** The changed flags and segments as this environment sees them now (null: archived or deleted). */
  async #documents(group: Group, changes: readonly ChangeRow[]): Promise<Map<string, Json>> {
    const { store } = this.deps;
    const keys = new Map<string, ChangeRow>();
    for (const c of changes) if (c.kind !== "environment") keys.set(`${c.kind}\u0000${c.key}`, c);
    const entries = await Promise.all(
      [...keys].map(async ([k, c]): Promise<[string, Json]> => {
        if (c.kind === "flag") {
          const row = await store.getFlag(group.projectId, c.key);
          return [k, row === undefined || row.archived ? null : flagForEnvironment(row, group.environment)];
        }
        const row = await store.getSegment(group.projectId, c.key);
        return [k, row === undefined ? null : row.definition];
      }),
    );
    return new Map(entries);
  }
}

function patchFrame(
  version: number,
  changes: readonly ChangeRow[],
  documents: ReadonlyMap<string, Json>,
): string {
  const flags: { [k: string]: Json } = {};
  const segments: { [k: string]: Json } = {};
  for (const c of changes) {
    if (c.kind === "environment") continue;
    const doc = documents.get(`${c.kind}\u0000${c.key}`) ?? null;
    if (c.kind === "flag") flags[c.key] = doc;
    else segments[c.key] = doc;
  }
  return sseFrame("patch", version, JSON.stringify({ version, flags, segments }));
}
