/**
 * Ramp's built-in load generator (`url: ramp:load-test`): `workers` loops each sending at most
 * `ratePerWorker` requests a second to one URL, until the plan's duration or request count is
 * spent or it is stopped. Bounded by construction (see LOAD_TEST_LIMITS in hey.ts).
 */
import type { LoadPlan } from "./hey.js";

export interface LoadGeneratorOptions {
  readonly plan: LoadPlan;
  readonly url: string;
  /** Added to the plan's headers (the header that routes the load to the canary). */
  readonly headers?: Readonly<Record<string, string>>;
}

export class LoadGenerator {
  #sent = 0;
  #failed = 0;
  #running = false;
  #done: Promise<void> = Promise.resolve();
  readonly #stop = new AbortController();

  constructor(readonly options: LoadGeneratorOptions) {}

  get running(): boolean {
    return this.#running;
  }

  /** Requests answered (any status) and requests that failed (5xx or no answer). */
  get counts(): { readonly sent: number; readonly failed: number } {
    return { sent: this.#sent, failed: this.#failed };
  }

  /** Resolves when the run ends (duration or count spent, or stopped). */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Starts the run; a second call while it runs does nothing. */
  start(): void {
    if (this.#running || this.#stop.signal.aborted) return;
    this.#running = true;
    const { plan } = this.options;
    const deadline =
      plan.durationSeconds === null ? Number.POSITIVE_INFINITY : Date.now() + plan.durationSeconds * 1000;
    let budget = plan.requests ?? Number.POSITIVE_INFINITY;
    const take = () => {
      if (budget <= 0 || Date.now() >= deadline || this.#stop.signal.aborted) return false;
      budget -= 1;
      return true;
    };
    const workers = Array.from({ length: plan.workers }, (_, i) => this.#worker(i, take, deadline));
    this.#done = Promise.all(workers).then(() => {
      this.#running = false;
    });
  }

  stop(): void {
    this.#stop.abort();
  }

  async #worker(index: number, take: () => boolean, deadline: number): Promise<void> {
    const { plan, url } = this.options;
    const gapMs = 1000 / plan.ratePerWorker;
    // Workers start spread over one gap, so the load is even rather than in bursts.
    let next = Date.now() + (gapMs * index) / Math.max(1, plan.workers);
    for (;;) {
      const wait = Math.min(next, deadline) - Date.now();
      if (wait > 0) await sleep(wait, this.#stop.signal);
      if (!take()) return;
      next += gapMs;
      try {
        const response = await fetch(url, {
          method: plan.method,
          headers: { "user-agent": "ramp-load-test", ...plan.headers, ...this.options.headers },
          signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(plan.timeoutSeconds * 1000)]),
        });
        await response.arrayBuffer();
        this.#sent += 1;
        if (response.status >= 500) this.#failed += 1;
      } catch {
        if (this.#stop.signal.aborted) return;
        this.#sent += 1;
        this.#failed += 1;
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
