/**
 * Keeps the flag store in step with the server: the stream's puts and patches, the file cache when the
 * server cannot be reached at start, and the provider status (READY / STALE / ERROR) that follows
 * from "do we have flags" and "is the stream up".
 */
import { GeneralError, type Logger, ProviderFatalError } from "@openfeature/server-sdk";
import type { SseMessage } from "../stream/sse-parser.js";
import { StreamClient, type StreamClientOptions, type StreamDrop } from "../stream/stream-client.js";
import type { FileCache } from "./file-cache.js";
import type { FlagStore, Installed } from "./flag-store.js";
import { parsePatch, parseSnapshot } from "./snapshot.js";

/** What the provider turns into OpenFeature events. Called only after initialization settled. */
export interface SyncListener {
  /** Connected again after being stale or in error, with flags to serve. */
  onReady(message: string): void;
  /** The stream is down; the last known flags are still served. */
  onStale(message: string): void;
  /** No flags can be had; `fatal` when retrying cannot help (the token was refused). */
  onError(message: string, fatal: boolean): void;
  /** A put or patch was applied after the first flags. */
  onConfigurationChanged(flagsChanged: string[], version: number): void;
}

export interface FlagSyncOptions
  extends Pick<
    StreamClientOptions,
    "backoff" | "clock" | "random" | "fetch" | "silenceTimeoutMs" | "openGraceMs"
  > {
  /** The server's base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly token: string;
  readonly initTimeoutMs: number;
  readonly cache: FileCache | undefined;
  readonly logger: Logger;
}

export const STREAM_PATH = "/sdk/v1/stream";

type Status = "NOT_READY" | "READY" | "STALE" | "ERROR";

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class FlagSync {
  readonly #stream: StreamClient;
  #status: Status = "NOT_READY";
  #connected = false;
  /** Set while initialize() waits; settled exactly once. */
  #init: Pending | undefined;
  #cancelInitTimer: (() => void) | undefined;
  /** The one attempt per start to serve the cache file (on the first failed connection or the timeout). */
  #cacheAttempt: Promise<void> | undefined;
  #lastDrop: string | undefined;
  /** No message has arrived on the current connection yet. */
  #freshConnection = true;

  constructor(
    private readonly store: FlagStore,
    private readonly options: FlagSyncOptions,
    private readonly listener: SyncListener,
  ) {
    this.#stream = new StreamClient(
      {
        ...options,
        url: `${options.baseUrl}${STREAM_PATH}`,
        headers: { Authorization: `Bearer ${options.token}` },
        lastEventId: () => {
          const current = store.current;
          return current?.source === "stream" ? String(current.snapshot.version) : undefined;
        },
      },
      {
        onOpen: () => this.#onOpen(),
        onMessage: (message) => this.#onMessage(message),
        onDrop: (drop) => this.#onDrop(drop),
      },
    );
  }

  /** Connects; resolves once flags are loaded (stream or cache), rejects if none come in time. */
  start(): Promise<void> {
    this.#status = "NOT_READY";
    this.#connected = false;
    this.#cacheAttempt = undefined;
    const ready = new Promise<void>((resolve, reject) => {
      this.#init = { resolve, reject };
    });
    this.#cancelInitTimer = this.options.clock.setTimer(
      () => this.#initTimedOut(),
      this.options.initTimeoutMs,
    );
    this.#stream.start();
    return ready;
  }

  async stop(): Promise<void> {
    this.#cancelInitTimer?.();
    this.#settleInit(new GeneralError("ramp: the provider was closed before flags arrived"));
    await this.#stream.stop();
    this.#connected = false;
    this.#status = "NOT_READY";
    await this.options.cache?.settled();
  }

  #onOpen(): void {
    this.#connected = true;
    this.#update();
  }

  #onMessage(message: SseMessage): void {
    const fresh = this.#freshConnection;
    this.#freshConnection = false;
    this.#handle(message, fresh);
  }

  #handle(message: SseMessage, freshConnection: boolean): void {
    if (message.event === "put") {
      const parsed = parseSnapshot(message.data);
      if (parsed.ok) this.#applied(this.store.put(parsed.value, "stream", freshConnection), "put");
      else this.options.logger.error(`ramp: ignored a put: ${parsed.message}`);
    } else if (message.event === "patch") {
      const parsed = parsePatch(message.data);
      if (!parsed.ok) this.options.logger.error(`ramp: ignored a patch: ${parsed.message}`);
      // A patch with no snapshot to apply it to: reconnect without Last-Event-ID to get a put.
      else if (this.store.current?.source !== "stream") this.#stream.reconnect();
      else this.#applied(this.store.patch(parsed.value), "patch");
    }
    // Other event names are for newer SDKs; ignoring them keeps old SDKs working.
  }

  #applied(installed: Installed, kind: string): void {
    if (!installed.applied) {
      this.options.logger.debug(`ramp: ignored a ${kind}: ${installed.reason}`);
      return;
    }
    const current = this.store.current;
    if (current === undefined) return;
    this.options.cache?.write(current.snapshot).catch((error: unknown) => {
      this.options.logger.warn(
        `ramp: could not write the flag cache ${this.options.cache?.path}: ${String(error)}`,
      );
    });
    if (!installed.first && this.#init === undefined)
      this.listener.onConfigurationChanged(installed.flagsChanged, current.snapshot.version);
    this.#update();
  }

  #onDrop(drop: StreamDrop): void {
    const wasConnected = this.#connected;
    this.#connected = false;
    this.#freshConnection = true;
    const refused = drop.status === 401 || drop.status === 403;
    if (refused && this.store.current === undefined) {
      // A refused token does not become valid by retrying; without flags there is nothing to serve.
      const message = `ramp: the server refused the SDK token (${drop.reason}); check that it is a server token of the right environment`;
      void this.#stream.stop();
      this.#cancelInitTimer?.();
      if (!this.#settleInit(new ProviderFatalError(message))) this.listener.onError(message, true);
      return;
    }
    const log = refused ? this.options.logger.error : this.options.logger.warn;
    if (wasConnected || drop.reason !== this.#lastDrop)
      log.call(
        this.options.logger,
        `ramp: flag stream ${wasConnected ? "lost" : "unavailable"}: ${drop.reason}; retrying in ${drop.retryInMs} ms`,
      );
    this.#lastDrop = drop.reason;
    if (this.#init !== undefined) this.#cacheAttempt ??= this.#fallBackToCache();
    this.#update();
  }

  #initTimedOut(): void {
    if (this.#init === undefined) return;
    this.#cacheAttempt ??= this.#fallBackToCache();
    void this.#cacheAttempt.then(() => this.#failInit());
  }

  #failInit(): void {
    if (this.#init === undefined) return;
    const why = this.#lastDrop === undefined ? "" : ` (last problem: ${this.#lastDrop})`;
    const cache =
      this.options.cache === undefined
        ? "no cacheFile configured"
        : `no usable cache in ${this.options.cache.path}`;
    this.#status = "ERROR";
    this.#settleInit(
      new GeneralError(
        `ramp: no flags from ${this.options.baseUrl} within ${this.options.initTimeoutMs} ms and ${cache}${why}; still retrying`,
      ),
    );
  }

  /** Serves the cached snapshot when initialization cannot reach the server. */
  async #fallBackToCache(): Promise<void> {
    const cache = this.options.cache;
    if (cache === undefined) return;
    const read = await cache.read();
    if (this.#init === undefined || this.store.current !== undefined) return;
    if (!read.ok) {
      if (!read.missing) this.options.logger.warn(`ramp: ignoring the flag cache: ${read.message}`);
      return;
    }
    const installed = this.store.put(read.snapshot, "cache");
    if (!installed.applied) {
      this.options.logger.warn(`ramp: ignoring the flag cache: ${installed.reason}`);
      return;
    }
    this.#status = "STALE";
    this.#settleInit();
    const message =
      `ramp: serving cached flags (version ${read.snapshot.version}, saved ${read.savedAt ?? "at an unknown time"}) ` +
      `from ${cache.path}: the server is unreachable${this.#lastDrop === undefined ? "" : ` (${this.#lastDrop})`}`;
    this.options.logger.warn(message);
    // After the SDK's own READY for the resolved initialize(), which it emits in a microtask.
    this.options.clock.setTimer(() => {
      if (this.#status === "STALE") this.listener.onStale(message);
    }, 0);
  }

  /** Moves the status to what the facts say, emitting on change (or settling initialize()). */
  #update(): void {
    const current = this.store.current;
    if (current === undefined) return;
    if (this.#init !== undefined) {
      if (this.#connected) {
        this.#status = "READY";
        this.#settleInit();
      }
      return;
    }
    const next: Status = this.#connected ? "READY" : "STALE";
    if (next === this.#status) return;
    this.#status = next;
    const version = current.snapshot.version;
    if (next === "READY")
      this.listener.onReady(`ramp: connected to ${this.options.baseUrl}; flags at version ${version}`);
    else
      this.listener.onStale(
        `ramp: flag stream down (${this.#lastDrop ?? "unknown"}); serving flags at version ${version}`,
      );
  }

  /** Resolves (no error) or rejects initialize(); false when it had already settled. */
  #settleInit(error?: Error): boolean {
    const init = this.#init;
    if (init === undefined) return false;
    this.#init = undefined;
    this.#cancelInitTimer?.();
    if (error === undefined) init.resolve();
    else {
      if (this.#status === "NOT_READY") this.#status = "ERROR";
      init.reject(error);
    }
    return true;
  }
}
