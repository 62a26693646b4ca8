/**
 * Smoke test of the OFREP benchmark: its setup (a real PostgreSQL cluster and Ramp's server in a child
 * process, seeded over HTTP) and its correctness check, for Ramp alone — unleash-server is left out to
 * keep CI fast. No timing is asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Teardown } from "../lib/teardown.js";
import { QUICK } from "./options.js";
import { type Setup, setUp, verify } from "./setup.js";

describe("bench:ofrep quick setup and correctness check (Ramp only)", () => {
  const teardown = new Teardown();
  let setup: Setup | undefined;

  // The Ramp server's process runs the compiled bench/dist/ofrep/ramp-server.js: like everything that
  // imports @ramp/server, this needs `tsc -b` first (npm test runs it).
  beforeAll(async () => {
    setup = await setUp({ ...QUICK, unleash: false }, teardown);
  }, 60_000);

  afterAll(() => teardown.run(), 30_000);

  it("both Ramp targets answer as the flag's rules and Ramp's buckets say", async () => {
    if (setup === undefined) throw new Error("setUp() did not run");
    expect(setup.targets.map((target) => target.name)).toEqual(["ramp single", "ramp bulk"]);
    expect(new Set(setup.checks.map((check) => check.decider))).toEqual(
      new Set(["target", "plan", "country", "rollout"]),
    );
    expect(setup.checks.some((check) => !check.expected.ramp)).toBe(true);
    expect(await verify(setup)).toEqual([]);
  });
});
