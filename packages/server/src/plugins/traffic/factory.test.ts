import { describe, expect, it } from "vitest";
import type { RouterSpec } from "../../rollouts/rollout.js";
import { createTrafficRouter } from "./factory.js";

describe("createTrafficRouter", () => {
  it("builds the router each kind names, and the no-op one without a spec", async () => {
    const routers = [
      createTrafficRouter({ kind: "proxy", listen: "127.0.0.1:0", sticky: null }, { service: "web" }),
      createTrafficRouter(
        {
          kind: "nginx",
          configFile: "/tmp/x.conf",
          upstream: null,
          reload: "true",
          test: "true",
          accessLog: null,
        },
        { service: "web" },
      ),
      createTrafficRouter(
        {
          kind: "haproxy",
          runtimeApi: "unix:/tmp/none.sock",
          backend: "web",
          stableServer: "stable",
          canaryServer: "canary",
          headerMap: null,
        },
        { service: "web" },
      ),
      createTrafficRouter(null, { service: "web" }),
    ];
    expect(routers.map((r) => r.type)).toEqual(["proxy", "nginx", "haproxy", "noop"]);
    expect(routers.map((r) => r.metrics === undefined)).toEqual([false, true, false, true]);
    await Promise.all(routers.map((r) => r.close()));
  });

  it("rejects an unknown kind with what it expected", () => {
    const istio = { kind: "istio" } as unknown as RouterSpec;
    expect(() => createTrafficRouter(istio, { service: "web" })).toThrow(
      "unknown traffic router 'istio': expected proxy, nginx or haproxy",
    );
  });
});
