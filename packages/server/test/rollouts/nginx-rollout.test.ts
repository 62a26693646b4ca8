/**
 * A canary rollout carried by real nginx end to end: Ramp rewrites the included file and reloads
 * nginx at every step; the upstreams count the split, which must match each step's weight.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generationIn, nginxServes, startNginx } from "../../src/plugins/traffic/data-planes.shared-test.js";
import { abortsOnAnalysis, useRouterRollout, walkRollout } from "./nginx-haproxy-rollouts.js";

const suite = useRouterRollout(() => startNginx("checkout"));

describe("a canary rollout through nginx", () => {
  it("splits traffic as every step says (20%, 50%), then sends everything to the promoted version", async () => {
    const { r, plane: nginx } = suite;
    const routing = {
      nginx: {
        stableIngress: "checkout-stable",
        configFile: nginx.configFile,
        upstream: "checkout",
        reload: nginx.reload,
        test: nginx.test,
      },
    };
    const shares = await walkRollout(r, "checkout", routing, nginx.url, () =>
      nginxServes(nginx, generationIn(nginx.configFile)),
    );
    expect(shares).toEqual([0, 20, 50, 100]);
    const file = readFileSync(nginx.configFile, "utf8");
    expect(file).not.toContain("checkout_canary");
    expect(file).toContain(`upstream checkout {\n    server ${new URL(r.v2.url).host};\n}`);
  }, 60_000);
});

describe("builtin analysis behind nginx (its access log)", () => {
  it("aborts a canary that fails half its requests, as nginx logged them; then v1 gets everything", async () => {
    const n = await startNginx("payments");
    try {
      const routing = {
        nginx: { configFile: n.configFile, reload: n.reload, test: n.test, accessLog: n.accessLog },
      };
      await abortsOnAnalysis(suite.r, "payments", routing, n.url, () =>
        nginxServes(n, generationIn(n.configFile)),
      );
    } finally {
      await n.stop();
    }
  }, 60_000);
});
