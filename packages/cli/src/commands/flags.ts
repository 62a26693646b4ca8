/**
 * `ramp flags list|get|on|off|rollout|archive|unarchive` — read and steer flags on the server.
 * On, off and rollout are intents ("make it so"), so a version conflict is retried against a fresh read.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { out } from "../output.js";
import type { FlagDocument } from "../remote/api-types.js";
import { type ApiClient, HttpError } from "../remote/client.js";
import { describeServe, flagSummary, flagsTable } from "../remote/format.js";

export interface FlagsListOptions {
  readonly env?: string | undefined;
  readonly tag?: string | undefined;
  readonly archived: boolean;
  readonly json: boolean;
}

export async function flagsList(o: FlagsListOptions, client: ApiClient): Promise<void> {
  const { flags } = await client.json<{ flags: FlagDocument[] }>("GET", "/api/v1/flags", {
    query: { env: o.env, tag: o.tag, archived: o.archived ? true : undefined },
  });
  if (o.json) out(JSON.stringify({ flags }, null, 2));
  else out(flags.length === 0 ? "no flags" : flagsTable(flags, o.env));
}

export interface FlagsGetOptions {
  readonly key: string;
  readonly format: "text" | "json" | "yaml";
}

export async function flagsGet(o: FlagsGetOptions, client: ApiClient): Promise<void> {
  const flag = await getFlag(client, o.key);
  if (o.format === "json") out(JSON.stringify(flag, null, 2));
  else if (o.format === "yaml") out(stringify(flag, { lineWidth: 0 }));
  else out(flagSummary(flag));
}

export interface FlagsSwitchOptions {
  readonly key: string;
  readonly env: string;
  readonly on: boolean;
  readonly json: boolean;
}

export async function flagsSwitch(o: FlagsSwitchOptions, client: ApiClient): Promise<void> {
  const state = o.on ? "on" : "off";
  const { flag, changed } = await retryOnConflict(async () => {
    const current = await getFlag(client, o.key);
    if (current.environments[o.env]?.on === o.on) return { flag: current, changed: false };
    const flag = await client.json<FlagDocument>(
      "PUT",
      `${flagPath(o.key)}/environments/${encodeURIComponent(o.env)}/on`,
      {
        json: { on: o.on },
        ifMatch: current.version,
      },
    );
    return { flag, changed: true };
  });
  if (o.json) out(JSON.stringify(flag, null, 2));
  else out(`${o.key} is ${changed ? "now" : "already"} ${state} in ${o.env} (version ${flag.version})`);
}

export interface FlagsRolloutOptions {
  readonly key: string;
  readonly env: string;
  readonly percentage: number;
  readonly variant?: string | undefined;
  readonly json: boolean;
}

export async function flagsRollout(o: FlagsRolloutOptions, client: ApiClient): Promise<void> {
  const flag = await retryOnConflict(async () => {
    const current = await getFlag(client, o.key);
    return client.json<FlagDocument>(
      "PUT",
      `${flagPath(o.key)}/environments/${encodeURIComponent(o.env)}/rollout`,
      {
        json: { percentage: o.percentage, ...(o.variant !== undefined && { variant: o.variant }) },
        ifMatch: current.version,
      },
    );
  });
  if (o.json) out(JSON.stringify(flag, null, 2));
  else {
    const env = flag.environments[o.env];
    const state = env?.on === true ? "" : " (the environment is off: run `ramp flags on` to serve it)";
    out(
      `${o.key} in ${o.env}: default ${describeServe(env?.default, flag.offVariant)}${state} (version ${flag.version})`,
    );
  }
}

export interface FlagsArchiveOptions {
  readonly key: string;
  readonly archive: boolean;
  readonly json: boolean;
}

export async function flagsArchive(o: FlagsArchiveOptions, client: ApiClient): Promise<void> {
  const action = o.archive ? "archive" : "unarchive";
  const flag = await client.json<FlagDocument | undefined>("POST", `${flagPath(o.key)}/${action}`);
  if (o.json) out(JSON.stringify(flag ?? null, null, 2));
  else out(`${action}d ${o.key}${flag?.version !== undefined ? ` (version ${flag.version})` : ""}`);
}

function flagPath(key: string): string {
  return `/api/v1/flags/${encodeURIComponent(key)}`;
}

function getFlag(client: ApiClient, key: string): Promise<FlagDocument> {
  return client.json<FlagDocument>("GET", flagPath(key));
}

export const CONFLICT_ATTEMPTS = 5;

/**
 * Runs a read-then-write `attempt` again when the write lost a race (409 version_conflict), at most
 * `attempts` times, pausing a little longer each time.
 */
export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  attempts = CONFLICT_ATTEMPTS,
  pause: (ms: number) => Promise<unknown> = sleep,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof HttpError) || e.status !== 409 || e.code !== "version_conflict") throw e;
      if (i >= attempts)
        throw new HttpError(
          e.status,
          e.code,
          `${e.message} (gave up after ${attempts} attempts: the flag keeps changing)`,
          e.details,
        );
      await pause(25 * i);
    }
  }
}
