/**
 * The official OFREP web provider (@openfeature/ofrep-web-provider with @openfeature/web-sdk) against a
 * real listening server: it evaluates, then sees a write through its change detection — the event
 * stream the bulk response advertises, or polling with ETag / 304.
 */
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { OpenFeature } from "@openfeature/web-sdk";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, until } from "../../../test/http-harness.js";

const flag = (on: boolean) => ({
  key: "new_checkout",
  type: "boolean",
  variants: { on: true, off: false },
  offVariant: "off",
  environments: {
    production: { on, rules: [{ if: 'plan == "enterprise"', variant: "on" }], default: "off" },
    staging: { on: false },
  },
});

let h: Harness;
const globals = globalThis as { EventSource?: unknown };
const hadEventSource = "EventSource" in globals;

beforeAll(async () => {
  // What a browser provides; Node 20 has no EventSource of its own.
  if (!hadEventSource) globals.EventSource = EventSource;
  h = await startHarness({ listen: true });
  await h.putFlag(flag(true));
});

afterAll(async () => {
  await OpenFeature.close();
  await h.close();
  if (!hadEventSource) delete globals.EventSource;
});

const openStreams = async () => {
  const text = await h.deps.metrics.registry.getSingleMetricAsString("ramp_stream_connections");
  return Number(/kind="ofrep"\} (\d+)/.exec(text)?.[1] ?? 0);
};

describe("@openfeature/ofrep-web-provider against Ramp", () => {
  it("evaluates, connects to the advertised event stream, and sees a write without polling", async () => {
    const provider = new OFREPWebProvider({
      baseUrl: h.url,
      headers: [["Authorization", `Bearer ${h.tokens.client}`]],
      cacheMode: "disabled",
    });
    await OpenFeature.setContext("sse", { targetingKey: "user-1", plan: "enterprise" });
    await OpenFeature.setProviderAndWait("sse", provider);
    const client = OpenFeature.getClient("sse");
    expect(client.getBooleanDetails("new_checkout", false)).toMatchObject({
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
    });
    expect(client.getStringDetails("missing", "dflt")).toMatchObject({
      value: "dflt",
      errorCode: "FLAG_NOT_FOUND",
    });
    await until(async () => ((await openStreams()) >= 1 ? true : undefined), "the provider's event stream");

    await h.putFlag(flag(false));
    await until(
      () => (client.getBooleanValue("new_checkout", true) === false ? true : undefined),
      "the change to arrive",
    );
    expect(client.getBooleanDetails("new_checkout", true)).toMatchObject({
      value: false,
      reason: "DISABLED",
    });

    await OpenFeature.clearProviders();
    await until(async () => ((await openStreams()) === 0 ? true : undefined), "the stream to close");
    await h.putFlag(flag(true));
  });

  it("polls with If-None-Match when told to ignore event streams, and sees the write", async () => {
    const provider = new OFREPWebProvider({
      baseUrl: h.url,
      headers: [["Authorization", `Bearer ${h.tokens.client}`]],
      cacheMode: "disabled",
      changeDetection: "polling",
      pollInterval: 50,
    });
    await OpenFeature.setContext("poll", { targetingKey: "user-2", plan: "enterprise" });
    await OpenFeature.setProviderAndWait("poll", provider);
    const client = OpenFeature.getClient("poll");
    expect(client.getBooleanValue("new_checkout", false)).toBe(true);
    expect(await openStreams()).toBe(0);

    await h.putFlag(flag(false));
    await until(
      () => (client.getBooleanValue("new_checkout", true) === false ? true : undefined),
      "the poll to see the change",
    );
    await OpenFeature.clearProviders();
  });
});
