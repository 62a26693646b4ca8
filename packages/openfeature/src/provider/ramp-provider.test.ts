/** RampProvider through the OpenFeature server SDK, against a fake server speaking the SDK sync protocol. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Client,
  ErrorCode,
  type Logger,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
} from "@openfeature/server-sdk";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeSdkServer } from "../../test/fake-sdk-server.js";
import { bannerServing, ENVIRONMENT, testFlags } from "../../test/flags.js";
import { EventLog, waitFor } from "../../test/wait.js";
import type { RampServerOptions } from "./options.js";
import { RampProvider } from "./ramp-provider.js";

const TOKEN = "ramp_server_0123456789";
const ALL_EVENTS = [
  ProviderEvents.Ready,
  ProviderEvents.Stale,
  ProviderEvents.Error,
  ProviderEvents.ConfigurationChanged,
];

/** Collects log lines instead of printing them. */
class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  error = (...args: unknown[]) => this.lines.push(`error ${args.join(" ")}`);
  warn = (...args: unknown[]) => this.lines.push(`warn ${args.join(" ")}`);
  info = (...args: unknown[]) => this.lines.push(`info ${args.join(" ")}`);
  debug = (): void => {};
}

const servers: FakeSdkServer[] = [];
let domainSeq = 0;

beforeAll(() => {
  OpenFeature.setLogger(new MemoryLogger());
});

afterEach(async () => {
  await OpenFeature.clearProviders();
  for (const server of servers.splice(0)) await server.stop();
});

async function fakeServer(version = 1): Promise<FakeSdkServer> {
  const server = new FakeSdkServer({
    token: TOKEN,
    environment: ENVIRONMENT,
    file: testFlags(),
    version,
    heartbeatMs: 500,
  });
  servers.push(server);
  return server.start();
}

function providerFor(server: FakeSdkServer, options: Partial<RampServerOptions> = {}): RampProvider {
  return new RampProvider({
    url: server.url,
    token: TOKEN,
    initTimeoutMs: 3_000,
    heartbeatIntervalMs: 2_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    flushIntervalMs: 100,
    logger: new MemoryLogger(),
    ...options,
  });
}

/** Registers the provider under a fresh domain, so tests never share the SDK's state. */
async function connect(provider: RampProvider): Promise<{ client: Client; events: EventLog }> {
  const domain = `ramp-test-${++domainSeq}`;
  const events = new EventLog(provider.events, ALL_EVENTS);
  await OpenFeature.setProviderAndWait(domain, provider);
  return { client: OpenFeature.getClient(domain), events };
}

describe("RampProvider with a server", () => {
  it("is ready after the first put and resolves every value type with variant, reason and metadata", async () => {
    const server = await fakeServer(7);
    const { client } = await connect(providerFor(server));
    expect(client.providerStatus).toBe(ProviderStatus.READY);

    expect(await client.getBooleanDetails("new_checkout", false, { targetingKey: "beta-1" })).toMatchObject({
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
      flagMetadata: { owner: "payments-team" },
    });
    expect(
      await client.getBooleanValue("new_checkout", false, { targetingKey: "u1", plan: "enterprise" }),
    ).toBe(true);
    expect(await client.getBooleanDetails("new_checkout", true, { targetingKey: "u1" })).toMatchObject({
      value: false,
      variant: "off",
      reason: "STATIC",
    });
    expect(await client.getStringValue("banner_text", "x")).toBe("Welcome");
    expect(await client.getNumberValue("max_items", 0)).toBe(50);
    expect(await client.getObjectValue("theme", {})).toEqual({ color: "black", contrast: 2 });
    expect(await client.getStringDetails("split_test", "x", { targetingKey: "u1" })).toMatchObject({
      reason: "SPLIT",
    });
  });

  it("answers TYPE_MISMATCH, FLAG_NOT_FOUND and TARGETING_KEY_MISSING with the caller's default, never throwing", async () => {
    const { client } = await connect(providerFor(await fakeServer()));
    expect(await client.getNumberDetails("banner_text", 7)).toMatchObject({
      value: 7,
      reason: "ERROR",
      errorCode: ErrorCode.TYPE_MISMATCH,
      errorMessage: "flag 'banner_text' is of type string, not number",
    });
    expect(await client.getObjectDetails("new_checkout", { fallback: true })).toMatchObject({
      value: { fallback: true },
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
    expect(await client.getBooleanDetails("no_such_flag", true)).toMatchObject({
      value: true,
      reason: "ERROR",
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });
    expect(await client.getStringDetails("split_test", "dflt", {})).toMatchObject({
      value: "dflt",
      errorCode: ErrorCode.TARGETING_KEY_MISSING,
    });
  });

  it("applies a patch: CONFIGURATION_CHANGED names the flag, and the new value is served", async () => {
    const server = await fakeServer();
    const { client, events } = await connect(providerFor(server));
    server.patch({ flags: { banner_text: bannerServing("hello") } });
    const change = await events.next(ProviderEvents.ConfigurationChanged, 0);
    expect(change).toMatchObject({ flagsChanged: ["banner_text"], metadata: { version: 2 } });
    expect(await client.getStringValue("banner_text", "x")).toBe("Hello");

    // A duplicate and an older version are ignored: no event, no change.
    server.send(
      `event: patch\nid: 2\ndata: ${JSON.stringify({ version: 2, flags: { banner_text: bannerServing("welcome") } })}\n\n`,
    );
    server.send(
      `event: patch\nid: 1\ndata: ${JSON.stringify({ version: 1, flags: { max_items: null } })}\n\n`,
    );
    server.patch({ flags: { max_items: null } }, 3);
    await events.next(ProviderEvents.ConfigurationChanged, 1);
    expect(events.count(ProviderEvents.ConfigurationChanged)).toBe(2);
    expect(await client.getStringValue("banner_text", "x")).toBe("Hello");
    expect(await client.getNumberDetails("max_items", 1)).toMatchObject({
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });
  });

  it("goes STALE when the server goes away, serving the last known values with zero errors, then READY and converged within 5 s", async () => {
    const server = await fakeServer();
    const provider = providerFor(server);
    const { client, events } = await connect(provider);

    let evaluations = 0;
    const problems: string[] = [];
    const served = new Set<unknown>();
    let running = true;
    const loop = (async () => {
      while (running) {
        const details = await client.getStringDetails("banner_text", "default", { targetingKey: "u1" });
        evaluations++;
        if (details.errorCode !== undefined)
          problems.push(`error ${details.errorCode}: ${details.errorMessage}`);
        else served.add(details.value);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    await server.stop();
    await events.next(ProviderEvents.Stale, 0);
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    const during = evaluations;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(evaluations).toBeGreaterThan(during);
    expect(await client.getStringValue("banner_text", "default")).toBe("Welcome");

    // Changed while the SDK was away; it must catch up on reconnection.
    const changed = testFlags();
    changed.flags.banner_text = {
      type: "string",
      variants: { hello: "Hello" },
      offVariant: "hello",
      environments: { production: { on: true, default: "hello" } },
    };
    server.replace(changed);
    const back = Date.now();
    await server.start();
    await events.next(ProviderEvents.Ready, 0);
    await waitFor(
      "the new value",
      async () => (await client.getStringValue("banner_text", "x")) === "Hello",
      5_000,
    );
    expect(Date.now() - back).toBeLessThan(5_000);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    running = false;
    await loop;
    expect(problems).toEqual([]);
    expect([...served].sort()).toEqual(["Hello", "Welcome"]);
    expect(events.types()).toEqual([
      ProviderEvents.Stale,
      ProviderEvents.ConfigurationChanged,
      ProviderEvents.Ready,
    ]);
    expect(server.streamRequests.at(-1)?.lastEventId).toBe("1");
  });

  it("follows the server back to an older version after a restore, but not a replayed patch", async () => {
    const server = await fakeServer(9);
    const { client, events } = await connect(providerFor(server));
    server.send(
      `event: patch\nid: 8\ndata: ${JSON.stringify({ version: 8, flags: { banner_text: bannerServing("hello") } })}\n\n`,
    );
    await server.stop();
    await events.next(ProviderEvents.Stale, 0);
    const restored = testFlags();
    restored.flags.max_items = {
      type: "number",
      variants: { low: 10, high: 50 },
      offVariant: "low",
      environments: { production: { on: false } },
    };
    server.replace(restored, 3);
    await server.start();
    await events.next(ProviderEvents.Ready, 0);
    expect(events.entries.find((e) => e.type === ProviderEvents.ConfigurationChanged)?.details).toMatchObject(
      {
        flagsChanged: ["max_items"],
        metadata: { version: 3 },
      },
    );
    expect(await client.getNumberValue("max_items", 0)).toBe(10);
    expect(await client.getStringValue("banner_text", "x")).toBe("Welcome");
  });

  it("reconnects when the heartbeats stop (a hung connection), STALE meanwhile", async () => {
    const server = await fakeServer();
    const { events } = await connect(providerFor(server, { heartbeatIntervalMs: 100 }));
    server.silent = true;
    await events.next(ProviderEvents.Stale, 0);
    server.silent = false;
    const heartbeat = setInterval(() => server.ping(), 50);
    try {
      await events.next(ProviderEvents.Ready, 0);
    } finally {
      clearInterval(heartbeat);
    }
    expect(server.streamRequests.length).toBeGreaterThanOrEqual(2);
  });

  it("starts from the cache file when the server is down (STALE), and catches up when it returns", async () => {
    const cacheFile = join(await mkdtemp(join(tmpdir(), "ramp-of-")), "flags.json");
    const server = await fakeServer(4);
    const first = providerFor(server, { cacheFile });
    await connect(first);
    server.patch({ flags: { banner_text: bannerServing("hello") } });
    await waitFor("the cache file", async () => {
      const { FileCache } = await import("../sync/file-cache.js");
      const read = await new FileCache(cacheFile).read();
      return read.ok && read.snapshot.version === 5;
    });
    await OpenFeature.clearProviders();
    await server.stop();

    const second = providerFor(server, { cacheFile, initTimeoutMs: 10_000 });
    const started = Date.now();
    const { client, events } = await connect(second);
    expect(Date.now() - started).toBeLessThan(2_000);
    await events.next(ProviderEvents.Stale, 0);
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    expect(await client.getStringDetails("banner_text", "x")).toMatchObject({
      value: "Hello",
      variant: "hello",
    });
    expect(second.flags).toMatchObject({ source: "cache", version: 5 });

    server.patch({ flags: { banner_text: bannerServing("welcome") } });
    await server.start();
    await events.next(ProviderEvents.Ready, 0);
    expect(await client.getStringValue("banner_text", "x")).toBe("Welcome");
    expect(second.flags).toMatchObject({ source: "stream", version: 6 });
    // The cache copy is never sent as a resume point: the server owes a full put.
    expect(server.streamRequests.at(-1)?.lastEventId).toBeUndefined();
  });

  it("fails initialization (PROVIDER_ERROR) with no server and no cache, then recovers to READY", async () => {
    const server = await fakeServer();
    await server.stop();
    const provider = providerFor(server, { initTimeoutMs: 300 });
    const events = new EventLog(provider.events, ALL_EVENTS);
    const domain = `ramp-test-${++domainSeq}`;
    const errors: unknown[] = [];
    OpenFeature.getClient(domain).addHandler(ProviderEvents.Error, (details) =>
      errors.push(details?.message),
    );
    await expect(OpenFeature.setProviderAndWait(domain, provider)).rejects.toThrow(
      /no flags from .* within 300 ms/,
    );
    const client = OpenFeature.getClient(domain);
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(errors).toHaveLength(1);
    expect(await client.getBooleanDetails("new_checkout", true)).toMatchObject({
      value: true,
      errorCode: ErrorCode.PROVIDER_NOT_READY,
    });

    await server.start();
    await events.next(ProviderEvents.Ready, 0);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(await client.getStringValue("banner_text", "x")).toBe("Welcome");
  });

  it("fails fast and fatally when the token is refused", async () => {
    const server = await fakeServer();
    const provider = new RampProvider({
      url: server.url,
      token: "ramp_server_wrong",
      logger: new MemoryLogger(),
    });
    const domain = `ramp-test-${++domainSeq}`;
    const started = Date.now();
    await expect(OpenFeature.setProviderAndWait(domain, provider)).rejects.toThrow(
      /refused the SDK token \(HTTP 401/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(OpenFeature.getClient(domain).providerStatus).toBe(ProviderStatus.FATAL);
    expect(server.streamRequests).toHaveLength(1);
  });

  it("sends evaluation counts per flag and variant, and tracked events, in batches", async () => {
    const server = await fakeServer();
    const provider = providerFor(server, { flushIntervalMs: 150, eventBatchSize: 50 });
    const { client } = await connect(provider);
    for (let i = 0; i < 30; i++)
      await client.getBooleanValue("new_checkout", false, { targetingKey: `u${i}` });
    await client.getBooleanValue("new_checkout", false, { targetingKey: "beta-1" });
    await client.getBooleanValue("missing", false);
    provider.engineClient().number("max_items", {}, 0);
    client.track("checkout_completed", { targetingKey: "u1" }, { value: 42.5, currency: "EUR" });
    client.track("page_view", { targetingKey: "u2" });

    const counts = await waitFor("the metrics", () => {
      const all = server.metrics.flatMap(
        (body) => (body as { evaluations: { flag: string; variant: string; count: number }[] }).evaluations,
      );
      const sum = new Map<string, number>();
      for (const e of all)
        sum.set(`${e.flag}/${e.variant}`, (sum.get(`${e.flag}/${e.variant}`) ?? 0) + e.count);
      return sum.get("new_checkout/off") === 30 ? sum : undefined;
    });
    expect(Object.fromEntries(counts)).toEqual({
      "new_checkout/off": 30,
      "new_checkout/on": 1,
      "max_items/high": 1,
    });
    const events = await waitFor("the events", () => (server.events.length > 0 ? server.events : undefined));
    expect(events).toEqual([
      {
        events: [
          {
            name: "checkout_completed",
            targetingKey: "u1",
            value: 42.5,
            attributes: { currency: "EUR" },
            at: expect.any(String),
          },
          { name: "page_view", targetingKey: "u2", at: expect.any(String) },
        ],
      },
    ]);
  });

  it("sends a full batch of events at once, and what is left when closed", async () => {
    const server = await fakeServer();
    const provider = providerFor(server, { flushIntervalMs: 60_000, eventBatchSize: 3 });
    await connect(provider);
    for (let i = 0; i < 3; i++) provider.track(`e${i}`, { targetingKey: "u" });
    await waitFor("the full batch", () => server.events.length === 1);
    provider.track("e3", { targetingKey: "u" });
    await provider.onClose();
    expect(server.events).toHaveLength(2);
    const names = server.events.flatMap((b) =>
      (b as { events: { name: string }[] }).events.map((e) => e.name),
    );
    expect(names).toEqual(["e0", "e1", "e2", "e3"]);
  });
});

describe("RampProvider options", () => {
  it("rejects unusable options by name", () => {
    expect(() => new RampProvider({ url: "", token: "t" })).toThrow("`url` is required");
    expect(() => new RampProvider({ url: "ftp://x", token: "t" })).toThrow("must be http(s)");
    expect(() => new RampProvider({ url: "http://x", token: " " })).toThrow("`token` is required");
    expect(() => new RampProvider({ url: "http://x", token: "t", initTimeoutMs: -1 })).toThrow(
      "`initTimeoutMs`",
    );
    expect(
      () =>
        new RampProvider({
          url: "http://x",
          token: "t",
          reconnect: { initialDelayMs: 5_000, maxDelayMs: 10 },
        }),
    ).toThrow("`reconnect.maxDelayMs`");
  });
});
