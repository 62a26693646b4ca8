import { describe, expect, it } from "vitest";
import { describePlatformContract, expectPlatformError } from "../platform.shared-test.js";
import { NoopPlatform } from "./noop-platform.js";

describePlatformContract("noop", {
  create: () => new NoopPlatform({ ready: (request) => request.version !== "broken" }),
  request: (service, version, replicas) => ({ service, version, replicas }),
  unready: (service, version) => {
    if (version !== "broken") throw new Error("the harness fails only version 'broken'");
    return { service, version, replicas: 1 };
  },
  scales: true,
});

describe("noop platform", () => {
  it("records every call for controller tests to assert on", async () => {
    const platform = new NoopPlatform();
    await platform.deploy({ service: "shop", version: "v2", replicas: 2 });
    await platform.scale("shop", "v2", 3);
    const outcome = platform.teardown("shop", "v2", { delayMs: 30_000 });
    platform.cancelTeardown("shop", "v2");
    expect(await outcome).toBe("cancelled");
    expect(platform.calls).toEqual([
      { method: "deploy", request: { service: "shop", version: "v2", replicas: 2 } },
      { method: "scale", service: "shop", version: "v2", replicas: 3 },
      { method: "teardown", service: "shop", version: "v2", delayMs: 30_000 },
      { method: "cancelTeardown", service: "shop", version: "v2" },
    ]);
    await platform.close();
  });

  it("targets are URLs nothing answers (.invalid), one per replica", async () => {
    const platform = new NoopPlatform();
    const deployment = await platform.deploy({ service: "shop", version: "v2+build.7", replicas: 2 });
    expect(deployment.targets).toEqual([
      "http://noop.invalid/shop/v2%2Bbuild.7/0",
      "http://noop.invalid/shop/v2%2Bbuild.7/1",
    ]);
    await expectPlatformError(platform.scale("shop", "v1", 1), "NOT_DEPLOYED");
    await platform.close();
  });
});
