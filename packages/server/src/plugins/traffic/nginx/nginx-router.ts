/**
 * nginx as a traffic router off Kubernetes. Ramp owns one file (`configFile`) that your nginx.conf
 * includes in its http block; every change rewrites it, checks it with `nginx -t` and reloads nginx
 * gracefully (old workers finish their requests). A change nginx rejects leaves the previous file,
 * and the routing in force, as they were.
 *
 * ```nginx
 * http {
 *     include /etc/nginx/ramp/checkout.conf;        # configFile: upstream checkout + maps
 *     server {
 *         listen 80;
 *         location / {
 *             proxy_pass http://$ramp_checkout_upstream;
 *             add_header x-ramp-generation $ramp_checkout_generation always;   # optional
 *         }
 *     }
 * }
 * ```
 *
 * Header routes become `map $http_<header>` blocks that pick the `checkout_canary` upstream.
 * Mirror routes are refused when the rollout loads: nginx mirrors from a location, which is yours.
 * With `accessLog` (a log the location writes with `access_log <file> ramp_checkout;`) Ramp reads
 * per-version metrics for the builtin provider; without it `metrics` is undefined.
 */
import { execFile } from "node:child_process";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import type { NginxRouterSpec } from "../../../rollouts/rollout.js";
import type { RouteState, TrafficRouter } from "../router.js";
import { Serial } from "../serial.js";
import { AccessLogMetrics } from "./access-log-metrics.js";
import { type NginxNames, nginxNames, renderNginxConfig } from "./render.js";

export interface NginxRouterOptions {
  /** The rollout's name: the upstream's name unless the spec names one. */
  readonly service: string;
  readonly spec: NginxRouterSpec;
}

const COMMAND_TIMEOUT_MS = 30_000;

export class NginxTrafficRouter implements TrafficRouter {
  readonly type = "nginx";
  /** Read from `accessLog` when the spec names one. */
  readonly metrics: AccessLogMetrics | undefined;
  readonly names: NginxNames;
  #current: RouteState | undefined;
  /** The text nginx was last reloaded with. */
  #inForce: string | undefined;
  #generation: string | undefined;
  #reloads = 0;
  readonly #serial = new Serial();

  constructor(private readonly options: NginxRouterOptions) {
    this.names = nginxNames(options.spec.upstream ?? options.service);
    this.metrics = options.spec.accessLog === null ? undefined : new AccessLogMetrics(options.spec.accessLog);
  }

  /** Reloads Ramp asked for so far (an unchanged state asks for none). */
  get reloads(): number {
    return this.#reloads;
  }

  /** The generation of the routing last reloaded (what `$ramp_<name>_generation` says once nginx runs it). */
  get generation(): string | undefined {
    return this.#generation;
  }

  current(): RouteState | undefined {
    return this.#current;
  }

  apply(state: RouteState): Promise<void> {
    return this.#serial.run(() => this.#apply(state));
  }

  async #apply(state: RouteState): Promise<void> {
    if (state.mirrorRoutes.length > 0) {
      throw new Error(
        `nginx router (${this.names.upstream}): mirror routes are not supported; route with the built-in proxy to mirror`,
      );
    }
    const { text, generation } = renderNginxConfig(state, this.names, this.options.service);
    if (text === this.#inForce) {
      // Routed the same (a promotion from 100% canary, say), but the roles may have changed.
      if (JSON.stringify(state) !== JSON.stringify(this.#current)) await this.metrics?.routes(state);
      this.#current = state;
      return;
    }
    // Requests logged until now belong to the previous routing.
    await this.metrics?.read().catch(() => undefined);
    const file = this.options.spec.configFile;
    const previous = await readFile(file, "utf8").catch(() => undefined);
    if (previous !== text) {
      await replaceFile(file, text);
      // nginx reads the file only when told to, so checking it in place changes nothing that runs;
      // a rejected file is put back before anyone reloads.
      const test = await run(this.options.spec.test);
      if (!test.ok) {
        if (previous === undefined) await unlink(file).catch(() => undefined);
        else await replaceFile(file, previous);
        throw new Error(
          `nginx rejected the routing for upstream '${this.names.upstream}' (the previous routing stays in force): ${test.output}`,
        );
      }
    }
    const reload = await run(this.options.spec.reload);
    if (!reload.ok) {
      throw new Error(`nginx router (${this.names.upstream}): reload failed: ${reload.output}`);
    }
    this.#reloads++;
    this.#inForce = text;
    this.#generation = generation;
    this.#current = state;
    await this.metrics?.routes(state);
  }

  async close(): Promise<void> {
    await this.#serial.idle();
    this.#current = undefined;
  }
}

/** Write beside, then rename: nginx (or a reader) never sees half a file. */
async function replaceFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.ramp-${process.pid}.tmp`;
  await writeFile(tmp, text, "utf8");
  await rename(tmp, file);
}

/** Runs a command (argv list, or a string for /bin/sh -c); never rejects. */
function run(command: readonly string[] | string): Promise<{ ok: boolean; output: string }> {
  const [file, args] =
    typeof command === "string" ? ["/bin/sh", ["-c", command]] : [command[0] ?? "", command.slice(1)];
  return new Promise((resolve) => {
    execFile(file, args, { timeout: COMMAND_TIMEOUT_MS }, (error, stdout, stderr) => {
      const output = `${stderr}${stdout}`.trim().split("\n").slice(-5).join(" | ");
      resolve({
        ok: error === null,
        output: output || (error === null ? "" : `${error.message}`),
      });
    });
  });
}
