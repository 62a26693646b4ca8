/**
 * The I/O side of a Flagger-style analysis for one rollout: makes the webhook calls decide() asks
 * for (each id once, answers kept in memory for the next decisions) and runs the wanted load tests.
 * It persists nothing: after a restart an unanswered gate is simply asked again.
 */
import type { Effect, LoadTest, WebhookCall, WebhookOutcome } from "../decide.js";
import { LOAD_TEST_URL } from "../flagger-types.js";
import { parseHeyCommand } from "../load-test/hey.js";
import { LoadGenerator } from "../load-test/load-generator.js";
import { callWebhook } from "../webhooks/call-webhook.js";

export interface FlaggerShellDeps {
  /** Where a load test without its own URL sends its requests (the router, else the canary itself). */
  readonly loadTarget: (canaryVersion: string) => Promise<string | undefined>;
  /** Decide again (an answer came in). */
  readonly trigger: () => void;
  readonly log: (message: string) => void;
}

interface Call {
  outcome?: WebhookOutcome;
}

export class FlaggerShell {
  readonly #calls = new Map<string, Call>();
  readonly #loads = new Map<string, { effect: LoadTest; generator: LoadGenerator }>();
  readonly #closed = new AbortController();

  constructor(private readonly deps: FlaggerShellDeps) {}

  /** The answers so far, for the next decision's observations. */
  outcomes(): Record<string, WebhookOutcome> {
    const out: Record<string, WebhookOutcome> = {};
    for (const [id, call] of this.#calls) if (call.outcome !== undefined) out[id] = call.outcome;
    return out;
  }

  /** Reconciles with one decision's effects: new calls made, load tests started or stopped. */
  async apply(effects: readonly Effect[]): Promise<void> {
    const loads = effects.filter((e): e is LoadTest => e.kind === "loadTest");
    const calls = effects.filter((e): e is WebhookCall => e.kind === "callWebhook");
    for (const e of loads) await this.#ensureLoad(e);
    for (const [id, load] of this.#loads) {
      if (loads.some((e) => e.id === id)) continue;
      load.generator.stop();
      this.#loads.delete(id);
      const { sent, failed } = load.generator.counts;
      this.deps.log(`load test ${id} stopped after ${sent} requests (${failed} failed)`);
    }
    for (const e of calls) if (!this.#calls.has(e.id)) this.#call(e);
    for (const [id, call] of this.#calls)
      if (call.outcome !== undefined && !calls.some((e) => e.id === id)) this.#calls.delete(id);
  }

  close(): void {
    this.#closed.abort();
    for (const load of this.#loads.values()) load.generator.stop();
    this.#loads.clear();
  }

  #call(e: WebhookCall): void {
    const call: Call = {};
    this.#calls.set(e.id, call);
    const done = (outcome: WebhookOutcome) => {
      call.outcome = outcome;
      if (!e.awaited) {
        if (!outcome.passed)
          this.deps.log(`${e.webhook.type} webhook ${e.webhook.name} failed: ${outcome.message}`);
        return;
      }
      this.deps.trigger();
    };
    if (e.webhook.url === LOAD_TEST_URL) {
      done(this.#loadTestAnswer(e));
      return;
    }
    void callWebhook(e.webhook.url, e.payload, {
      timeoutSeconds: e.webhook.timeoutSeconds,
      retries: e.webhook.retries,
      signal: this.#closed.signal,
    }).then(done);
  }

  /** Like Flagger's load tester for a background command: the call passes once the load runs. */
  #loadTestAnswer(e: WebhookCall): WebhookOutcome {
    const load = [...this.#loads.values()].find((l) => l.effect.webhook.name === e.webhook.name);
    if (load === undefined)
      return { passed: false, message: "load test not running: the canary is not ready" };
    if (!load.generator.running) {
      load.generator = new LoadGenerator(load.generator.options);
      load.generator.start();
      return { passed: true, message: "load test restarted" };
    }
    const { sent, failed } = load.generator.counts;
    return { passed: true, message: `load test running: ${sent} requests so far (${failed} failed)` };
  }

  async #ensureLoad(e: LoadTest): Promise<void> {
    if (this.#loads.has(e.id)) return;
    const parsed = parseHeyCommand(e.webhook.metadata.cmd ?? "");
    if (!parsed.ok) {
      this.deps.log(`load test ${e.webhook.name}: ${parsed.message}`);
      return;
    }
    const url = e.webhook.metadata.url ?? parsed.plan.url ?? (await this.deps.loadTarget(e.canaryVersion));
    if (url === undefined) return;
    const generator = new LoadGenerator({
      plan: parsed.plan,
      url,
      headers: { [e.header.name]: e.header.value },
    });
    this.#loads.set(e.id, { effect: e, generator });
    generator.start();
    this.deps.log(`load test ${e.id} started: ${e.webhook.metadata.cmd ?? ""} → ${url}`);
  }
}
