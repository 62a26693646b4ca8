/**
 * The one suite every TrafficRouter passes (each router's test file calls routerSuite): weights are
 * honoured by the real data plane, reset to stable, header routes, idempotent re-apply. What reached
 * each version is counted by the upstreams themselves. A router without a data plane skips what
 * needs one, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeaderRoute } from "../../rollouts/rollout.js";
import {
  failures,
  sendRequests,
  startUpstream,
  type Upstream,
  withinBinomial,
} from "./data-planes.shared-test.js";
import type { RouteState, TrafficRouter } from "./router.js";

export interface RouterUnderTest {
  readonly router: TrafficRouter;
  /** Where clients send traffic (once the router applied a state); undefined without a data plane. */
  url(): string | undefined;
  /** Resolves once the data plane routes what the router was last told (nginx: the reload is in force). */
  settled?(): Promise<void>;
  /** A count that grows with every change made to the data plane (reloads, runtime API commands). */
  changes?(): number;
  stop(): Promise<void>;
}

export interface RouterHarness {
  start(): Promise<RouterUnderTest>;
  /** Reasons to skip parts of the suite; absent: run them. */
  readonly skip?: { readonly dataPlane?: string; readonly headerRoutes?: string };
}

const N = 1_000;

export function routerSuite(name: string, harness: RouterHarness): void {
  describe(`${name}: the shared traffic router suite`, () => {
    let stable: Upstream;
    let canary: Upstream;
    let r: RouterUnderTest;

    beforeAll(async () => {
      stable = await startUpstream("v1");
      canary = await startUpstream("v2");
      r = await harness.start();
    });
    afterAll(async () => {
      await r?.stop();
      await Promise.all([stable?.close(), canary?.close()]);
    });

    const state = (weight: number, headerRoutes: readonly HeaderRoute[] = []): RouteState => ({
      stable: { version: "v1", targets: [stable.url] },
      canary: { version: "v2", targets: [canary.url] },
      weight,
      headerRoutes,
      mirrorRoutes: [],
    });
    const apply = async (s: RouteState) => {
      await r.router.apply(s);
      await r.settled?.();
    };
    /** Sends `n` requests; returns what each upstream received (its own count) and what clients heard. */
    const measure = async (n: number, headers?: (i: number) => Record<string, string>) => {
      const before = [stable.received(), canary.received()];
      const sent = await sendRequests(url(), n, headers);
      return {
        stable: stable.received() - (before[0] ?? 0),
        canary: canary.received() - (before[1] ?? 0),
        heard: sent.answers,
        failed: failures(sent.answers),
      };
    };
    /** Exactly these counts and no failure; the whole measurement in the message when not. */
    const expectCounts = (got: Awaited<ReturnType<typeof measure>>, s: number, c: number) =>
      expect(
        { stable: got.stable, canary: got.canary, failed: got.failed },
        JSON.stringify({ ...got, heard: Object.fromEntries(got.heard) }),
      ).toEqual({ stable: s, canary: c, failed: {} });
    const url = () => {
      const u = r.url();
      if (u === undefined) throw new Error(`${name} has no data plane`);
      return u;
    };
    /** `it`, or `it.skip` with the reason in the test's name. */
    const unless = (reason: string | undefined) =>
      reason === undefined
        ? it
        : (title: string, fn: () => Promise<void>) => it.skip(`${title} (skipped: ${reason})`, fn);
    const dataPlane = unless(harness.skip?.dataPlane);
    const headerRoutes = unless(harness.skip?.dataPlane ?? harness.skip?.headerRoutes);

    dataPlane("honours weights within binomial tolerance (20% and 65%)", async () => {
      for (const weight of [20, 65]) {
        await apply(state(weight));
        const got = await measure(N);
        expect(got.stable + got.canary, `${weight}%: every request reached an upstream`).toBe(N);
        expect(failures(got.heard)).toEqual({});
        expect(got.heard.get("v2")).toBe(got.canary);
        expect(
          withinBinomial(got.canary, N, weight / 100),
          `${weight}%: canary got ${got.canary} of ${N}`,
        ).toBe(true);
      }
    });

    dataPlane("resets to stable: weight 0, and no canary at all, send everything to stable", async () => {
      await apply(state(0));
      expectCounts(await measure(200), 200, 0);
      await apply({ ...state(30), canary: null, weight: 0 });
      expectCounts(await measure(200), 200, 0);
      await apply(state(100));
      expectCounts(await measure(200), 0, 200);
    });

    headerRoutes("header routes: every matching request reaches the canary, the others split", async () => {
      const routes: HeaderRoute[] = [
        {
          name: "testers",
          match: [
            { headerName: "X-Canary", headerValue: { exact: "yes" } },
            { headerName: "x-tester", headerValue: { prefix: "qa." } },
          ],
        },
        { name: "beta", match: [{ headerName: "x-plan", headerValue: { regex: "beta-[0-9]+" } }] },
      ];
      await apply(state(0, routes));
      // Matching: exact, prefix (with a regex metacharacter in it), whole-value regex.
      const match = (i: number): Record<string, string> =>
        [{ "x-canary": "yes" }, { "x-tester": `qa.${i}` }, { "x-plan": `beta-${i}` }][i % 3] ?? {};
      expectCounts(await measure(90, match), 0, 90);
      // Near misses: other values, a longer value, the prefix's '.' taken literally, a partial regex match.
      const miss = (i: number): Record<string, string> =>
        [
          { "x-canary": "no" },
          { "x-canary": "yes-please" },
          { "x-tester": `qaX${i}` },
          { "x-plan": `beta-${i}x` },
          { "x-plan": `pre-beta-${i}` },
          {},
        ][i % 6] ?? {};
      expectCounts(await measure(120, miss), 120, 0);
      // With a weight, the others split while the matching ones still all go to the canary.
      await apply(state(50, routes));
      expectCounts(await measure(60, match), 0, 60);
      const split = await measure(400, miss);
      expect(withinBinomial(split.canary, 400, 0.5), `canary got ${split.canary} of 400`).toBe(true);
      // Removing the routes takes them away.
      await apply(state(0));
      expectCounts(await measure(60, match), 60, 0);
    });

    it("re-applying the same state changes nothing and current() reports it", async () => {
      const s = state(35);
      await apply(s);
      const changes = r.changes?.();
      await apply({ ...s });
      await apply(state(35));
      expect(r.changes?.()).toBe(changes);
      expect(r.router.current()).toEqual(s);
      if (harness.skip?.dataPlane === undefined) {
        const got = await measure(N);
        expect(withinBinomial(got.canary, N, 0.35), `canary got ${got.canary} of ${N}`).toBe(true);
      }
    });
  });
}
