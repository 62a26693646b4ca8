/**
 * A tiny world for decide(): a fake clock, a platform whose deployments become ready a few ticks
 * after they are applied, analysis runs that end as a script says, and a router. It loops decide()
 * like the I/O loop would (decide, persist, apply, and decide again at once while the status
 * changes), and can crash between persisting a decision and applying its effects.
 */
import {
  type DecideResult,
  decide,
  type Effect,
  type RolloutCommand,
  type WebhookCall,
  type WebhookOutcome,
} from "./decide.js";
import type { RolloutSpec } from "./rollout.js";
import { type AnalysisPhase, type AnalysisRunState, initialStatus, type RolloutStatus } from "./status.js";

export type RouteEffect = Extract<Effect, { kind: "route" }>;

/** How a run ends: its phase after so many ticks, or never. */
export type RunOutcome =
  | { readonly phase: Exclude<AnalysisPhase, "Pending" | "Running">; readonly afterTicks: number }
  | "forever";

export interface RunInfo {
  readonly id: string;
  readonly kind: AnalysisRunState["kind"];
  readonly attempt: number;
  readonly templates: readonly string[];
}

export interface Scenario {
  readonly spec: RolloutSpec;
  /** Default: Successful after 2 ticks. */
  readonly outcome?: (run: RunInfo) => RunOutcome;
  /** Ticks from applying a deployment to its readiness (default 1). */
  readonly readyTicks?: number;
  /** Seconds per tick (default 30). */
  readonly tickSeconds?: number;
  /** The user's command at a tick, given the status the last decision persisted. */
  readonly command?: (status: RolloutStatus, tick: number) => RolloutCommand | undefined;
  /** Drop the effects of the decision made at this tick, then restart after `restartAfterTicks`. */
  readonly crashAt?: (tick: number) => boolean;
  /** Ticks the controller stays down after a crash (0: restarts at once, same instant). */
  readonly restartAfterTicks?: number;
  readonly maxTicks?: number;
  /** Stop after the decision that makes this true (default: settled, see `settled`). */
  readonly until?: (status: RolloutStatus, now: number) => boolean;
  readonly start?: Date;
  readonly status?: RolloutStatus;
  /** Carry on from a previous world (same deployments, runs, clock). */
  readonly world?: World;
  /** How a webhook answers a call (default: passed); "pending" leaves it unanswered for now. */
  readonly webhook?: (call: WebhookCall, tick: number) => WebhookOutcome | "pending";
}

interface WorldRun extends RunInfo {
  readonly startedTick: number;
  terminated: boolean;
}

export interface World {
  tick: number;
  now: number;
  readonly deployments: Map<string, { replicas: number; readyAt: number }>;
  readonly teardowns: Map<string, number>;
  readonly runs: Map<string, WorldRun>;
  route: RouteEffect | null;
  readonly notifications: Extract<Effect, { kind: "notify" }>[];
  readonly tornDown: string[];
  /** Every webhook call made, in order (one per id), with the tick it was first asked for. */
  readonly calls: { readonly call: WebhookCall; readonly tick: number }[];
  /** Load tests wanted by the last applied decision. */
  loadTests: string[];
}

export interface Step {
  readonly tick: number;
  readonly at: string;
  readonly command?: RolloutCommand;
  readonly result: DecideResult;
  readonly crashed: boolean;
}

export interface SimulationResult {
  readonly status: RolloutStatus;
  readonly steps: Step[];
  readonly world: World;
}

/** Decisions at one instant before the simulation gives up on the status settling. */
const MAX_ROUNDS_PER_TICK = 20;

export function newWorld(start = new Date("2025-01-01T00:00:00Z")): World {
  return {
    tick: 0,
    now: start.getTime(),
    deployments: new Map(),
    teardowns: new Map(),
    runs: new Map(),
    route: null,
    notifications: [],
    tornDown: [],
    calls: [],
    loadTests: [],
  };
}

/** Nothing left to wait for: no update in progress (or it aborted), and not Progressing. */
export function settled(status: RolloutStatus): boolean {
  return (status.canaryVersion === null || status.aborted) && status.phase !== "Progressing";
}

/** Settled, and every scheduled teardown is due. */
export function quiet(status: RolloutStatus, now: number): boolean {
  return settled(status) && status.teardowns.every((t) => Date.parse(t.at) < now);
}

export function simulate(scenario: Scenario): SimulationResult {
  const world = scenario.world ?? newWorld(scenario.start);
  const tickMs = (scenario.tickSeconds ?? 30) * 1000;
  const readyTicks = scenario.readyTicks ?? 1;
  const outcome = scenario.outcome ?? (() => ({ phase: "Successful", afterTicks: 2 }) as const);
  const until = scenario.until ?? settled;
  let status = scenario.status ?? initialStatus();
  const steps: Step[] = [];
  const maxTicks = scenario.maxTicks ?? 2000;
  let downUntil = -1;

  const apply = (effects: readonly Effect[]) => {
    for (const e of effects) {
      switch (e.kind) {
        case "deploy": {
          const d = world.deployments.get(e.version);
          if (d === undefined || d.replicas !== e.replicas) {
            world.deployments.set(e.version, { replicas: e.replicas, readyAt: world.tick + readyTicks });
          }
          world.teardowns.delete(e.version);
          break;
        }
        case "route":
          world.route = e;
          break;
        case "startAnalysis":
          if (!world.runs.has(e.runId)) {
            world.runs.set(e.runId, {
              id: e.runId,
              kind: e.analysisKind,
              attempt: Number(/-a(\d+)$/.exec(e.runId)?.[1] ?? 1),
              templates: e.templates.map((t) => t.templateName),
              startedTick: world.tick,
              terminated: false,
            });
          }
          break;
        case "terminateAnalysis": {
          const run = world.runs.get(e.runId);
          if (run !== undefined) run.terminated = true;
          break;
        }
        case "teardown":
          world.teardowns.set(e.version, Date.parse(e.at));
          break;
        case "notify":
          world.notifications.push(e);
          break;
        case "wakeAt":
          break;
        case "callWebhook":
          if (!world.calls.some((c) => c.call.id === e.id)) world.calls.push({ call: e, tick: world.tick });
          break;
        case "loadTest":
          break;
      }
    }
    world.loadTests = effects.filter((e) => e.kind === "loadTest").map((e) => e.id);
  };

  const observe = (s: RolloutStatus) => {
    const ready = (version: string | null, desired: number) => {
      if (version === null) return false;
      const d = world.deployments.get(version);
      const running = d?.replicas ?? 0;
      return running === desired && (desired === 0 || (d !== undefined && world.tick >= d.readyAt));
    };
    const analysis: Record<string, AnalysisPhase> = {};
    for (const run of world.runs.values()) {
      const o = outcome(run);
      analysis[run.id] = o === "forever" || world.tick - run.startedTick < o.afterTicks ? "Running" : o.phase;
    }
    const webhooks: Record<string, WebhookOutcome> = {};
    for (const { call } of world.calls) {
      if (!call.awaited) continue;
      const answer = scenario.webhook?.(call, world.tick) ?? { passed: true, message: "HTTP 200" };
      if (answer !== "pending") webhooks[call.id] = answer;
    }
    return {
      canaryReady: ready(s.canaryVersion, s.canaryReplicas),
      stableReady: ready(s.stableVersion, scenario.spec.replicas),
      analysis,
      webhooks,
    };
  };

  for (let n = 0; n < maxTicks; n++) {
    for (const [version, at] of world.teardowns) {
      if (at <= world.now) {
        if (world.deployments.delete(version)) world.tornDown.push(version);
        world.teardowns.delete(version);
      }
    }
    if (world.tick > downUntil) {
      const at = new Date(world.now);
      const command = scenario.command?.(status, world.tick);
      // Like the I/O loop: decide, persist, apply; decide again at once while the status changes.
      // A restart re-applies what the crash lost, so it is followed by another decision too.
      let restarting = false;
      for (let round = 0; round < MAX_ROUNDS_PER_TICK; round++) {
        const given = round === 0 ? command : undefined;
        const result = decide(scenario.spec, status, observe(status), at, given);
        const before = JSON.stringify(status);
        // The shell persists the decision (a JSON round trip proves it is plain data) before acting.
        status = JSON.parse(JSON.stringify(result.status)) as RolloutStatus;
        const crashed = round === 0 && (scenario.crashAt?.(world.tick) ?? false);
        steps.push({
          tick: world.tick,
          at: at.toISOString(),
          ...(given && { command: given }),
          result,
          crashed,
        });
        if (crashed) {
          // The effects are lost. Restart at once (the next round: load, observe, decide) or later.
          const delay = scenario.restartAfterTicks ?? 0;
          if (delay > 0) {
            downUntil = world.tick + delay;
            break;
          }
          restarting = true;
          continue;
        }
        apply(result.effects);
        if (JSON.stringify(status) === before && !restarting) break;
        restarting = false;
      }
    }
    world.tick += 1;
    world.now += tickMs;
    if (steps.length > 0 && until(status, world.now)) break;
  }
  return { status, steps, world };
}

/** The history as "Event:stepIndex" strings, optionally of one event only. */
export function events(status: RolloutStatus, event?: string): string[] {
  return status.history
    .filter((h) => event === undefined || h.event === event)
    .map((h) => `${h.event}:${h.stepIndex ?? "-"}`);
}
