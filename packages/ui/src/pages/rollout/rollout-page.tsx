/**
 * One rollout: phase and weight, the step timeline (or a Flagger-style analysis's plan and checks), live
 * traffic, analysis runs, history and the operator's actions.
 */
import { ErrorBox, PhaseBadge, time } from "../../components/format.js";
import { NotLoaded } from "../../components/not-loaded.js";
import { WeightBar } from "../../components/weight-bar.js";
import { Link } from "../../router.js";
import { useLive, useSession } from "../../session-context.js";
import { useLoad, useThrottled } from "../../use-load.js";
import { AnalysisRuns } from "./analysis-runs.js";
import { FlaggerChecks } from "./flagger-checks.js";
import { FlaggerPanel } from "./flagger-panel.js";
import { isFlaggerAnalysis } from "./flagger-plan.js";
import { RolloutActions } from "./rollout-actions.js";
import { StepTimeline } from "./step-timeline.js";
import { TrafficCharts } from "./traffic-charts.js";

export function RolloutPage({ name }: { name: string }) {
  const { api } = useSession();
  const detail = useLoad(() => api.rollout(name), [api, name]);
  const revision = detail.data?.revision;
  const runs = useLoad(
    () => (revision === undefined ? Promise.resolve([]) : api.analysisRuns(name, revision)),
    [api, name, revision],
  );
  const reloadDetail = useThrottled(detail.reload, 250);
  const reloadRuns = useThrottled(runs.reload, 500);
  useLive((e) => {
    if ((e.type === "rollout" && e.data.name === name) || e.type === "resync") {
      reloadDetail();
      reloadRuns();
    }
  });

  const r = detail.data;
  if (r === undefined)
    return <NotLoaded back={{ href: "/rollouts", label: "Rollouts" }} name={name} error={detail.error} />;
  const history = [...(r.status.history ?? [])].reverse().slice(0, 30);
  const analysis = r.spec.spec?.analysis;
  const flagger = isFlaggerAnalysis(analysis) ? analysis : undefined;
  return (
    <article aria-labelledby="rollout-title" className="rollout-page">
      <p className="crumbs">
        <Link href="/rollouts">← Rollouts</Link>
      </p>
      <header className="page-head">
        <div>
          <h1 id="rollout-title">
            {r.name} <PhaseBadge phase={r.phase} />
          </h1>
          <p className="muted" data-testid="rollout-message">
            {r.message}
          </p>
        </div>
        <dl className="facts big">
          <dt>Canary weight</dt>
          <dd data-testid="canary-weight">
            <WeightBar weight={r.canaryWeight} />
          </dd>
          <dt>Stable</dt>
          <dd>{r.stableVersion ?? "—"}</dd>
          <dt>Canary</dt>
          <dd>{r.canaryVersion ?? "—"}</dd>
          <dt>Revision</dt>
          <dd>{r.revision}</dd>
        </dl>
      </header>
      <RolloutActions rollout={r} onDone={(s) => (s === undefined ? detail.reload() : reloadDetail())} />
      <div className="two-col wide-right">
        {flagger === undefined ? (
          <section className="card" aria-labelledby="steps-title">
            <h2 id="steps-title">Steps</h2>
            <StepTimeline rollout={r} />
          </section>
        ) : (
          <FlaggerPanel rollout={r} analysis={flagger} />
        )}
        <TrafficCharts name={r.name} />
      </div>
      {flagger !== undefined && <FlaggerChecks analysis={flagger} />}
      <section className="card" aria-labelledby="runs-title">
        <h2 id="runs-title">Analysis runs (revision {r.revision})</h2>
        <ErrorBox error={runs.error} title="Could not load the analysis runs" />
        {runs.data !== undefined && <AnalysisRuns runs={runs.data} />}
      </section>
      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <ol className="events">
          {history.map((h) => (
            <li key={h.seq}>
              <time dateTime={h.at} className="muted small">
                {time(h.at)}
              </time>{" "}
              <strong>{h.event}</strong> {h.message}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
