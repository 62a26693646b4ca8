/** The rollout's steps in order: done, current (marked) and to come. */
import type { CanaryStep, RolloutDetail } from "../../api/types.js";

export function stepLabel(s: CanaryStep): string {
  if (s.setWeight !== undefined) return `Set weight ${s.setWeight}%`;
  if (s.pause !== undefined)
    return s.pause.duration === undefined ? "Pause until promoted" : `Pause ${s.pause.duration}`;
  if (s.analysis !== undefined)
    return `Analysis: ${(s.analysis.templates ?? []).map((t) => t.templateName).join(", ") || "inline"}`;
  if (s.setHeaderRoute !== undefined) return `Header route ${s.setHeaderRoute.name ?? ""}`.trim();
  if (s.setMirrorRoute !== undefined) return `Mirror route ${s.setMirrorRoute.name ?? ""}`.trim();
  if (s.setCanaryScale !== undefined) return "Set canary scale";
  return Object.keys(s)[0] ?? "step";
}

/** An abort resets the step index; the step it stopped at is the last one this revision started. */
function abortedAt(rollout: RolloutDetail): number {
  let at = rollout.stepIndex ?? 0;
  for (const h of rollout.status.history ?? [])
    if (h.revision === rollout.revision && h.event === "StepStarted" && h.stepIndex !== null)
      at = h.stepIndex;
  return at;
}

export function StepTimeline({ rollout }: { rollout: RolloutDetail }) {
  const strategy = rollout.spec.spec?.strategy;
  const steps = strategy?.canary?.steps ?? [];
  if (strategy?.blueGreen !== undefined)
    return (
      <p>
        Blue-green: preview <code>{rollout.canaryVersion ?? "—"}</code>, active{" "}
        <code>{rollout.stableVersion ?? "—"}</code>.
      </p>
    );
  if (steps.length === 0) return <p className="empty">No steps: a new version goes straight to 100%.</p>;
  const idle = rollout.canaryVersion === null || rollout.canaryVersion === undefined;
  const current = rollout.aborted ? abortedAt(rollout) : (rollout.stepIndex ?? (idle ? steps.length : 0));
  return (
    <ol className="timeline">
      {steps.map((s, i) => {
        const state =
          (idle && !rollout.aborted) || i < current
            ? "done"
            : i === current
              ? rollout.aborted
                ? "aborted"
                : "current"
              : "todo";
        return (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: steps are positional.
            key={i}
            className={`step step-${state}`}
            aria-current={state === "current" ? "step" : undefined}
          >
            <span className="step-dot" aria-hidden="true">
              {state === "done" ? "✓" : state === "aborted" ? "✕" : i + 1}
            </span>
            <span className="step-label">{stepLabel(s)}</span>
            {state === "current" && <span className="badge now">now</span>}
            {state === "aborted" && <span className="badge phase-degraded">aborted here</span>}
          </li>
        );
      })}
    </ol>
  );
}
