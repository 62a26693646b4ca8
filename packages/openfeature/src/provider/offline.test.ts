/** RampProvider.fromFile: a flag file given by the application, no server. */
import { OpenFeature, ProviderStatus } from "@openfeature/server-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { testFlags } from "../../test/flags.js";
import { RampProvider } from "./ramp-provider.js";

afterEach(async () => {
  await OpenFeature.clearProviders();
});

describe("RampProvider.fromFile", () => {
  it("serves the file's first environment at once, through the SDK", async () => {
    const provider = RampProvider.fromFile(testFlags());
    await OpenFeature.setProviderAndWait("offline", provider);
    const client = OpenFeature.getClient("offline");
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(await client.getBooleanValue("new_checkout", false, { targetingKey: "beta-1" })).toBe(true);
    expect(provider.flags).toEqual({ environment: "production", version: 0, source: "file", flagCount: 5 });
    client.track("ignored", { targetingKey: "u1" });
    await provider.flush();
  });

  it("rejects a broken file or an unknown environment with the paths of the problems", () => {
    expect(() => RampProvider.fromFile(testFlags(), "staging")).toThrow(
      "has no environment 'staging' (it has: production)",
    );
    const file = testFlags();
    file.flags.banner_text = { type: "string", variants: { a: "A" }, offVariant: "b", environments: {} };
    expect(() => RampProvider.fromFile(file)).toThrow(/flags\.banner_text\.offVariant/);
  });
});
