import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileRollout } from "./compile.js";
import { rolloutJsonSchema } from "./spec.js";

const doc = (trafficRouting: unknown, steps: unknown[] = [{ setWeight: 10 }]) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: { name: "checkout" },
  spec: { version: "v2", strategy: { canary: { steps, trafficRouting } } },
});

const router = (trafficRouting: unknown, steps?: unknown[]) => {
  const c = compileRollout(doc(trafficRouting, steps));
  if (!c.ok) throw new Error(JSON.stringify(c.issues));
  if (c.rollout.strategy.kind !== "canary") throw new Error("not a canary");
  return c.rollout.strategy.router;
};
const errors = (trafficRouting: unknown, steps?: unknown[]) =>
  compileRollout(doc(trafficRouting, steps)).issues.filter((i) => i.severity === "error");

describe("trafficRouting routers", () => {
  it("fills nginx's defaults and accepts Argo's stableIngress silently", () => {
    const r = router({
      nginx: { stableIngress: "checkout-stable", configFile: "/etc/nginx/ramp/checkout.conf" },
    });
    expect(r).toEqual({
      kind: "nginx",
      configFile: "/etc/nginx/ramp/checkout.conf",
      upstream: null,
      reload: ["nginx", "-s", "reload"],
      test: ["nginx", "-t"],
      accessLog: null,
    });
    const c = compileRollout(doc({ nginx: { stableIngress: "s", configFile: "/x.conf" } }));
    expect(c.issues).not.toContainEqual(
      expect.objectContaining({ path: expect.stringContaining("stableIngress") }),
    );
  });

  it("warns that ingress-nginx annotations do nothing off Kubernetes", () => {
    const c = compileRollout(
      doc({ nginx: { configFile: "/x.conf", additionalIngressAnnotations: { "canary-by-header": "x" } } }),
    );
    expect(c.ok).toBe(true);
    expect(c.issues).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        path: "spec.strategy.canary.trafficRouting.nginx.additionalIngressAnnotations",
      }),
    );
  });

  it("fills HAProxy's defaults", () => {
    expect(router({ haproxy: { runtimeApi: "127.0.0.1:9999", backend: "web" } })).toEqual({
      kind: "haproxy",
      runtimeApi: "127.0.0.1:9999",
      backend: "web",
      stableServer: "stable",
      canaryServer: "canary",
      headerMap: null,
    });
  });

  it.each([
    {
      name: "two routers",
      routing: { proxy: { listen: "127.0.0.1:1" }, haproxy: { runtimeApi: "unix:/s", backend: "b" } },
      path: "spec.strategy.canary.trafficRouting",
      message: /sets proxy and haproxy: exactly one router/,
    },
    {
      name: "nginx without configFile",
      routing: { nginx: { stableIngress: "s" } },
      path: "spec.strategy.canary.trafficRouting.nginx.configFile",
      message: /required/,
    },
    {
      name: "a runtime API that is neither a socket nor host:port",
      routing: { haproxy: { runtimeApi: "/run/haproxy.sock", backend: "b" } },
      path: "spec.strategy.canary.trafficRouting.haproxy.runtimeApi",
      message: /unix:/,
    },
    {
      name: "the same slot for both roles",
      routing: { haproxy: { runtimeApi: "unix:/s", backend: "b", stableServer: "srv", canaryServer: "srv" } },
      path: "spec.strategy.canary.trafficRouting.haproxy.canaryServer",
      message: /is the stable server too/,
    },
  ])("rejects $name with the path", ({ routing, path, message }) => {
    expect(errors(routing)).toContainEqual(
      expect.objectContaining({ path, message: expect.stringMatching(message) }),
    );
  });

  it("refuses at load time the steps a router cannot carry out", () => {
    const mirror = { setMirrorRoute: { name: "m", match: [{ headers: { "x-m": { exact: "1" } } }] } };
    const header = {
      setHeaderRoute: { name: "h", match: [{ headerName: "x_a", headerValue: { exact: "1" } }] },
    };
    expect(errors({ nginx: { configFile: "/x.conf" } }, [mirror, header])).toEqual([
      expect.objectContaining({
        path: "spec.strategy.canary.steps[0].setMirrorRoute",
        message: expect.stringMatching(/nginx router cannot mirror traffic/),
      }),
      expect.objectContaining({
        path: "spec.strategy.canary.steps[1].setHeaderRoute.match[0].headerName",
        message: expect.stringMatching(/cannot be read by nginx/),
      }),
    ]);
    expect(errors({ haproxy: { runtimeApi: "unix:/s", backend: "b" } }, [mirror, header])).toEqual([
      expect.objectContaining({ path: "spec.strategy.canary.steps[0].setMirrorRoute" }),
      expect.objectContaining({
        path: "spec.strategy.canary.steps[1].setHeaderRoute",
        message: "needs trafficRouting.haproxy.headerMap",
      }),
    ]);
    // Removing a route (no match) needs nothing.
    expect(
      errors({ haproxy: { runtimeApi: "unix:/s", backend: "b" } }, [{ setHeaderRoute: { name: "h" } }]),
    ).toEqual([]);
  });
});

describe("the nginx and HAProxy examples", () => {
  const example = (name: string) =>
    parse(
      readFileSync(fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url)), "utf8"),
    ) as unknown;

  it.each(["rollout-nginx.yaml", "rollout-haproxy.yaml"])(
    "%s compiles without errors and fits the JSON Schema",
    (name) => {
      const c = compileRollout(example(name));
      expect(c.issues.filter((i) => i.severity === "error")).toEqual([]);
      const validate = new Ajv2020({ allErrors: true, strict: false }).compile(rolloutJsonSchema());
      expect(validate(example(name)), JSON.stringify(validate.errors)).toBe(true);
    },
  );
});
