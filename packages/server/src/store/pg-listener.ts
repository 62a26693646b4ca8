/**
 * PostgreSQL's side of onChange: one dedicated LISTEN connection (not from the pool, which would recycle
 * it) that reconnects with backoff when lost and then asks listeners to resync, since NOTIFYs sent while
 * it was away are gone.
 */
import type { Client, ClientConfig } from "pg";
import type { StoreErrorHandler } from "./change-hub.js";

export interface ReconnectOptions {
  /** First delay after a lost connection; doubles per failed attempt. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Cap of the delay. Default 10 s. */
  readonly maxDelayMs?: number;
}

export interface PgListenerOptions {
  readonly channel: string;
  readonly createClient: (config: ClientConfig) => Client;
  readonly connectionString: string;
  readonly onNotification: (payload: string) => void;
  /** Called once the connection is back after a loss. */
  readonly onReconnect: () => void;
  readonly onError: StoreErrorHandler;
  readonly reconnect?: ReconnectOptions;
}

/** Shows in pg_stat_activity, so operators (and tests) can tell the LISTEN connection apart. */
export const LISTEN_APPLICATION_NAME = "ramp-listen";

export class PgListener {
  readonly #options: PgListenerOptions;
  readonly #initialDelay: number;
  readonly #maxDelay: number;
  #client: Client | undefined;
  /** Clients whose connection has ended, possibly before they became #client. */
  readonly #ended = new WeakSet<Client>();
  #delay: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: PgListenerOptions) {
    this.#options = options;
    this.#initialDelay = options.reconnect?.initialDelayMs ?? 100;
    this.#maxDelay = options.reconnect?.maxDelayMs ?? 10_000;
    this.#delay = this.#initialDelay;
  }

  /** Connects and LISTENs; rejects when the first connection fails (the store does not open). */
  async start(): Promise<void> {
    this.#adopt(await this.#connect());
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined && !this.#ended.has(client)) await client.end();
  }

  async #connect(): Promise<Client> {
    const { channel, onNotification } = this.#options;
    const client = this.#options.createClient({
      connectionString: this.#options.connectionString,
      application_name: LISTEN_APPLICATION_NAME,
      keepAlive: true,
    });
    client.on("notification", (message) => {
      if (message.channel === channel && message.payload !== undefined) onNotification(message.payload);
    });
    client.on("error", (error) => this.#lost(client, error));
    client.on("end", () => {
      this.#ended.add(client);
      this.#lost(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      if (!this.#ended.has(client)) await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  #adopt(client: Client): void {
    this.#client = client;
    // Lost between LISTEN and now: its "end" was ignored, so handle it here.
    if (this.#ended.has(client)) this.#lost(client);
  }

  #lost(client: Client, error?: Error): void {
    if (client !== this.#client || this.#closed) return;
    this.#client = undefined;
    this.#options.onError(error ?? new Error("connection ended"), "LISTEN connection lost, reconnecting");
    if (!this.#ended.has(client)) client.end().catch(() => undefined);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    const delay = this.#delay;
    this.#delay = Math.min(delay * 2, this.#maxDelay);
    this.#timer = setTimeout(() => void this.#reconnect(), delay);
  }

  async #reconnect(): Promise<void> {
    this.#timer = undefined;
    let client: Client;
    try {
      client = await this.#connect();
    } catch (error) {
      this.#options.onError(error, "LISTEN reconnect failed");
      this.#schedule();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#delay = this.#initialDelay;
    this.#adopt(client);
    if (this.#client === client) this.#options.onReconnect();
  }
}
