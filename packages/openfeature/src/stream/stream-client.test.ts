import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FakeSdkServer, type FakeServerOptions } from "../../test/fake-sdk-server.js";
import { ENVIRONMENT, testFlags } from "../../test/flags.js";
import { ManualClock, settle } from "../../test/manual-clock.js";
import { waitFor } from "../../test/wait.js";
import { backoffCeiling } from "./backoff.js";
import { systemClock } from "./clock.js";
import type { SseMessage } from "./sse-parser.js";
import {
  StreamClient,
  type StreamClientOptions,
  type StreamDrop,
  type StreamHandlers,
} from "./stream-client.js";

const TOKEN = "ramp_server_test";
const backoff = { initialDelayMs: 100, maxDelayMs: 2_000 };

function recorder() {
  const log = { opens: 0, messages: [] as SseMessage[], drops: [] as StreamDrop[] };
  return {
    log,
    handlers: {
      onOpen: () => {
        log.opens++;
      },
      onMessage: (m: SseMessage) => log.messages.push(m),
      onDrop: (d: StreamDrop) => log.drops.push(d),
    },
  };
}

const servers: FakeSdkServer[] = [];
const clients: StreamClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.stop();
  for (const server of servers.splice(0)) await server.stop();
});

/** A fake SDK server serving the test flags, stopped after the test. */
async function startServer(options: Partial<FakeServerOptions> = {}): Promise<FakeSdkServer> {
  const server = await new FakeSdkServer({
    token: TOKEN,
    environment: ENVIRONMENT,
    file: testFlags(),
    ...options,
  }).start();
  servers.push(server);
  return server;
}

/** A started client on the real clock and fetch, stopped after the test; `options` override the defaults. */
function startClient(
  options: Partial<StreamClientOptions> & Pick<StreamClientOptions, "url">,
  handlers: StreamHandlers,
): StreamClient {
  const client = new StreamClient(
    {
      headers: { Authorization: `Bearer ${TOKEN}` },
      lastEventId: () => undefined,
      silenceTimeoutMs: 1_000,
      openGraceMs: 20,
      backoff: { initialDelayMs: 1_000, maxDelayMs: 1_000 },
      clock: systemClock,
      random: () => 0.5,
      fetch,
      ...options,
    },
    handlers,
  );
  clients.push(client);
  client.start();
  return client;
}

describe("StreamClient reconnection", () => {
  it("waits longer after each failure, with jitter, never past the cap", async () => {
    const clock = new ManualClock();
    // A seeded sequence of draws: the delays must sit in [0, ceiling) of their attempt.
    const draws = [0.99, 0.5, 0.9999, 0.1, 0.9999, 0.9999, 0.7, 0.9999, 0.9999, 0.3];
    let next = 0;
    const { log, handlers } = recorder();
    const options: StreamClientOptions = {
      url: "http://127.0.0.1:9/sdk/v1/stream",
      headers: {},
      lastEventId: () => undefined,
      silenceTimeoutMs: 30_000,
      openGraceMs: 250,
      backoff,
      clock,
      random: () => draws[next++ % draws.length] ?? 0,
      fetch: () =>
        Promise.reject(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") })),
    };
    const client = new StreamClient(options, handlers);
    clients.push(client);
    client.start();
    await settle();
    for (let i = 0; i < draws.length - 1; i++) await clock.fireNext();
    const delays = log.drops.map((d) => d.retryInMs);
    expect(delays).toHaveLength(draws.length);
    delays.forEach((delay, attempt) => {
      expect(delay).toBe(Math.floor((draws[attempt] ?? 0) * backoffCeiling(attempt, backoff)));
      expect(delay).toBeLessThan(backoffCeiling(attempt, backoff));
      expect(delay).toBeLessThanOrEqual(backoff.maxDelayMs);
    });
    // With the largest draws the growth shows: 99, …, 799, 1599, then capped at 1999.
    const top = delays.filter((_, attempt) => (draws[attempt] ?? 0) >= 0.9999);
    expect(top).toEqual([399, 1_599, 1_999, 1_999, 1_999]);
    expect(log.drops[0]?.reason).toBe("connect ECONNREFUSED");
  });

  it("resumes with Last-Event-ID, and the server sends nothing when the client is current", async () => {
    const server = await startServer({ version: 3 });
    let held: string | undefined;
    const { log, handlers } = recorder();
    const client = startClient(
      {
        url: `${server.url}/sdk/v1/stream`,
        lastEventId: () => held,
        silenceTimeoutMs: 5_000,
        openGraceMs: 50,
        backoff: { initialDelayMs: 10, maxDelayMs: 20 },
      },
      {
        ...handlers,
        onMessage: (m) => {
          handlers.onMessage(m);
          held = m.id;
        },
      },
    );
    await waitFor("the put", () => log.messages.length === 1 && log.opens === 1);
    expect(log.messages[0]).toMatchObject({ event: "put", id: "3" });
    client.reconnect();
    await waitFor("the second stream request", () => server.streamRequests.length === 2 && log.opens === 2);
    expect(server.streamRequests.map((r) => r.lastEventId)).toEqual([undefined, "3"]);
    expect(log.messages).toHaveLength(1);
  });

  it("treats a connection with no bytes for the silence limit as dead and reconnects", async () => {
    const server = await startServer();
    const { log, handlers } = recorder();
    startClient(
      {
        url: `${server.url}/sdk/v1/stream`,
        silenceTimeoutMs: 150,
        backoff: { initialDelayMs: 10, maxDelayMs: 20 },
      },
      handlers,
    );
    await waitFor("a silence drop", () => log.drops.find((d) => d.reason.includes("heartbeats stopped")));
    expect(log.drops[0]).toMatchObject({ wasOpen: true, reason: "no data for 150 ms (heartbeats stopped)" });
    await waitFor("a reconnection", () => server.streamRequests.length >= 2);
  });

  it("reports an HTTP error with the server's message and its status", async () => {
    const server = await startServer({ token: "another" });
    const { log, handlers } = recorder();
    startClient({ url: `${server.url}/sdk/v1/stream` }, handlers);
    const drop = await waitFor("a drop", () => log.drops[0]);
    expect(drop).toMatchObject({ status: 401, wasOpen: false, reason: "HTTP 401: unknown or revoked token" });
  });

  it("does not take a 200 of another content type (a proxy's page) for an open stream", async () => {
    const page = createServer((_req, res) =>
      res.writeHead(200, { "Content-Type": "text/html" }).end("<h1>Login</h1>"),
    );
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    try {
      const { log, handlers } = recorder();
      const client = startClient(
        { url: `http://127.0.0.1:${(page.address() as AddressInfo).port}/sdk/v1/stream`, headers: {} },
        handlers,
      );
      const drop = await waitFor("a drop", () => log.drops[0]);
      expect(drop).toMatchObject({ wasOpen: false, reason: "expected text/event-stream, got 'text/html'" });
      expect(log.opens).toBe(0);
      await client.stop();
    } finally {
      page.closeAllConnections();
      await new Promise((resolve) => page.close(resolve));
    }
  });
});
