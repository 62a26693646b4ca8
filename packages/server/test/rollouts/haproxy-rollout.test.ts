/**
 * A canary rollout carried by real HAProxy end to end: Ramp sets the servers' addresses and weights
 * through the runtime API (no reload); the upstreams count the split, which must match each step.
 */
import { describe, expect, it } from "vitest";
import { startHaproxy } from "../../src/plugins/traffic/data-planes.shared-test.js";
import { HaproxyRuntimeApi } from "../../src/plugins/traffic/haproxy/runtime-api.js";
import { abortsOnAnalysis, useRouterRollout, walkRollout } from "./nginx-haproxy-rollouts.js";

const suite = useRouterRollout(() => startHaproxy("checkout"));

describe("a canary rollout through HAProxy", () => {
  it("splits traffic as every step says (20%, 50%), then sends everything to the promoted version", async () => {
    const { r, plane: haproxy } = suite;
    const routing = {
      haproxy: { runtimeApi: haproxy.runtimeApi, backend: "checkout", headerMap: haproxy.headerMap },
    };
    const shares = await walkRollout(r, "checkout", routing, haproxy.url, async () => undefined);
    expect(shares).toEqual([0, 20, 50, 100]);
    // HAProxy says so too: v2 serves from the stable slot at full weight, the canary slot is out.
    const state = await new HaproxyRuntimeApi(haproxy.runtimeApi).command("show servers state checkout");
    const port = new URL(r.v2.url).port;
    // Columns: srv_op_state (2: running), srv_admin_state (bit 1: maintenance forced), srv_uweight.
    expect(state).toMatch(new RegExp(`checkout \\d+ stable 127\\.0\\.0\\.1 2 [02468] 256 .* ${port} `));
    expect(state).toMatch(/checkout \d+ canary \S+ 0 [13579] /);
  }, 60_000);
});

describe("builtin analysis behind HAProxy (show stat counters)", () => {
  it("aborts a canary that fails half its requests, as HAProxy counted them; then v1 gets everything", async () => {
    const h = await startHaproxy("payments");
    try {
      await abortsOnAnalysis(
        suite.r,
        "payments",
        { haproxy: { runtimeApi: h.runtimeApi, backend: "payments" } },
        h.url,
      );
    } finally {
      await h.stop();
    }
  }, 60_000);
});
