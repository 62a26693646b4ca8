/** A router that only remembers what it was told: for controller tests and dry runs. */
import type { RouteState, TrafficRouter } from "../router.js";

export class NoopRouter implements TrafficRouter {
  readonly type = "noop";
  readonly metrics = undefined;
  readonly applied: RouteState[] = [];
  #current: RouteState | undefined;

  async apply(state: RouteState): Promise<void> {
    this.#current = state;
    this.applied.push(state);
  }

  current(): RouteState | undefined {
    return this.#current;
  }

  async close(): Promise<void> {}
}
