/**
 * `new_checkout` through the OpenFeature server SDK: a minimal provider around the hand-written floor
 * (the least any provider could do), RampProvider on the same flags as `ramp`, and Ramp's synchronous
 * fast path. The SDK's own per-call work (promise, hooks, context merge) is common to the first two.
 */
import {
  type EvaluationContext,
  OpenFeature,
  type Provider,
  type ResolutionDetails,
} from "@openfeature/server-sdk";
import { RampProvider } from "@ramp/openfeature";
import type { Contender } from "../contender.js";
import { type BenchContext, FLAG_KEY } from "../scenario.js";
import { newCheckoutFloor } from "./floor.js";
import { readFlagsFile } from "./ramp.js";

const ENVIRONMENT = "production";

/** The least a provider can be: no state, no events, the floor's logic in resolveBooleanEvaluation. */
class MinimalProvider implements Provider {
  readonly metadata = { name: "minimal" } as const;
  readonly runsOn = "server" as const;

  async resolveBooleanEvaluation(
    _key: string,
    _defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return { value: newCheckoutFloor(context as unknown as BenchContext) };
  }

  async resolveStringEvaluation(_key: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return { value: defaultValue };
  }

  async resolveNumberEvaluation(_key: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return { value: defaultValue };
  }

  async resolveObjectEvaluation<T>(_key: string, defaultValue: T): Promise<ResolutionDetails<T>> {
    return { value: defaultValue };
  }
}

function contextsFor(contexts: readonly BenchContext[]): EvaluationContext[] {
  return contexts.map(({ targetingKey, plan, country }) => ({ targetingKey, plan, country }));
}

/** A contender evaluating through `OpenFeature.getClient(domain)` with `provider` bound to that domain. */
async function throughSdk(
  name: string,
  role: Contender["role"],
  provider: Provider,
  contexts: readonly BenchContext[],
): Promise<Contender> {
  const domain = `bench-${name}`;
  await OpenFeature.setProviderAndWait(domain, provider);
  const client = OpenFeature.getClient(domain);
  const prepared = contextsFor(contexts);
  return {
    name,
    role,
    sameBucketsAsFloor: true,
    async sweep(out) {
      let on = 0;
      let i = 0;
      for (const context of prepared) {
        const value = await client.getBooleanValue(FLAG_KEY, false, context);
        out[i++] = value ? 1 : 0;
        if (value) on++;
      }
      return on;
    },
    async close() {
      await provider.onClose?.();
    },
  };
}

export function createOpenFeatureMinimal(contexts: readonly BenchContext[]): Promise<Contender> {
  return throughSdk("openfeature: minimal provider", "floor", new MinimalProvider(), contexts);
}

/** RampProvider.fromFile: the flags of examples/flags.yaml, no server (so no evaluation counting). */
export function createOpenFeatureRamp(contexts: readonly BenchContext[]): Promise<Contender> {
  return throughSdk(
    "openfeature: RampProvider",
    "ramp",
    RampProvider.fromFile(readFlagsFile(), ENVIRONMENT),
    contexts,
  );
}

/**
 * RampProvider as connected to a server: the same flags arrive as a stream `put` from an in-memory
 * fetch, and every evaluation is counted for the metrics report (which never fires during the run).
 */
export function createOpenFeatureRampConnected(contexts: readonly BenchContext[]): Promise<Contender> {
  const hour = 3_600_000;
  const provider = new RampProvider({
    url: "http://ramp.invalid",
    token: "ramp_server_bench",
    fetch: snapshotFetch(readFlagsFile()),
    heartbeatIntervalMs: hour,
    flushIntervalMs: hour,
  });
  return throughSdk("openfeature: RampProvider (streamed, counting)", "ramp", provider, contexts);
}

/** Ramp's synchronous fast path on the RampProvider's flags: `engineClient().boolean(…)`. */
export function createFastPath(contexts: readonly BenchContext[]): Contender {
  const engine = RampProvider.fromFile(readFlagsFile(), ENVIRONMENT).engineClient();
  const prepared = contextsFor(contexts);
  return {
    name: "ramp fast path: engineClient()",
    role: "ramp",
    sameBucketsAsFloor: true,
    sweep(out) {
      let on = 0;
      let i = 0;
      for (const context of prepared) {
        const value = engine.boolean(FLAG_KEY, context, false);
        out[i++] = value ? 1 : 0;
        if (value) on++;
      }
      return on;
    },
    close() {},
  };
}

/** A fetch that answers the SDK stream with one `put` of `file` (held open) and any POST with 202. */
function snapshotFetch(file: unknown): typeof fetch {
  const put = `event: put\nid: 1\ndata: ${JSON.stringify({ environment: ENVIRONMENT, version: 1, file })}\n\n`;
  return async (input, init) => {
    if (!String(input).endsWith("/sdk/v1/stream")) return new Response(null, { status: 202 });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(put));
        init?.signal?.addEventListener("abort", () => controller.error(new Error("closed")));
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
  };
}
