/**
 * The rollouts API (/api/v1/rollouts) as a client sees it, for the end-to-end suites: apply, read,
 * steer, and the checks every suite makes of a rollout's history.
 */
import { expect } from "vitest";
import type { AnalysisRun } from "../../src/analysis/index.js";
import type { HistoryEntry, RolloutEvent, RolloutStatus } from "../../src/rollouts/status.js";

/** The admin token every test server is started with (RAMP_ADMIN_TOKEN). */
export const ADMIN_TOKEN = "ramp-e2e-admin-token-0123456789";

export interface RolloutView {
  readonly name: string;
  readonly phase: RolloutStatus["phase"];
  readonly message: string;
  readonly status: RolloutStatus;
}

export interface TrafficReport {
  /** True only on the replica whose controller runs the rollout (and once its proxy routes). */
  readonly measured: boolean;
  readonly proxy: string | null;
  readonly preview: string | null;
  readonly versions: readonly {
    readonly role: string;
    readonly version: string;
    readonly requests: number;
  }[];
}

export interface Answer<T> {
  readonly status: number;
  readonly body: T;
}

export class RolloutsApi {
  constructor(
    readonly url: string,
    private readonly token = ADMIN_TOKEN,
  ) {}

  async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<Answer<T>> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as T };
  }

  /** Applies Rollout and AnalysisTemplate documents; fails the test on anything but 200. */
  async apply(documents: readonly unknown[]): Promise<void> {
    const answer = await this.call("POST", "/api/v1/rollouts", documents);
    if (answer.status !== 200)
      throw new Error(`apply: HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
  }

  async get(name: string): Promise<RolloutView | undefined> {
    const answer = await this.call<RolloutView>("GET", `/api/v1/rollouts/${name}`);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new Error(`get ${name}: HTTP ${answer.status}`);
    return answer.body;
  }

  /** promote, pause, resume, abort, retry, undo, set-version: the answer as the API gives it. */
  command(
    name: string,
    verb: string,
    body: object = {},
  ): Promise<Answer<{ code?: string; message?: string }>> {
    return this.call("POST", `/api/v1/rollouts/${name}/${verb}`, body);
  }

  async analysisRuns(name: string, revision: number): Promise<AnalysisRun[]> {
    const answer = await this.call<{ runs: AnalysisRun[] }>(
      "GET",
      `/api/v1/rollouts/${name}/analysisruns?revision=${revision}`,
    );
    return answer.body.runs;
  }

  async traffic(name: string, windowSeconds = 600): Promise<TrafficReport> {
    return (
      await this.call<TrafficReport>("GET", `/api/v1/rollouts/${name}/traffic?windowSeconds=${windowSeconds}`)
    ).body;
  }

  /** Waits until the rollout's status satisfies `ok`; the last status seen is in the timeout's message. */
  async waitFor(
    name: string,
    what: string,
    ok: (s: RolloutStatus) => boolean,
    timeoutMs = 30_000,
  ): Promise<RolloutStatus> {
    let last: RolloutStatus | undefined;
    return waitUntil(
      async () => {
        last = (await this.get(name))?.status;
        return last !== undefined && ok(last) ? last : undefined;
      },
      () => `${name}: ${what} (last: ${last === undefined ? "none" : describeStatus(last)})`,
      timeoutMs,
    );
  }
}

/** Polls `probe` every 50 ms until it returns a value; fails with `what` after `timeoutMs`. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  what: string | (() => string),
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`,
      );
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function describeStatus(s: RolloutStatus): string {
  return `${s.phase} r${s.revision} step ${s.stepIndex ?? "-"} weight ${s.canaryWeight} stable ${s.stableVersion} canary ${s.canaryVersion}: ${s.message}`;
}

export const isHealthyAt = (version: string) => (s: RolloutStatus) =>
  s.phase === "Healthy" && s.stableVersion === version && s.canaryVersion === null;

/** The history entries of one revision, optionally of some events only. */
export function historyOf(
  status: RolloutStatus,
  revision: number,
  events?: readonly RolloutEvent[],
): HistoryEntry[] {
  return status.history.filter(
    (h) => h.revision === revision && (events === undefined || events.includes(h.event)),
  );
}

/** The step indices the revision entered, in the order it entered them. */
export function stepsEntered(status: RolloutStatus, revision: number): (number | null)[] {
  return historyOf(status, revision, ["StepStarted"]).map((h) => h.stepIndex);
}

/** Every step of the revision entered exactly once, in order, and completed exactly once, in order. */
export function expectEveryStepOnce(status: RolloutStatus, revision: number, steps: number): void {
  const all = Array.from({ length: steps }, (_, i) => i);
  const described = historyOf(status, revision)
    .map((h) => `${h.event}@${h.stepIndex}`)
    .join(" ");
  expect(stepsEntered(status, revision), described).toEqual(all);
  expect(
    historyOf(status, revision, ["StepCompleted"]).map((h) => h.stepIndex),
    described,
  ).toEqual(all);
  expect(historyOf(status, revision, ["Promoted"]), described).toHaveLength(1);
}

/** The time of the revision's only `event` (fails the test when there is not exactly one). */
export function timeOf(status: RolloutStatus, revision: number, event: RolloutEvent): number {
  const entries = historyOf(status, revision, [event]);
  expect(entries.map((e) => e.event)).toEqual([event]);
  return Date.parse(entries[0]?.at ?? "");
}
