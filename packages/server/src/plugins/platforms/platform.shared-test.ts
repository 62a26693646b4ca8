/**
 * The Platform contract, as one suite every implementation runs (process/, static/, noop/ each have a
 * *.test.ts that calls describePlatformContract). A harness says how to build a platform and a request
 * that becomes ready, or never does, on it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlatformError, type PlatformErrorCode } from "./errors.js";
import type { DeployRequest, Platform } from "./platform.js";

export interface PlatformHarness {
  create(): Platform | Promise<Platform>;
  /** A request for `replicas` replicas of the version that becomes ready. */
  request(service: string, version: string, replicas: number): DeployRequest | Promise<DeployRequest>;
  /** A request that never becomes ready, with a short readiness timeout. */
  unready(service: string, version: string): DeployRequest | Promise<DeployRequest>;
  /** true, or why scale() is not part of this platform's contract. */
  readonly scales: true | { readonly skip: string };
}

/** Rejects with a PlatformError of `code`; returns it for further checks. */
export async function expectPlatformError(
  promise: Promise<unknown>,
  code: PlatformErrorCode,
): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  expect((error as PlatformError).code).toBe(code);
  return error as PlatformError;
}

export function describePlatformContract(name: string, harness: PlatformHarness): void {
  describe(`Platform contract: ${name}`, () => {
    let subject: Platform | undefined;
    const platform = (): Platform => {
      if (subject === undefined) throw new Error("the platform only exists inside a test");
      return subject;
    };
    beforeEach(async () => {
      subject = await harness.create();
    });
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });

    it("deploys a version ready, one distinct URL per replica, and reports it in status", async () => {
      const deployment = await platform().deploy(await harness.request("shop", "v1", 2));
      expect(deployment).toMatchObject({ service: "shop", version: "v1", ready: true });
      expect(deployment.targets).toHaveLength(2);
      expect(new Set(deployment.targets).size).toBe(2);
      for (const target of deployment.targets) expect(() => new URL(target)).not.toThrow();

      const status = await platform().status("shop", "v1");
      expect(status.replicas.map((r) => r.url)).toEqual(deployment.targets);
      expect(status.replicas.map((r) => r.replica)).toEqual([0, 1]);
      for (const replica of status.replicas) expect(replica).toMatchObject({ ready: true, restarts: 0 });
      expect(status.teardownAt).toBeUndefined();
    });

    it("deploying the same version again is idempotent", async () => {
      const request = await harness.request("shop", "v1", 1);
      const first = await platform().deploy(request);
      const second = await platform().deploy(request);
      expect(second).toEqual(first);
      expect((await platform().status("shop", "v1")).replicas).toHaveLength(1);
    });

    it("runs two versions side by side and tears one down without touching the other", async () => {
      const stable = await platform().deploy(await harness.request("shop", "stable", 1));
      const canary = await platform().deploy(await harness.request("shop", "canary", 1));
      expect(canary.targets[0]).not.toBe(stable.targets[0]);

      expect(await platform().teardown("shop", "canary")).toBe("torn-down");
      expect((await platform().status("shop", "canary")).replicas).toEqual([]);
      const left = await platform().status("shop", "stable");
      expect(left.replicas.map((r) => r.url)).toEqual(stable.targets);
      expect(left.replicas.every((r) => r.ready)).toBe(true);
    });

    it("teardown forgets the version and is idempotent", async () => {
      await platform().deploy(await harness.request("shop", "v1", 1));
      expect(await platform().teardown("shop", "v1")).toBe("torn-down");
      expect(await platform().teardown("shop", "v1")).toBe("torn-down");
      expect(await platform().teardown("shop", "never-deployed")).toBe("torn-down");
      expect((await platform().status("shop", "v1")).replicas).toEqual([]);
      expect(await platform().logs("shop", "v1")).toEqual([]);
    });

    it("status and logs of a version never deployed are empty", async () => {
      expect(await platform().status("shop", "nope")).toEqual({
        service: "shop",
        version: "nope",
        replicas: [],
      });
      expect(await platform().logs("shop", "nope", { tail: 10 })).toEqual([]);
    });

    it("a delayed teardown happens after its delay and shows its deadline meanwhile", async () => {
      await platform().deploy(await harness.request("shop", "v1", 1));
      const began = Date.now();
      const outcome = platform().teardown("shop", "v1", { delayMs: 300 });

      const waiting = await platform().status("shop", "v1");
      expect(waiting.replicas).toHaveLength(1);
      expect(waiting.teardownAt?.getTime()).toBeGreaterThanOrEqual(began + 300);
      expect(waiting.teardownAt?.getTime()).toBeLessThanOrEqual(Date.now() + 300);

      expect(await outcome).toBe("torn-down");
      expect(Date.now() - began).toBeGreaterThanOrEqual(295); // timers may round down by a millisecond
      expect(await platform().status("shop", "v1")).toEqual({ service: "shop", version: "v1", replicas: [] });
    });

    it("a delayed teardown can be cancelled", async () => {
      await platform().deploy(await harness.request("shop", "v1", 1));
      const outcome = platform().teardown("shop", "v1", { delayMs: 150 });
      expect(platform().cancelTeardown("shop", "v1")).toBe(true);
      expect(await outcome).toBe("cancelled");
      expect(platform().cancelTeardown("shop", "v1")).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const status = await platform().status("shop", "v1");
      expect(status.replicas).toHaveLength(1);
      expect(status.teardownAt).toBeUndefined();
    });

    it("deploying the version again cancels its pending teardown", async () => {
      const request = await harness.request("shop", "v1", 1);
      await platform().deploy(request);
      const outcome = platform().teardown("shop", "v1", { delayMs: 60_000 });
      await platform().deploy(request);
      expect(await outcome).toBe("cancelled");
      expect((await platform().status("shop", "v1")).teardownAt).toBeUndefined();
    });

    it("teardown while one is pending reschedules it: one teardown, every caller settles with it", async () => {
      await platform().deploy(await harness.request("shop", "v1", 1));
      const late = platform().teardown("shop", "v1", { delayMs: 60_000 });
      const soon = platform().teardown("shop", "v1", { delayMs: 50 });
      expect(await Promise.all([late, soon])).toEqual(["torn-down", "torn-down"]);
      expect((await platform().status("shop", "v1")).replicas).toEqual([]);
    });

    it("rejects malformed requests with INVALID_REQUEST, naming the field", async () => {
      const good = await harness.request("shop", "v1", 1);
      const bad: { request: DeployRequest; mentions: string }[] = [
        { request: { ...good, service: "" }, mentions: "service" },
        { request: { ...good, version: "v 1" }, mentions: "version" },
        { request: { ...good, replicas: -1 }, mentions: "replicas" },
        { request: { ...good, replicas: 1.5 }, mentions: "replicas" },
        { request: { ...good, readiness: { path: "healthz" } }, mentions: "readiness.path" },
        { request: { ...good, readiness: { timeoutMs: 0 } }, mentions: "readiness.timeoutMs" },
      ];
      for (const { request, mentions } of bad) {
        const error = await expectPlatformError(platform().deploy(request), "INVALID_REQUEST");
        expect(error.message).toContain(mentions);
      }
      await expectPlatformError(platform().teardown("shop", "v1", { delayMs: -1 }), "INVALID_REQUEST");
      await expectPlatformError(platform().status("", "v1"), "INVALID_REQUEST");
    });

    it("a version that never becomes ready is rejected with READINESS_TIMEOUT and leaves nothing", async () => {
      const error = await expectPlatformError(
        platform().deploy(await harness.unready("shop", "broken")),
        "READINESS_TIMEOUT",
      );
      expect(error.message).toContain("service 'shop' version 'broken'");
      expect((await platform().status("shop", "broken")).replicas).toEqual([]);
    });

    if (harness.scales === true) {
      it("scales up with new ready targets and down by stopping the highest replicas", async () => {
        const first = await platform().deploy(await harness.request("shop", "v1", 1));
        const up = await platform().scale("shop", "v1", 3);
        expect(up.ready).toBe(true);
        expect(up.targets).toHaveLength(3);
        expect(up.targets[0]).toBe(first.targets[0]);
        expect(new Set(up.targets).size).toBe(3);

        const down = await platform().scale("shop", "v1", 1);
        expect(down.targets).toEqual(first.targets);
        const status = await platform().status("shop", "v1");
        expect(status.replicas.map((r) => r.replica)).toEqual([0]);
        await expectPlatformError(platform().scale("shop", "unknown", 1), "NOT_DEPLOYED");
      });
    } else {
      it.skip(`scales up and down — skipped: ${harness.scales.skip}`, () => {});
    }

    it("close tears everything down, settles pending teardowns and refuses new deploys", async () => {
      await platform().deploy(await harness.request("shop", "v1", 1));
      await platform().deploy(await harness.request("cart", "v1", 1));
      const pending = platform().teardown("cart", "v1", { delayMs: 60_000 });
      await platform().close();
      expect(await pending).toBe("torn-down");
      expect((await platform().status("shop", "v1")).replicas).toEqual([]);
      expect((await platform().status("cart", "v1")).replicas).toEqual([]);
      await expectPlatformError(platform().deploy(await harness.request("shop", "v2", 1)), "CLOSED");
      await platform().close();
    });
  });
}
