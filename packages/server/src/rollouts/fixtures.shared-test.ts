/** Rollouts, scenarios and history helpers shared by the decision tests. */
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { compileRollout } from "./compile.js";
import type { Effect, RolloutCommand } from "./decide.js";
import { loadRolloutFile } from "./load.js";
import type { RolloutSpec } from "./rollout.js";
import {
  type RunInfo,
  type RunOutcome,
  type Scenario,
  type SimulationResult,
  simulate,
} from "./simulator.shared-test.js";
import type { HistoryEntry, RolloutStatus } from "./status.js";

export const example = (name: string) =>
  fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));

export function load(name: string): RolloutSpec {
  const rollout = loadRolloutFile(example(name)).rollouts[0]?.rollout;
  if (rollout === undefined) throw new Error(`${name} does not load`);
  return rollout;
}

export function specOf(spec: Record<string, unknown>, name = "web"): RolloutSpec {
  const result = compileRollout({
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  return result.rollout;
}

export function canarySpec(
  steps: unknown[],
  canary: Record<string, unknown> = {},
  replicas = 4,
): RolloutSpec {
  return specOf({
    replicas,
    version: "v1",
    strategy: { canary: { steps, trafficRouting: { proxy: { listen: "127.0.0.1:8080" } }, ...canary } },
  });
}

export function blueGreenSpec(blueGreen: Record<string, unknown>, replicas = 2): RolloutSpec {
  return specOf({
    replicas,
    version: "v1",
    strategy: { blueGreen: { activeService: "active", ...blueGreen } },
  });
}

export const withVersion = (spec: RolloutSpec, version: string): RolloutSpec => ({ ...spec, version });

/** The spec's version deployed and healthy. */
export function healthy(spec: RolloutSpec): SimulationResult {
  const sim = simulate({ spec });
  expect(sim.status.phase).toBe("Healthy");
  return sim;
}

/** From a healthy `spec`, the spec's version changed to `version`: a new rollout. */
export function rollOut(
  spec: RolloutSpec,
  version: string,
  scenario: Partial<Scenario> = {},
): SimulationResult {
  const base = healthy(spec);
  return simulate({ ...scenario, spec: withVersion(spec, version), status: base.status, world: base.world });
}

/** Continues a simulation with one command at its first tick. */
export function afterCommand(
  sim: SimulationResult,
  spec: RolloutSpec,
  command: RolloutCommand,
  scenario: Partial<Scenario> = {},
) {
  const tick = sim.world.tick;
  return simulate({
    ...scenario,
    spec,
    status: sim.status,
    world: sim.world,
    command: (s, t) => (t === tick ? command : scenario.command?.(s, t)),
  });
}

export const outcomeBy =
  (table: Record<string, RunOutcome>, fallback: RunOutcome = { phase: "Successful", afterTicks: 2 }) =>
  (run: RunInfo): RunOutcome => {
    for (const [pattern, outcome] of Object.entries(table))
      if (new RegExp(pattern).test(run.id)) return outcome;
    return fallback;
  };

export const entries = (status: RolloutStatus, event: HistoryEntry["event"]) =>
  status.history.filter((h) => h.event === event);
export const seconds = (a: HistoryEntry | undefined, b: HistoryEntry | undefined) =>
  (Date.parse(b?.at ?? "") - Date.parse(a?.at ?? "")) / 1000;
export const effectsOf = (sim: SimulationResult) => sim.steps[sim.steps.length - 1]?.result.effects ?? [];
export const only = <K extends Effect["kind"]>(effects: readonly Effect[], kind: K) =>
  effects.filter((e): e is Extract<Effect, { kind: K }> => e.kind === kind);
export const pausedIndefinitely = (s: RolloutStatus) =>
  s.phase === "Paused" && s.pauseConditions.some((p) => p.until === null);
