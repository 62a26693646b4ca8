import { describe, expect, it } from "vitest";
import { canarySpec, outcomeBy, rollOut } from "../../rollouts/fixtures.shared-test.js";
import type { SimulationResult } from "../../rollouts/simulator.shared-test.js";
import { initialStatus, type RolloutStatus } from "../../rollouts/status.js";
import { notificationEventOf, notificationsOf } from "./notification.js";

const steps = [
  { setWeight: 20 },
  { pause: { duration: 30 } },
  { analysis: { templates: [{ templateName: "success-rate" }] } },
  { setWeight: 60 },
];
const spec = canarySpec(steps);

/** Notifications as the shell publishes them: one decision at a time, each against the one before. */
function published(sim: SimulationResult, from: RolloutStatus) {
  let before = from;
  return sim.steps.flatMap((s) => {
    const out = notificationsOf(spec, before, s.result.status);
    before = s.result.status;
    return out;
  });
}

describe("notificationsOf (from real decide() histories)", () => {
  it("a promoted rollout: started, every step completed once (the pause step paused), then completed", () => {
    const base = rollOut(spec, "v1");
    const sim = rollOut(spec, "v2");
    const all = published(sim, base.status).filter((n) => n.revision === 2);
    expect(all.map((n) => `${n.event}@${n.stepIndex}`)).toEqual([
      "Started@null",
      "StepCompleted@0",
      // Argo's on-rollout-paused fires for a timed pause step too.
      "Paused@1",
      "StepCompleted@1",
      "StepCompleted@2",
      "StepCompleted@3",
      "Completed@null",
    ]);
    expect(new Set(all.map((n) => n.seq)).size).toBe(all.length);
    const firstStep = all[1];
    expect(all[2]).toMatchObject({
      severity: "warning",
      message: expect.stringContaining("CanaryPauseStep"),
    });
    expect(firstStep).toMatchObject({
      rollout: "web",
      namespace: "default",
      historyEvent: "StepCompleted",
      severity: "info",
      weight: 20,
      steps: 4,
      revision: 2,
    });
    expect(all[6]).toMatchObject({ phase: "Healthy", stableVersion: "v2", canaryVersion: null, weight: 0 });
  });

  it("an aborted rollout: analysis failed, then aborted, with the failing run in the message", () => {
    const base = rollOut(spec, "v1");
    const sim = rollOut(spec, "v2", { outcome: outcomeBy({ step2: { phase: "Failed", afterTicks: 1 } }) });
    const all = published(sim, base.status).filter((n) => n.revision === 2);
    expect(all.map((n) => n.event)).toEqual([
      "Started",
      "StepCompleted",
      "Paused",
      "StepCompleted",
      "AnalysisFailed",
      "Aborted",
    ]);
    const [failed, aborted] = all.slice(4);
    expect(failed).toMatchObject({ historyEvent: "AnalysisCompleted", severity: "error" });
    expect(failed?.message).toMatch(/analysis run web-r2-step2 Failed$/);
    expect(aborted).toMatchObject({ severity: "error", phase: "Degraded", canaryVersion: "v2", weight: 0 });
  });

  it("publishing the same decision again makes nothing new (entries are told apart by seq)", () => {
    const sim = rollOut(spec, "v2");
    expect(notificationsOf(spec, sim.status, sim.status)).toEqual([]);
    expect(notificationsOf(spec, initialStatus(), sim.status).length).toBeGreaterThan(5);
  });

  it("maps only the notable history events; a successful or inconclusive run is no notification", () => {
    const of = (event: string, message = "") => notificationEventOf({ event: event as "Paused", message });
    expect(of("AnalysisCompleted", "analysis run x Successful")).toBeNull();
    expect(of("AnalysisCompleted", "analysis run x Inconclusive")).toBeNull();
    expect(of("AnalysisCompleted", "analysis run x Error")).toBe("AnalysisFailed");
    expect(of("Promoted")).toBe("Completed");
    expect(of("RevisionStarted")).toBe("Started");
    expect(of("WeightChanged")).toBeNull();
    expect(of("StepStarted")).toBeNull();
    expect(of("AnalysisStarted")).toBeNull();
    expect(of("WebhookHeld", "confirm-promotion webhook gate holds the rollout: HTTP 403")).toBe("Paused");
    expect(of("CheckFailed")).toBeNull();
  });
});
