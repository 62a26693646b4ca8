import { describe, expect, it } from "vitest";
import { bannerServing, ENVIRONMENT, testFlags } from "../../test/flags.js";
import { compileFlags, FlagStore } from "./flag-store.js";

const snapshot = (version: number) => ({ environment: ENVIRONMENT, version, file: testFlags() });
const banner = (store: FlagStore) => store.evaluator?.evaluate("banner_text", {}).value;

describe("FlagStore", () => {
  it("applies newer puts and patches and ignores duplicates and older versions", () => {
    const store = new FlagStore();
    expect(store.put(snapshot(5), "stream")).toMatchObject({ applied: true, first: true });
    expect(store.put(snapshot(5), "stream")).toMatchObject({
      applied: false,
      reason: "version 5 is already held",
    });
    expect(store.put(snapshot(4), "stream")).toMatchObject({
      applied: false,
      reason: "version 4 is older than 5",
    });
    const patch = { version: 6, flags: { banner_text: bannerServing("hello") }, segments: {} };
    expect(store.patch(patch)).toEqual({ applied: true, first: false, flagsChanged: ["banner_text"] });
    expect(banner(store)).toBe("Hello");
    expect(store.patch({ ...patch, flags: { banner_text: bannerServing("welcome") } })).toMatchObject({
      applied: false,
    });
    expect(store.patch({ version: 3, flags: { banner_text: null }, segments: {} })).toMatchObject({
      applied: false,
    });
    expect(banner(store)).toBe("Hello");
    expect(store.current?.snapshot.version).toBe(6);
  });

  it("goes back to an older version only when the server says so (a new connection's put)", () => {
    const store = new FlagStore();
    store.put(snapshot(5), "stream");
    expect(store.put(snapshot(5), "stream", true)).toMatchObject({ applied: false });
    expect(store.put(snapshot(2), "stream", true)).toMatchObject({ applied: true, flagsChanged: [] });
    expect(store.current?.snapshot.version).toBe(2);
  });

  it("lets any put from the stream replace flags from the cache", () => {
    const store = new FlagStore();
    store.put(snapshot(9), "cache");
    expect(store.put(snapshot(2), "stream")).toMatchObject({ applied: true, first: false, flagsChanged: [] });
    expect(store.current?.source).toBe("stream");
  });

  it("refuses a patch before any snapshot", () => {
    expect(new FlagStore().patch({ version: 1, flags: {}, segments: {} })).toMatchObject({ applied: false });
  });

  it("serves a broken flag as PARSE_ERROR and the others normally (lenient payloads)", () => {
    const store = new FlagStore();
    store.put(snapshot(1), "stream");
    const broken = { ...bannerServing("nope"), key: "banner_text" };
    store.patch({ version: 2, flags: { banner_text: broken }, segments: {} });
    expect(store.evaluator?.evaluate("banner_text", {})).toMatchObject({
      reason: "ERROR",
      errorCode: "PARSE_ERROR",
    });
    expect(store.evaluator?.evaluate("max_items", {}).value).toBe(50);
  });

  it("compiles a file strictly, naming the environment problem", () => {
    expect(compileFlags(testFlags(), "staging", false)).toEqual({
      ok: false,
      message: "the flag file has no environment 'staging' (it has: production)",
    });
    const bad = compileFlags(
      { flags: { x: { type: "boolean", environments: { production: { on: "yes" } } } } },
      undefined,
      false,
    );
    expect(bad.ok === false && bad.message).toContain("flags.x.environments.production.on");
  });
});
