import { describe, expect, it } from "vitest";
import { PlatformError } from "./errors.js";
import { createPlatform, PLATFORM_TYPES, type PlatformConfig } from "./factory.js";
import { NoopPlatform } from "./noop/noop-platform.js";
import { ProcessPlatform } from "./process/process-platform.js";
import { StaticPlatform } from "./static/static-platform.js";

/** What a YAML file can hold, whatever the types say. */
function fromFile(value: unknown): PlatformConfig {
  return value as PlatformConfig;
}

function errorOf(run: () => unknown): PlatformError {
  try {
    run();
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error("expected a PlatformError");
}

describe("createPlatform", () => {
  it("creates each known type", async () => {
    expect(PLATFORM_TYPES).toEqual(["process", "static", "noop"]);
    const made = [
      createPlatform({ type: "process", terminationGraceMs: 1000 }),
      createPlatform({ type: "static" }),
      createPlatform({ type: "noop" }),
    ];
    expect(made[0]).toBeInstanceOf(ProcessPlatform);
    expect(made[1]).toBeInstanceOf(StaticPlatform);
    expect(made[2]).toBeInstanceOf(NoopPlatform);
    expect(made.map((p) => p.type)).toEqual(["process", "static", "noop"]);
    await Promise.all(made.map((p) => p.close()));
  });

  it("rejects an unknown type, listing the known ones and the likely one", () => {
    const error = errorOf(() => createPlatform(fromFile({ type: "proces" }), "rollouts.checkout.platform"));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toBe(
      "rollouts.checkout.platform.type: unknown platform type \"proces\" (did you mean 'process'?); known types: process, static, noop",
    );
    expect(errorOf(() => createPlatform(fromFile({ type: "kubernetes" }))).message).toBe(
      'platform.type: unknown platform type "kubernetes"; known types: process, static, noop',
    );
    expect(errorOf(() => createPlatform(fromFile({}))).message).toContain("unknown platform type undefined");
    expect(errorOf(() => createPlatform(fromFile(null))).code).toBe("INVALID_CONFIG");
  });

  it("rejects unknown and mistyped options, by path", () => {
    expect(errorOf(() => createPlatform(fromFile({ type: "process", logDir: "x" }))).message).toBe(
      "platform.logDir: unknown option for a 'process' platform (did you mean 'logsDir'?); known: host, logsDir, replicasDir, log, logLines, terminationGraceMs, restartBackoff, maxReplicas, clock",
    );
    expect(errorOf(() => createPlatform(fromFile({ type: "static", logsDir: "x" }))).message).toContain(
      "platform.logsDir: unknown option for a 'static' platform",
    );
    expect(
      errorOf(() => createPlatform(fromFile({ type: "process", terminationGraceMs: "5s" }))).message,
    ).toBe('platform.terminationGraceMs: expected a number, got "5s"');
  });
});
