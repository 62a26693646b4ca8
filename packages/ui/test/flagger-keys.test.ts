/**
 * The dashboard keeps its own copy of the keys that make `spec.analysis` Flagger-shaped (it reaches the
 * server only over HTTP); this holds the copy equal to the server's list, so a new key fails here.
 */
import { describe, expect, it } from "vitest";
import { FLAGGER_ANALYSIS_KEYS } from "../../server/src/rollouts/flagger-spec.js";
import { FLAGGER_KEYS } from "../src/pages/rollout/flagger-plan.js";

describe("the dashboard's Flagger analysis keys", () => {
  it("are the server's FLAGGER_ANALYSIS_KEYS", () => {
    expect([...FLAGGER_KEYS].sort()).toEqual([...FLAGGER_ANALYSIS_KEYS].sort());
  });
});
