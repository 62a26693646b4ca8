/**
 * A Flagger-style rollout's analysis (docs/flagger.md) in place of the step list: the planned weights
 * with the current one marked, failed checks against the threshold, the interval and the next check
 * (live), and the webhook that holds the rollout, if one does.
 */
import { useEffect, useState } from "react";
import type { FlaggerStatus, RolloutAnalysisManifest, RolloutDetail } from "../../api/types.js";
import { PhaseBadge } from "../../components/format.js";
import {
  describeMatch,
  type FlaggerPlan,
  flaggerPlan,
  formatSeconds,
  type PlanStep,
  planPosition,
  planSummary,
} from "./flagger-plan.js";
import "./flagger-panel.css";

/** The time now, every second: what a relative time needs to stay true without new data. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function NextCheck({ f }: { f: FlaggerStatus }) {
  const now = useNow();
  if (f.phase === "Succeeded" || f.phase === "Failed") return <>none: the analysis is over</>;
  if (f.nextAt === null)
    return <>{f.stage === null ? "—" : `interval ${f.interval} in progress (${f.stage})`}</>;
  const seconds = Math.ceil((Date.parse(f.nextAt) - now) / 1000);
  return (
    <time dateTime={f.nextAt} title={new Date(f.nextAt).toLocaleString()} data-testid="next-check">
      {seconds <= 0 ? "due now" : `in ${formatSeconds(seconds)}`}
    </time>
  );
}

function stepLabel(p: PlanStep, plan: FlaggerPlan, a: RolloutAnalysisManifest, version: string): string {
  switch (p.kind) {
    case "mirror":
      return `Mirror ${p.percentage}% of requests to the canary`;
    case "weight":
      return `${p.weight}% of traffic${p.max ? " (max weight)" : ""}`;
    case "iterations":
      return plan.mode === "blueGreen"
        ? `${p.count} iterations with no user traffic`
        : `${p.count} iterations on requests with ${describeMatch(a.match)}`;
    case "switch":
      return "All traffic to the new version, one more round of checks";
    case "promotion-step":
      return `Promotion: the new version at ${p.weight}%`;
    case "promotion": {
      const gates = (a.webhooks ?? []).filter((w) => w.type === "confirm-promotion").map((w) => w.name);
      const after = gates.length === 0 ? "" : ` after confirm-promotion (${gates.join(", ")})`;
      return `Promotion${after}: ${version} becomes stable`;
    }
  }
}

/** The highest weight the canary reached in this revision: where an aborted analysis stopped. */
function reachedWeight(rollout: RolloutDetail): number {
  let reached = 0;
  for (const h of rollout.status.history ?? [])
    if (h.revision === rollout.revision) reached = Math.max(reached, h.weight);
  return reached;
}

function PlanTimeline({
  rollout,
  plan,
  analysis,
  f,
}: Props & { plan: FlaggerPlan; f: FlaggerStatus | undefined }) {
  const failed = f?.phase === "Failed";
  const mirrorRoutes = rollout.status.mirrorRoutes;
  const position =
    f === undefined
      ? -1
      : planPosition(plan, {
          phase: f.phase,
          weight: failed ? reachedWeight(rollout) : rollout.canaryWeight,
          iterations: f.iterations,
          mirroring: Array.isArray(mirrorRoutes) && mirrorRoutes.length > 0,
        });
  const promoted = f?.phase === "Succeeded" ? rollout.stableVersion : null;
  const version = rollout.canaryVersion ?? promoted ?? "the new version";
  return (
    <ol className="timeline flagger-plan" aria-label="Planned steps">
      {plan.steps.map((p, i) => {
        const state = i < position ? "done" : i === position ? (failed ? "aborted" : "current") : "todo";
        return (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: the plan is positional.
            key={i}
            className={`step step-${state}`}
            data-step={p.kind}
            data-weight={"weight" in p ? p.weight : undefined}
            aria-current={state === "current" ? "step" : undefined}
          >
            <span className="step-dot" aria-hidden="true">
              {state === "done" ? "✓" : state === "aborted" ? "✕" : i + 1}
            </span>
            <span className="step-label">{stepLabel(p, plan, analysis, version)}</span>
            {state === "current" && p.kind === "iterations" && f !== undefined && (
              <span className="small">
                iteration {Math.min(f.iterations, p.count)} / {p.count}
              </span>
            )}
            {state === "current" && <span className="badge now">now</span>}
            {state === "aborted" && <span className="badge phase-degraded">rolled back here</span>}
          </li>
        );
      })}
    </ol>
  );
}

interface Props {
  readonly rollout: RolloutDetail;
  readonly analysis: RolloutAnalysisManifest;
}

export function FlaggerPanel({ rollout, analysis }: Props) {
  const plan = flaggerPlan(analysis);
  // status.flagger belongs to one revision: a newer revision whose analysis has not started shows none.
  const flagger = rollout.status.flagger;
  const f = flagger !== undefined && flagger.revision === rollout.revision ? flagger : undefined;
  return (
    <section className="card flagger-panel" aria-labelledby="flagger-title">
      <h2 id="flagger-title">
        Analysis{" "}
        <span className="muted small">Flagger-style, every {formatSeconds(plan.intervalSeconds)}</span>
      </h2>
      {f !== undefined && f.heldBy !== null && (
        <div className="held-notice" role="status" data-testid="flagger-held">
          <strong>
            Held by {f.heldBy.type} webhook {f.heldBy.name}
          </strong>
          : {f.heldBy.message}
        </div>
      )}
      <p className="muted small">{planSummary(plan, analysis)}</p>
      <PlanTimeline rollout={rollout} analysis={analysis} plan={plan} f={f} />
      {f === undefined ? (
        <p className="empty">The analysis starts when a new version is set.</p>
      ) : (
        <dl className="facts flagger-facts">
          <dt>Analysis</dt>
          <dd>
            <PhaseBadge phase={f.phase} />
          </dd>
          <dt>Failed checks</dt>
          <dd data-testid="failed-checks" className={f.failedChecks > 0 ? "checks-failing" : undefined}>
            {f.failedChecks} / {plan.threshold}
          </dd>
          <dt>Interval</dt>
          <dd data-testid="flagger-interval">
            {f.interval}
            {f.stage !== null && <span className="muted small"> · checking: {f.stage}</span>}
          </dd>
          {plan.mode !== "canary" && (
            <>
              <dt>Iterations</dt>
              <dd>
                {f.iterations} / {plan.iterations}
              </dd>
            </>
          )}
          <dt>Next check</dt>
          <dd>
            <NextCheck f={f} />
          </dd>
        </dl>
      )}
    </section>
  );
}
