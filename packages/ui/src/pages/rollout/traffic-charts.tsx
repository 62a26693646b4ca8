/**
 * Live canary-vs-stable charts (request rate, error rate, p99 latency) from the router's per-version
 * windows (GET …/traffic/series), re-read every 2 s while the page is open.
 */
import { useEffect, useMemo } from "react";
import type { TrafficPoint, TrafficSeries } from "../../api/types.js";
import { ErrorBox } from "../../components/format.js";
import { TimeChart } from "../../components/time-chart.js";
import { useSession } from "../../session-context.js";
import { useLoad } from "../../use-load.js";

const ROLES = [
  { role: "stable", color: "#1f4fd1" },
  { role: "canary", color: "#c2410c" },
] as const;

type Metric = (p: TrafficPoint) => number | null;

/** Aligns both roles on one time axis: [ts, stable values, canary values] with gaps where a role had no window. */
export function align(series: TrafficSeries, metric: Metric): [number[], ...(number | null)[][]] {
  const ts = [...new Set(series.versions.flatMap((v) => v.points.map((p) => p.t)))].sort((a, b) => a - b);
  const columns = ROLES.map(({ role }) => {
    const byT = new Map<number, number | null>();
    for (const v of series.versions.filter((x) => x.role === role))
      for (const p of v.points) byT.set(p.t, metric(p));
    return ts.map((t) => byT.get(t) ?? null);
  });
  return [ts, ...columns];
}

export function TrafficCharts({ name }: { name: string }) {
  const { api } = useSession();
  const series = useLoad(() => api.trafficSeries(name, 300), [api, name]);
  useEffect(() => {
    const t = setInterval(series.reload, 2000);
    return () => clearInterval(t);
  }, [series.reload]);

  const s = series.data;
  const labels = useMemo(
    () =>
      ROLES.map(({ role, color }) => {
        const versions = [
          ...new Set((s?.versions ?? []).filter((v) => v.role === role).map((v) => v.version)),
        ];
        return { label: `${role}${versions.length > 0 ? ` ${versions.join(", ")}` : ""}`, color };
      }),
    [s],
  );
  const charts = useMemo(
    () =>
      s === undefined
        ? undefined
        : {
            rps: align(s, (p) => p.requestsPerSecond),
            // A window without requests has no error rate: a gap, not 0%.
            errors: align(s, (p) => (p.errorRate === null ? null : p.errorRate * 100)),
            p99: align(s, (p) => p.p99Ms),
          },
    [s],
  );

  return (
    <section className="card" aria-labelledby="traffic-title">
      <h2 id="traffic-title">
        Traffic <span className="muted small">canary vs stable, last 5 minutes, live</span>
      </h2>
      <ErrorBox error={series.error} title="Could not load the traffic" />
      {s !== undefined && !s.measured && (
        <p className="empty">
          The router measures nothing for this rollout here (no built-in proxy, or another replica runs it).
        </p>
      )}
      {charts !== undefined && s?.measured === true && (
        <div className="charts">
          <TimeChart title="Requests per second" series={labels} data={charts.rps} unit="/s" />
          <TimeChart title="Error rate" series={labels} data={charts.errors} unit="%" />
          <TimeChart title="Latency p99" series={labels} data={charts.p99} unit="ms" />
        </div>
      )}
    </section>
  );
}
