/**
 * The analysis runs of the rollout's current revision: each metric's condition and every measurement,
 * with the value, the verdict and why (the condition it met or missed, or the provider's message).
 */
import type { AnalysisRun, Measurement, MetricSpec } from "../../api/types.js";
import { ColumnHeads } from "../../components/column-heads.js";
import { PhaseBadge, time } from "../../components/format.js";

function formatValue(v: string | undefined): string {
  if (v === undefined || v === "") return "—";
  const n = Number(v);
  if (!Number.isFinite(n)) return v;
  return Number.isInteger(n) ? String(n) : n.toPrecision(4);
}

/** Why a measurement got its phase, in words: the condition it met or missed, or the provider's message. */
export function why(m: Measurement, spec: MetricSpec | undefined): string {
  const success = spec?.successCondition;
  const failure = spec?.failureCondition;
  const value = formatValue(m.value);
  switch (m.phase) {
    case "Successful":
      return success !== undefined
        ? `result = ${value} meets ${success}`
        : `result = ${value} does not meet the failure condition ${failure ?? ""}`.trim();
    case "Failed":
      return failure !== undefined
        ? `result = ${value} meets the failure condition ${failure}`
        : `result = ${value} does not meet ${success ?? "the success condition"}`;
    case "Inconclusive":
      return m.message ?? `result = ${value} meets neither condition`;
    default:
      return m.message ?? "";
  }
}

function limits(spec: MetricSpec | undefined): string {
  if (spec === undefined) return "";
  const parts = [
    spec.count !== undefined ? `${spec.count} measurements` : undefined,
    spec.interval !== undefined ? `every ${spec.interval}` : undefined,
    `failure limit ${spec.failureLimit ?? 0}`,
  ];
  return parts.filter((p) => p !== undefined).join(", ");
}

export function AnalysisRuns({ runs }: { runs: readonly AnalysisRun[] }) {
  if (runs.length === 0) return <p className="empty">No analysis runs in this revision yet.</p>;
  return (
    <div className="runs">
      {[...runs].reverse().map((run) => (
        <article key={run.name} className="run" data-run={run.name} aria-label={`Analysis run ${run.name}`}>
          <h3>
            {run.name} <PhaseBadge phase={run.status?.phase ?? "Pending"} />
          </h3>
          {run.status?.message !== undefined && <p className="small">{run.status.message}</p>}
          {(run.status?.metricResults ?? []).map((mr) => {
            const spec = run.spec.metrics.find((m) => m.name === mr.name);
            return (
              <div key={mr.name} className="metric">
                <h4>
                  {mr.name} <PhaseBadge phase={mr.phase} />{" "}
                  <span className="muted small">
                    {spec?.successCondition !== undefined && (
                      <>
                        pass when <code>{spec.successCondition}</code>
                      </>
                    )}
                    {spec?.failureCondition !== undefined && (
                      <>
                        {" "}
                        fail when <code>{spec.failureCondition}</code>
                      </>
                    )}{" "}
                    · {limits(spec)}
                  </span>
                </h4>
                <div className="table-wrap">
                  <table className="measurements">
                    <ColumnHeads names={["#", "Phase", "Value", "Why", "Finished"]} />
                    <tbody>
                      {(mr.measurements ?? []).map((m, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: measurements only grow.
                        <tr key={i} className={`m-${m.phase.toLowerCase()}`}>
                          <td>{i + 1}</td>
                          <td>
                            <PhaseBadge phase={m.phase} />
                          </td>
                          <td className="num">{formatValue(m.value)}</td>
                          <td>{why(m, spec)}</td>
                          <td className="small">{time(m.finishedAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
            );
          })}
        </article>
      ))}
    </div>
  );
}
