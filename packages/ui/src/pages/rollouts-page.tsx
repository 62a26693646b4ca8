/** Every rollout with its phase, versions and current canary weight, updated by the event stream. */
import type { RolloutSummary } from "../api/types.js";
import { ColumnHeads } from "../components/column-heads.js";
import { ErrorBox, PhaseBadge } from "../components/format.js";
import { WeightBar } from "../components/weight-bar.js";
import { Link } from "../router.js";
import { useLive, useSession } from "../session-context.js";
import { useLoad } from "../use-load.js";

export function RolloutsPage() {
  const { api } = useSession();
  const rollouts = useLoad(() => api.rollouts(), [api]);
  useLive((e) => {
    if (e.type === "resync") rollouts.reload();
    if (e.type !== "rollout") return;
    const list = rollouts.data ?? [];
    const summary: RolloutSummary = e.data.summary;
    rollouts.set(
      list.some((r) => r.name === summary.name)
        ? list.map((r) => (r.name === summary.name ? summary : r))
        : [...list, summary].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  return (
    <section aria-labelledby="rollouts-title">
      <div className="page-head">
        <h1 id="rollouts-title">Rollouts</h1>
      </div>
      <ErrorBox error={rollouts.error} title="Could not load the rollouts" />
      {rollouts.data !== undefined && rollouts.data.length === 0 && (
        <p className="empty">
          No rollouts yet: <code>ramp rollout apply -f examples/rollout.yaml</code>, or <code>npm start</code>{" "}
          for the demo.
        </p>
      )}
      {rollouts.data !== undefined && rollouts.data.length > 0 && (
        <div className="table-wrap">
          <table className="list rollouts">
            <ColumnHeads names={["Rollout", "Phase", "Canary weight", "Stable", "Canary", "Message"]} />
            <tbody>
              {rollouts.data.map((r) => (
                <tr key={r.name} data-rollout={r.name}>
                  <td data-label="Rollout">
                    <Link href={`/rollouts/${encodeURIComponent(r.name)}`} className="strong">
                      {r.name}
                    </Link>
                    <div className="muted small">revision {r.revision}</div>
                  </td>
                  <td data-label="Phase">
                    <PhaseBadge phase={r.phase} />
                  </td>
                  <td data-label="Weight">
                    <WeightBar weight={r.canaryWeight} />
                  </td>
                  <td data-label="Stable">{r.stableVersion ?? "—"}</td>
                  <td data-label="Canary">{r.canaryVersion ?? "—"}</td>
                  <td data-label="Message" className="small">
                    {r.message ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
