/**
 * The endpoints under load, each with its request bodies (one per context, rotated so no answer can
 * be served from a per-request cache) and the reading of its answer used by the correctness check.
 */
import type { BenchContext } from "../eval/scenario.js";
import type { Answer, CheckContext, CheckedTarget } from "./check.js";
import { FLAG_KEY, rampBody, unleashBody } from "./flag.js";
import { call, field } from "./http.js";
import { RAMP_BULK_PATH, RAMP_SINGLE_PATH, type RampService } from "./ramp.js";
import { frontendEnabled, UNLEASH_FRONTEND_PATH, type UnleashService } from "./unleash.js";

export interface Target {
  /** Row name in the report. */
  readonly name: string;
  readonly role: "ramp" | "peer";
  /** Which expected answers apply (the two hash their rollouts differently). */
  readonly buckets: "ramp" | "unleash";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** `POST` bodies, one per context. */
  readonly bodies: readonly string[];
  bodyOf(context: BenchContext): string;
  /** The flag's on/off from one response, or what is wrong with it. */
  answerOf(status: number, body: unknown): Answer;
}

export function rampTargets(ramp: RampService, contexts: readonly BenchContext[]): Target[] {
  const headers = { authorization: `Bearer ${ramp.clientToken}`, "content-type": "application/json" };
  const bodies = contexts.map(rampBody);
  return [
    {
      name: "ramp single",
      role: "ramp",
      buckets: "ramp",
      url: `${ramp.url}${RAMP_SINGLE_PATH}`,
      headers,
      bodies,
      bodyOf: rampBody,
      answerOf: (status, body) => (status === 200 ? booleanValue(body) : unexpected(status, body)),
    },
    {
      name: "ramp bulk",
      role: "ramp",
      buckets: "ramp",
      url: `${ramp.url}${RAMP_BULK_PATH}`,
      headers,
      bodies,
      bodyOf: rampBody,
      answerOf: (status, body) => {
        if (status !== 200) return unexpected(status, body);
        const flags = field(body, "flags");
        const flag = Array.isArray(flags)
          ? flags.find((f: unknown) => field(f, "key") === FLAG_KEY)
          : undefined;
        return flag === undefined ? { error: `no ${FLAG_KEY} in ${excerpt(body)}` } : booleanValue(flag);
      },
    },
  ];
}

export function unleashTarget(unleash: UnleashService, contexts: readonly BenchContext[]): Target {
  return {
    name: "unleash frontend",
    role: "peer",
    buckets: "unleash",
    url: `${unleash.url}${UNLEASH_FRONTEND_PATH}`,
    headers: { authorization: unleash.frontendToken, "content-type": "application/json" },
    bodies: contexts.map(unleashBody),
    bodyOf: unleashBody,
    answerOf: (status, body) => {
      if (status !== 200) return unexpected(status, body);
      try {
        return frontendEnabled(body);
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

/** Asks `target` about each check context, one request at a time. */
export async function answersOf(target: Target, contexts: readonly CheckContext[]): Promise<CheckedTarget> {
  const answers: Answer[] = [];
  for (const { context } of contexts) {
    try {
      const response = await call("POST", target.url, target.headers, target.bodyOf(context));
      answers.push(target.answerOf(response.status, response.body));
    } catch (error) {
      answers.push({ error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { name: target.name, buckets: target.buckets, answers };
}

function booleanValue(evaluation: unknown): Answer {
  const value = field(evaluation, "value");
  return typeof value === "boolean" ? value : { error: `no boolean value in ${excerpt(evaluation)}` };
}

function unexpected(status: number, body: unknown): Answer {
  return { error: `HTTP ${status} ${excerpt(body)}` };
}

function excerpt(body: unknown): string {
  return JSON.stringify(body)?.slice(0, 300) ?? String(body);
}
