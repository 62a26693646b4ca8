/**
 * A time series chart on uPlot: x in epoch seconds, one line per series, resized with its container.
 * The plot is created once per set of series and fed new data in place, so live updates do not flicker.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
}

export interface TimeChartProps {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  /** [xs, ...one y array per series]; null is a gap. */
  readonly data: readonly [readonly number[], ...(readonly (number | null)[])[]];
  readonly unit?: string;
  readonly height?: number;
}

export function TimeChart(p: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const key = p.series.map((s) => `${s.label}:${s.color}`).join("|");
  const height = p.height ?? 180;
  const unit = p.unit ?? "";

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series change (key).
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: false },
      // Room on the right for the last time label, which uPlot centres on the edge.
      padding: [8, 36, 0, 0],
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      // Whole seconds at least, as wall-clock times: sub-second ticks mean nothing for 2 s windows.
      axes: [
        {
          incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600],
          values: (_u, ticks) =>
            ticks.map((t) =>
              new Date(t * 1000).toLocaleTimeString([], {
                hour: "2-digit",
                minute: "2-digit",
                second: "2-digit",
              }),
            ),
        },
        { values: (_u, ticks) => ticks.map((t) => `${fmt(t)}${unit}`), size: 60 },
      ],
      series: [{}, ...p.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false }))],
    };
    const u = new uPlot(opts, p.data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = undefined;
    };
  }, [key, height, unit]);

  useEffect(() => {
    plot.current?.setData(p.data as uPlot.AlignedData);
  }, [p.data]);

  return (
    <figure className="chart">
      <figcaption>{p.title}</figcaption>
      <div
        ref={box}
        className="chart-box"
        role="img"
        aria-label={`${p.title}: ${p.series.map((s) => s.label).join(", ")}`}
      />
    </figure>
  );
}

function fmt(n: number): string {
  if (Math.abs(n) >= 1000) return `${(n / 1000).toFixed(1)}k`;
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(Math.abs(n) < 0.1 ? 3 : 1);
}
