import { describe, expect, it } from "vitest";
import { decide, type RolloutCommand } from "./decide.js";
import {
  afterCommand,
  canarySpec,
  entries,
  healthy,
  only,
  outcomeBy,
  pausedIndefinitely,
  rollOut,
  seconds,
  withVersion,
} from "./fixtures.shared-test.js";
import { events, quiet, simulate } from "./simulator.shared-test.js";
import type { RolloutStatus } from "./status.js";

describe("canary: user commands", () => {
  const spec = canarySpec([
    { setWeight: 25 },
    { pause: { duration: "10m" } },
    { setWeight: 50 },
    { pause: {} },
    { setWeight: 75 },
  ]);
  const v2 = withVersion(spec, "v2");
  const atStep = (i: number) => (s: RolloutStatus) => s.stepIndex === i;

  it("promote skips a step that is still waiting (Argo: promote with nothing paused skips the current step)", () => {
    const waiting = rollOut(spec, "v2", { readyTicks: 10, until: atStep(0) });
    const next = afterCommand(waiting, v2, { kind: "promote" }, { readyTicks: 10, until: atStep(1) });
    expect(entries(next.status, "StepCompleted")[0]?.message).toBe("step 1/5: skipped by promote");
    expect(next.status.pauseConditions).toMatchObject([{ reason: "CanaryPauseStep" }]);
  });

  it("promote ends a timed pause early", () => {
    const paused = rollOut(spec, "v2", { until: atStep(1) });
    const next = afterCommand(paused, v2, { kind: "promote" }, { until: atStep(2) });
    expect(
      seconds(entries(next.status, "StepStarted")[1], entries(next.status, "StepCompleted")[1]),
    ).toBeLessThan(600);
    expect(entries(next.status, "StepCompleted")[1]?.message).toBe("step 2/5: promoted");
  });

  it("promoteFull skips the remaining steps and promotes once the canary runs every replica", () => {
    const paused = rollOut(spec, "v2", { until: atStep(1) });
    const full = afterCommand(paused, v2, { kind: "promoteFull", by: "ana" });
    expect(events(full.status, "StepStarted")).toEqual(["StepStarted:0", "StepStarted:1"]);
    expect(full.status).toMatchObject({ phase: "Healthy", stableVersion: "v2", promoteFull: false });
    expect(entries(full.status, "Promoted")[0]?.message).toBe(
      "v2 is stable (full promotion); v1 torn down in 30s",
    );
    const deploys = full.steps.flatMap((s) =>
      only(s.result.effects, "deploy").filter((d) => d.role === "canary"),
    );
    expect(deploys.at(-1)?.replicas).toBe(4);
  });

  it("pause holds the rollout, even past a pause deadline; resume lets it continue", () => {
    const timed = rollOut(spec, "v2", { until: atStep(1) });
    const held = afterCommand(timed, v2, { kind: "pause", by: "ops" }, { maxTicks: 40 });
    expect(held.status).toMatchObject({
      phase: "Paused",
      stepIndex: 1,
      message: "UserPause: paused by a user; resume continues",
    });
    const resumed = afterCommand(held, v2, { kind: "resume" }, { until: atStep(3) });
    const completed = entries(resumed.status, "StepCompleted")[1];
    expect(completed?.message).toBe("step 2/5: paused for 10m");
    expect(completed?.at).toBe(resumed.steps[0]?.at);
  });

  it("retry restarts an aborted update from the first step as a new revision", () => {
    const outcome = outcomeBy({ "r2-": { phase: "Failed", afterTicks: 1 } });
    const withAnalysis = canarySpec([
      { setWeight: 25 },
      { analysis: { templates: [{ templateName: "t" }] } },
      { setWeight: 50 },
    ]);
    const aborted = rollOut(withAnalysis, "v2", { outcome });
    expect(aborted.status).toMatchObject({ phase: "Degraded", revision: 2 });
    const retried = afterCommand(aborted, withVersion(withAnalysis, "v2"), { kind: "retry" }, { outcome });
    expect(retried.status).toMatchObject({ phase: "Healthy", revision: 3, stableVersion: "v2" });
    expect(
      retried.status.history
        .filter((h) => h.revision === 3 && h.event === "StepStarted")
        .map((h) => h.stepIndex),
    ).toEqual([0, 1, 2]);
    // The aborted canary was torn down 30 s after the abort; the retry deployed it again.
    const deploys = retried.steps[0]?.result.effects.filter((e) => e.kind === "deploy").map((e) => e.version);
    expect(deploys).toEqual(["v1", "v2"]);
    expect(retried.world.deployments.has("v2")).toBe(true);
  });

  it("undo after a promotion rolls the previous version out again, through the steps", () => {
    const promoted = rollOut(spec, "v2", {
      command: (s) => (pausedIndefinitely(s) ? { kind: "promote" } : undefined),
    });
    expect(promoted.status.stableVersion).toBe("v2");
    const undone = afterCommand(
      promoted,
      v2,
      { kind: "undo" },
      { command: (s) => (pausedIndefinitely(s) ? { kind: "promote" } : undefined) },
    );
    expect(entries(undone.status, "RevisionStarted").at(-1)?.message).toBe(
      "undo: rolling back to v1 (stable v2)",
    );
    expect(undone.status).toMatchObject({ stableVersion: "v1", previousStableVersion: "v2", revision: 3 });
    expect(
      events(
        { ...undone.status, history: undone.status.history.filter((h) => h.revision === 3) },
        "StepStarted",
      ),
    ).toHaveLength(5);
  });

  it("undo during an update goes straight back to the stable version", () => {
    const paused = rollOut(spec, "v2", { until: atStep(3) });
    const undone = afterCommand(paused, v2, { kind: "undo" }, { maxTicks: 1 });
    const effects = undone.steps[0]?.result.effects ?? [];
    expect(undone.status).toMatchObject({
      phase: "Healthy",
      stableVersion: "v1",
      canaryVersion: null,
      canaryWeight: 0,
      revision: 3,
    });
    expect(entries(undone.status, "RolledBack")[0]?.message).toBe(
      "back to stable v1 (undo); v2 is torn down",
    );
    expect(only(effects, "route")[0]).toMatchObject({ canaryVersion: null, weight: 0 });
    expect(only(effects, "teardown")).toEqual([
      {
        kind: "teardown",
        version: "v2",
        at: new Date(Date.parse(undone.steps[0]?.at ?? "") + 30_000).toISOString(),
      },
    ]);
  });

  it("setVersion while Healthy starts an update; during one it replaces the canary at once", () => {
    const base = healthy(spec);
    const started = afterCommand(base, spec, { kind: "setVersion", version: "v2" }, { until: atStep(1) });
    expect(started.status).toMatchObject({ canaryVersion: "v2", revision: 2, canaryWeight: 25 });
    const replaced = afterCommand(started, spec, { kind: "setVersion", version: "v3" }, { maxTicks: 1 });
    const effects = replaced.steps[0]?.result.effects ?? [];
    expect(replaced.status).toMatchObject({
      canaryVersion: "v3",
      revision: 3,
      stepIndex: 0,
      canaryWeight: 0,
      phase: "Progressing",
    });
    expect(only(effects, "teardown")).toEqual([
      { kind: "teardown", version: "v2", at: replaced.steps[0]?.at },
    ]);
    expect(only(effects, "route")[0]).toMatchObject({ canaryVersion: "v3", weight: 0 });
    const done = simulate({
      spec,
      status: replaced.status,
      world: replaced.world,
      until: quiet,
      command: (s) => (pausedIndefinitely(s) ? { kind: "promote" } : undefined),
    });
    expect(done.status).toMatchObject({ phase: "Healthy", stableVersion: "v3", previousStableVersion: "v1" });
    expect(done.world.tornDown).toEqual(["v2", "v1"]);
  });

  it("setVersion to the stable version during an update rolls back without an abort", () => {
    const paused = rollOut(spec, "v2", { until: atStep(1) });
    const back = afterCommand(paused, v2, { kind: "setVersion", version: "v1" }, { maxTicks: 1 });
    expect(back.status).toMatchObject({
      phase: "Healthy",
      stableVersion: "v1",
      canaryVersion: null,
      aborted: false,
    });
    expect(events(back.status).at(-1)).toBe("RolledBack:-");
  });

  it("a new version in the spec is a request for it; the same spec again changes nothing", () => {
    const base = healthy(spec);
    const first = decide(
      v2,
      base.status,
      { canaryReady: false, stableReady: true, analysis: {} },
      new Date(base.world.now),
    );
    expect(first.status).toMatchObject({ canaryVersion: "v2", observedVersion: "v2", revision: 2 });
    const again = decide(
      v2,
      first.status,
      { canaryReady: false, stableReady: true, analysis: {} },
      new Date(base.world.now),
    );
    expect(again.status).toEqual(first.status);
  });

  it("changed steps restart the update from the first step as a new revision (Argo)", () => {
    const paused = rollOut(spec, "v2", { until: atStep(3) });
    const edited = withVersion(canarySpec([{ setWeight: 10 }, { pause: {} }]), "v2");
    const next = simulate({ spec: edited, status: paused.status, world: paused.world, maxTicks: 1 });
    expect(next.status).toMatchObject({ revision: 3, stepIndex: 0, canaryVersion: "v2" });
    expect(entries(next.status, "RevisionStarted").at(-1)?.message).toBe("the steps changed: v2 starts over");
  });

  const refusals: { name: string; command: RolloutCommand; when: "healthy" | "progressing"; code: string }[] =
    [
      {
        name: "promote with nothing to promote",
        command: { kind: "promote" },
        when: "healthy",
        code: "NOTHING_TO_PROMOTE",
      },
      {
        name: "promoteFull with nothing to promote",
        command: { kind: "promoteFull" },
        when: "healthy",
        code: "NOTHING_TO_PROMOTE",
      },
      { name: "abort with no update", command: { kind: "abort" }, when: "healthy", code: "NOTHING_TO_ABORT" },
      {
        name: "retry of an update that did not abort",
        command: { kind: "retry" },
        when: "progressing",
        code: "NOT_ABORTED",
      },
      {
        name: "resume at a pause step",
        command: { kind: "resume" },
        when: "progressing",
        code: "NOT_PAUSED",
      },
      {
        name: "undo with no previous version",
        command: { kind: "undo" },
        when: "healthy",
        code: "NOTHING_TO_UNDO",
      },
      {
        name: "setVersion to the version rolled out",
        command: { kind: "setVersion", version: "v2" },
        when: "progressing",
        code: "NO_CHANGE",
      },
      {
        name: "setVersion to a malformed name",
        command: { kind: "setVersion", version: "v 2" },
        when: "healthy",
        code: "INVALID_VERSION",
      },
    ];
  it.each(refusals)("refuses $name ($code) and leaves the status alone", ({ command, when, code }) => {
    const sim = when === "healthy" ? healthy(spec) : rollOut(spec, "v2", { until: atStep(1) });
    const obs = { canaryReady: true, stableReady: true, analysis: {} };
    const now = new Date(sim.world.now);
    const refused = decide(when === "healthy" ? spec : v2, sim.status, obs, now, command);
    const plain = decide(when === "healthy" ? spec : v2, sim.status, obs, now);
    expect(refused.refused?.code).toBe(code);
    expect(refused.status).toEqual(plain.status);
  });
});
