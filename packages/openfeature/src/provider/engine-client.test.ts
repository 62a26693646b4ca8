import { ErrorCode } from "@openfeature/server-sdk";
import { describe, expect, it } from "vitest";
import { bannerServing, ENVIRONMENT, testFlags } from "../../test/flags.js";
import { EvaluationCounter } from "../reporting/evaluation-counter.js";
import { FlagStore } from "../sync/flag-store.js";
import { EngineClient } from "./engine-client.js";

function loaded(): { store: FlagStore; counter: EvaluationCounter; client: EngineClient } {
  const store = new FlagStore();
  store.put({ environment: ENVIRONMENT, version: 1, file: testFlags() }, "stream");
  const counter = new EvaluationCounter();
  return { store, counter, client: new EngineClient(store, counter) };
}

describe("EngineClient (the synchronous fast path)", () => {
  it("returns each type's value, and the default on any error", () => {
    const { client } = loaded();
    expect(client.boolean("new_checkout", { targetingKey: "beta-1" }, false)).toBe(true);
    expect(client.boolean("new_checkout", { targetingKey: "u1" }, true)).toBe(false);
    expect(client.string("banner_text", {}, "x")).toBe("Welcome");
    expect(client.number("max_items", {}, 0)).toBe(50);
    expect(client.object("theme", {}, {})).toEqual({ color: "black", contrast: 2 });
    expect(client.boolean("banner_text", {}, true)).toBe(true);
    expect(client.string("no_such_flag", {}, "fallback")).toBe("fallback");
    expect(client.string("split_test", {}, "no key")).toBe("no key");
  });

  it("gives the provider's details, errors included", () => {
    const { client } = loaded();
    expect(client.details("split_test", { targetingKey: "u1" }, "x", "string")).toMatchObject({
      reason: "SPLIT",
    });
    expect(client.details("max_items", {}, "x", "string")).toMatchObject({
      value: "x",
      reason: "ERROR",
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
  });

  it("always reads the current flags", () => {
    const { store, client } = loaded();
    store.patch({ version: 2, flags: { banner_text: bannerServing("hello") }, segments: {} });
    expect(client.string("banner_text", {}, "x")).toBe("Hello");
  });

  it("answers defaults before any flags, and counts successful evaluations per variant", () => {
    expect(new EngineClient(new FlagStore(), undefined).boolean("new_checkout", {}, true)).toBe(true);
    const { client, counter } = loaded();
    client.boolean("new_checkout", { targetingKey: "beta-1" }, false);
    client.boolean("new_checkout", { targetingKey: "u1" }, false);
    client.boolean("new_checkout", { targetingKey: "u2" }, false);
    client.number("banner_text", {}, 0);
    expect(counter.take()).toEqual([
      { flag: "new_checkout", variant: "on", count: 1 },
      { flag: "new_checkout", variant: "off", count: 2 },
    ]);
  });
});
