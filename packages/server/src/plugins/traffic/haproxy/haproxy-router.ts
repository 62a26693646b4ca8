/**
 * HAProxy as a traffic router: server addresses, weights and header routes set through the runtime
 * API, so nothing reloads and no connection is cut. Your configuration declares the backend with
 * server slots for each role and, for header routes, a `use-server` rule reading a map file:
 *
 * ```haproxy
 * global
 *     stats socket /run/haproxy/admin.sock mode 600 level admin     # runtimeApi: unix:/run/haproxy/admin.sock
 * backend checkout                                                # backend: checkout
 *     balance roundrobin
 *     use-server canary if { req.hdrs,map_reg(/etc/haproxy/checkout-routes.map) -m found }   # headerMap
 *     server stable 127.0.0.1:1 weight 1 disabled                 # stableServer (more: stable-2, stable-3…)
 *     server canary 127.0.0.1:1 weight 1 disabled                 # canaryServer (more: canary-2…)
 * ```
 *
 * Every apply reads the servers' state back, changes only what differs, and reads it back again to
 * verify. `metrics` samples `show stat` so the builtin analysis provider works behind HAProxy.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { HaproxyRouterSpec } from "../../../rollouts/rollout.js";
import type { RouteState, TrafficRouter, VersionTargets } from "../router.js";
import { Serial } from "../serial.js";
import {
  headerMapEntries,
  parseMap,
  parseServersState,
  type SlotState,
  type SlotWant,
  slotCommands,
  slotsOf,
  splitWeights,
} from "./plan.js";
import { HaproxyRuntimeApi } from "./runtime-api.js";
import { HaproxyStatMetrics, parseShowStat, type SlotRole } from "./stat-metrics.js";

export interface HaproxyRouterOptions {
  readonly spec: HaproxyRouterSpec;
}

export class HaproxyTrafficRouter implements TrafficRouter {
  readonly type = "haproxy";
  readonly metrics: HaproxyStatMetrics;
  readonly #api: HaproxyRuntimeApi;
  #current: RouteState | undefined;
  #changes = 0;
  readonly #serial = new Serial();

  constructor(private readonly options: HaproxyRouterOptions) {
    this.#api = new HaproxyRuntimeApi(options.spec.runtimeApi);
    this.metrics = new HaproxyStatMetrics(async () =>
      parseShowStat(await this.#api.command("show stat"), options.spec.backend),
    );
  }

  /** Runtime API commands that changed something so far (an unchanged state sends none). */
  get changes(): number {
    return this.#changes;
  }

  current(): RouteState | undefined {
    return this.#current;
  }

  apply(state: RouteState): Promise<void> {
    return this.#serial.run(() => this.#apply(state));
  }

  async #apply(state: RouteState): Promise<void> {
    const { backend, stableServer, canaryServer, headerMap } = this.options.spec;
    if (state.mirrorRoutes.length > 0)
      throw new Error(
        `haproxy router (${backend}): mirror routes are not supported; route with the built-in proxy to mirror`,
      );
    const entries = state.canary === null ? [] : headerMapEntries(state.headerRoutes);
    if (entries.length > 0 && headerMap === null)
      throw new Error(`haproxy router (${backend}): header routes need trafficRouting.haproxy.headerMap`);

    const servers = await this.#servers();
    const stableSlots = slotsOf(servers, stableServer);
    const canarySlots = slotsOf(servers, canaryServer);
    const canary = state.canary;
    const weights = splitWeights(
      canary === null ? 0 : state.weight,
      state.stable.targets.length,
      canary?.targets.length ?? 0,
    );
    const want = [
      ...(await this.#slots("stable", stableSlots, state.stable, weights.stable)),
      ...(canary === null
        ? canarySlots.map((s): SlotWant => ({ name: s.name, maint: true }))
        : await this.#slots("canary", canarySlots, canary, weights.canary)),
    ];
    for (const command of slotCommands(backend, servers, want)) {
      await this.#api.change(command, /^(IP changed|no need to change|port changed)/);
      this.#changes++;
    }
    const after = await this.#servers();
    const left = slotCommands(backend, after, want);
    if (left.length > 0)
      throw new Error(
        `haproxy router (${backend}): HAProxy did not take the change; still needed: ${left.join("; ")}`,
      );
    if (headerMap !== null) await this.#syncMap(headerMap, entries);

    const roles = new Map<string, SlotRole>();
    const mark = (slots: readonly SlotState[], role: "stable" | "canary", v: VersionTargets | null) => {
      if (v !== null)
        for (const s of slots.slice(0, v.targets.length)) roles.set(s.name, { role, version: v.version });
    };
    mark(stableSlots, "stable", state.stable);
    mark(canarySlots, "canary", canary);
    await this.metrics.setRoles(roles);
    this.#current = state;
  }

  async #servers(): Promise<SlotState[]> {
    const { backend } = this.options.spec;
    const answer = await this.#api.command(`show servers state ${backend}`);
    const servers = /can't find backend/i.test(answer) ? [] : parseServersState(answer, backend);
    if (servers.length === 0)
      throw new Error(
        `haproxy router: backend '${backend}' has no servers (or does not exist) in HAProxy's configuration`,
      );
    return servers;
  }

  /** One slot per target, the slots left over out of service. */
  async #slots(
    role: string,
    slots: readonly SlotState[],
    v: VersionTargets,
    weight: number,
  ): Promise<SlotWant[]> {
    const { backend } = this.options.spec;
    if (v.targets.length > slots.length) {
      const base = role === "stable" ? this.options.spec.stableServer : this.options.spec.canaryServer;
      throw new Error(
        `haproxy router (${backend}): ${role} ${v.version} has ${v.targets.length} targets but the backend has ${slots.length} ${role} server slot(s); declare servers ${base}, ${base}-2 … ${base}-${v.targets.length}`,
      );
    }
    const want: SlotWant[] = [];
    for (const [i, slot] of slots.entries()) {
      const target = v.targets[i];
      want.push(
        target === undefined
          ? { name: slot.name, maint: true }
          : { name: slot.name, ...(await address(target)), weight },
      );
    }
    return want;
  }

  /** Replaces the map's entries in one atomic commit (prepare, add, commit), unless they are already right. */
  async #syncMap(file: string, entries: readonly { key: string; value: string }[]): Promise<void> {
    const have = parseMap(await this.#api.command(`show map ${file}`));
    if (JSON.stringify(have) === JSON.stringify(entries)) return;
    const prepared = await this.#api.change(`prepare map ${file}`, /^New version created: \d+$/);
    const version = /(\d+)$/.exec(prepared)?.[1];
    if (version === undefined)
      throw new Error(`haproxy router: map ${file}: unexpected answer '${prepared}'`);
    if (entries.length > 0)
      await this.#api.change(
        `add map @${version} ${file}`,
        /^$/,
        entries.map((e) => `${e.key} ${e.value}`),
      );
    await this.#api.change(`commit map @${version} ${file}`);
    this.#changes++;
    const now = parseMap(await this.#api.command(`show map ${file}`));
    if (JSON.stringify(now) !== JSON.stringify(entries))
      throw new Error(`haproxy router: map ${file} did not take the header routes`);
  }

  async close(): Promise<void> {
    await this.#serial.idle();
    this.metrics.close();
    this.#current = undefined;
  }
}

/** A target URL as the IP and port HAProxy's `set server … addr` takes. */
async function address(target: string): Promise<{ addr: string; port: number }> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new Error(`haproxy router: target '${target}' is not a URL like http://127.0.0.1:8080`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addr = isIP(host) !== 0 ? host : (await lookup(host)).address;
  return { addr, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)) };
}
