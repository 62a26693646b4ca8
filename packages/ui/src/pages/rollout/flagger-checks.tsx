/** What a Flagger-style analysis checks each interval: its metrics with their ranges and its webhooks with their types. */
import type {
  FlaggerMetricManifest,
  FlaggerWebhookManifest,
  RolloutAnalysisManifest,
} from "../../api/types.js";
import { ColumnHeads } from "../../components/column-heads.js";

/** Flagger's built-in metrics (docs/flagger.md), measured from the router's per-version counts. */
const BUILTIN: Readonly<Record<string, string>> = {
  "request-success-rate": "% of the canary's answers that are not 5xx",
  "request-duration": "the canary's P99 latency, ms",
};

/** The value passes when min <= value <= max; either bound may be left out. */
function describeRange(range: FlaggerMetricManifest["thresholdRange"]): string {
  const { min, max } = range ?? {};
  if (min !== undefined && max !== undefined) return `${min} ≤ value ≤ ${max}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return "—";
}

function measuredBy(m: FlaggerMetricManifest): string {
  const builtin = BUILTIN[m.name];
  if (builtin !== undefined) return `built-in: ${builtin}`;
  return m.templateRef === undefined ? "—" : `template ${m.templateRef.name}`;
}

function target(w: FlaggerWebhookManifest): string {
  if (w.url !== "ramp:load-test") return w.url;
  const cmd = w.metadata?.cmd;
  return cmd === undefined ? "built-in load test" : `built-in load test: ${cmd}`;
}

export function FlaggerChecks({ analysis }: { analysis: RolloutAnalysisManifest }) {
  const metrics = analysis.metrics ?? [];
  const webhooks = analysis.webhooks ?? [];
  return (
    <section className="card flagger-checks" aria-labelledby="checks-title">
      <h2 id="checks-title">Checks each interval</h2>
      <h3 id="metrics-title">Metrics</h3>
      {metrics.length === 0 ? (
        <p className="empty">No metrics: the webhooks are the only checks.</p>
      ) : (
        <div className="table-wrap">
          <table className="list" aria-labelledby="metrics-title">
            <ColumnHeads names={["Metric", "Passes when", "Window", "Measured by"]} />
            <tbody>
              {metrics.map((m) => (
                <tr key={m.name} data-metric={m.name}>
                  <td>
                    <strong>{m.name}</strong>
                  </td>
                  <td data-label="Passes when" className="num">
                    {describeRange(m.thresholdRange)}
                  </td>
                  <td data-label="Window">{m.interval ?? "1m"}</td>
                  <td data-label="Measured by">{measuredBy(m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 id="webhooks-title">Webhooks</h3>
      {webhooks.length === 0 ? (
        <p className="empty">No webhooks.</p>
      ) : (
        <div className="table-wrap">
          <table className="list" aria-labelledby="webhooks-title">
            <ColumnHeads names={["Webhook", "Type", "Calls"]} />
            <tbody>
              {webhooks.map((w) => (
                <tr key={w.name} data-webhook={w.name}>
                  <td>
                    <strong>{w.name}</strong>
                  </td>
                  <td data-label="Type">
                    <code>{w.type ?? "rollout"}</code>
                  </td>
                  <td data-label="Calls" className="mono small">
                    {target(w)}
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
