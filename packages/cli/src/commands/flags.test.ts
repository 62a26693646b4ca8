import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { ApiClient, type Fetch, HttpError } from "../remote/client.js";
import { flagsRollout, flagsSwitch, retryOnConflict } from "./flags.js";

const conflict = () => new HttpError(409, "version_conflict", "flag 'k' is at version 5, not 4", []);
const noPause = async () => undefined;

describe("retryOnConflict", () => {
  it("retries a lost race and returns the winner's result", async () => {
    let calls = 0;
    const pauses: number[] = [];
    const result = await retryOnConflict(
      async () => {
        calls++;
        if (calls < 3) throw conflict();
        return "done";
      },
      5,
      async (ms) => pauses.push(ms),
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(pauses).toEqual([25, 50]);
  });

  it("gives up after the bounded number of attempts, saying so", async () => {
    let calls = 0;
    const p = retryOnConflict(
      async () => {
        calls++;
        throw conflict();
      },
      3,
      noPause,
    );
    await expect(p).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/gave up after 3 attempts/),
    });
    expect(calls).toBe(3);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    const p = retryOnConflict(
      async () => {
        calls++;
        throw new HttpError(409, "flag_exists", "exists", []);
      },
      5,
      noPause,
    );
    await expect(p).rejects.toMatchObject({ code: "flag_exists" });
    expect(calls).toBe(1);
  });
});

/** A server in a function: flag `k` whose version moves under the CLI's feet once. */
function racyServer() {
  let version = 4;
  let on = false;
  let raced = false;
  const writes: { ifMatch: string | undefined; body: unknown }[] = [];
  const doc = () => ({
    key: "k",
    type: "boolean",
    variants: { on: true, off: false },
    offVariant: "off",
    environments: { production: { on, default: { split: { on: 10, off: 90 } } } },
    version,
    archived: false,
    createdAt: "c",
    updatedAt: "u",
  });
  const fetch: Fetch = async (url, init) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    if ((init.method ?? "GET") === "GET") return Response.json(doc());
    writes.push({ ifMatch: headers["if-match"], body: JSON.parse(String(init.body)) });
    if (!raced) {
      raced = true;
      version++; // someone else wrote in between
      return Response.json({ error: { code: "version_conflict", message: "stale" } }, { status: 409 });
    }
    if (headers["if-match"] !== `"${version}"`)
      return Response.json({ error: { code: "version_conflict", message: "stale" } }, { status: 409 });
    version++;
    if (url.endsWith("/on")) on = true;
    return Response.json(doc());
  };
  return { fetch, writes };
}

describe("flags on/off/rollout", () => {
  let stdout: MockInstance;
  beforeEach(() => {
    stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  });
  afterEach(() => stdout.mockRestore());
  const printed = () => stdout.mock.calls.map((c) => String(c[0])).join("");

  it("re-reads and retries with the new version after a conflict", async () => {
    const server = racyServer();
    await flagsSwitch(
      { key: "k", env: "production", on: true, json: false },
      new ApiClient({ server: "http://h" }, server.fetch),
    );
    expect(server.writes).toEqual([
      { ifMatch: '"4"', body: { on: true } },
      { ifMatch: '"5"', body: { on: true } },
    ]);
    expect(printed()).toBe("k is now on in production (version 6)\n");
  });

  it("writes nothing when the environment is already in the wanted state", async () => {
    const server = racyServer();
    await flagsSwitch(
      { key: "k", env: "production", on: false, json: false },
      new ApiClient({ server: "http://h" }, server.fetch),
    );
    expect(server.writes).toEqual([]);
    expect(printed()).toBe("k is already off in production (version 4)\n");
  });

  it("sends the rollout percentage and variant", async () => {
    const server = racyServer();
    await flagsRollout(
      { key: "k", env: "production", percentage: 10, variant: "on", json: false },
      new ApiClient({ server: "http://h" }, server.fetch),
    );
    expect(server.writes.map((w) => w.body)).toEqual([
      { percentage: 10, variant: "on" },
      { percentage: 10, variant: "on" },
    ]);
    expect(printed()).toMatch(/^k in production: default on 10% \/ off 90% \(the environment is off/);
  });
});
