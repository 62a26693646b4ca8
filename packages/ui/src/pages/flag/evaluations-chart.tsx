/** Evaluations per variant over the last hour (10 s buckets counted by the server), kept live. */
import { useEffect, useMemo, useState } from "react";
import { Field } from "../../components/field.js";
import { ErrorBox } from "../../components/format.js";
import { TimeChart } from "../../components/time-chart.js";
import { useLive, useSession } from "../../session-context.js";
import { useLoad, useThrottled } from "../../use-load.js";

const COLORS = ["#1f4fd1", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#a16207"];

export function EvaluationsChart({ flagKey }: { flagKey: string }) {
  const { api, env } = useSession();
  const [minutes, setMinutes] = useState(15);
  const series = useLoad(() => api.evaluations(flagKey, env, minutes), [api, flagKey, env, minutes]);
  const reload = useThrottled(series.reload, 1000);
  useLive((e) => {
    if (
      (e.type === "evaluations" && e.data.flag === flagKey && e.data.environment === env) ||
      e.type === "resync"
    )
      reload();
  });
  // The buckets move on with the clock even when nothing is evaluated.
  useEffect(() => {
    const t = setInterval(reload, 10_000);
    return () => clearInterval(t);
  }, [reload]);

  const chart = useMemo(() => {
    const s = series.data?.series ?? [];
    const xs = s[0]?.points.map((p) => p[0] ?? 0) ?? [];
    return {
      series: s.map((v, i) => ({ label: v.variant, color: COLORS[i % COLORS.length] ?? "#333" })),
      data: [xs, ...s.map((v) => v.points.map((p) => p[1] ?? 0))] as [number[], ...number[][]],
      total: s.map((v) => ({ variant: v.variant, count: v.points.reduce((n, p) => n + (p[1] ?? 0), 0) })),
    };
  }, [series.data]);

  return (
    <section aria-labelledby="evals-title" className="card">
      <div className="row spread">
        <h2 id="evals-title">
          Evaluations in {env}{" "}
          <span className="muted small">per 10 s, counted by the server and reported by SDKs</span>
        </h2>
        <Field label="Window">
          <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            <option value={5}>5 minutes</option>
            <option value={15}>15 minutes</option>
            <option value={60}>1 hour</option>
          </select>
        </Field>
      </div>
      <ErrorBox error={series.error} title="Could not load the evaluations" />
      {series.data !== undefined && chart.series.length === 0 && (
        <p className="empty">No evaluations in this window.</p>
      )}
      {chart.series.length > 0 && (
        <>
          <TimeChart title="Evaluations per variant" series={chart.series} data={chart.data} />
          <p className="totals">
            {chart.total.map((t) => (
              <span key={t.variant} data-variant={t.variant}>
                {t.variant}: <strong>{t.count}</strong>
              </span>
            ))}
          </p>
        </>
      )}
    </section>
  );
}
