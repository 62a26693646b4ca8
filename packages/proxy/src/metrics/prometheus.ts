/**
 * Prometheus text exposition (format 0.0.4) of the proxy's metrics. Label names follow the seed's
 * queries: `service`, `version` ("stable" / "canary"), `status` (the code, so `status!~"5.."` works),
 * and `revision` for the version string.
 */
import { LATENCY_BUCKETS_SECONDS, type VersionSeries } from "./series.js";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What the proxy is configured to do, exposed as gauges. */
export interface RoutingState {
  readonly service: string;
  readonly weight: number;
  readonly generation: number;
}

/** Renders every series and the routing state as Prometheus text. */
export function renderPrometheus(series: readonly VersionSeries[], state: RoutingState | undefined): string {
  const out: string[] = [];
  const labels = (s: VersionSeries): string =>
    `service="${escapeLabel(s.service)}",version="${s.role}",revision="${escapeLabel(s.revision)}"`;

  family(
    out,
    "http_requests_total",
    "counter",
    "Requests answered through the proxy, by version and status code.",
  );
  for (const s of series) {
    const l = labels(s);
    s.byStatus.forEach((n, status) => {
      if (n > 0) out.push(`http_requests_total{${l},status="${status}"} ${n}`);
    });
  }

  family(
    out,
    "http_request_duration_seconds",
    "histogram",
    "Time from receiving a request to the end of its response, by version.",
  );
  for (const s of series) {
    const l = labels(s);
    let cumulative = 0;
    LATENCY_BUCKETS_SECONDS.forEach((bound, i) => {
      cumulative += s.buckets[i] ?? 0;
      out.push(`http_request_duration_seconds_bucket{${l},le="${bound}"} ${cumulative}`);
    });
    out.push(`http_request_duration_seconds_bucket{${l},le="+Inf"} ${s.count}`);
    out.push(`http_request_duration_seconds_sum{${l}} ${s.sumSeconds}`);
    out.push(`http_request_duration_seconds_count{${l}} ${s.count}`);
  }

  counter(
    out,
    series,
    labels,
    "ramp_proxy_retries_total",
    "Attempts repeated after an upstream failure.",
    (s) => s.retries,
  );
  counter(
    out,
    series,
    labels,
    "ramp_proxy_mirrored_requests_total",
    "Requests copied by a mirror route.",
    (s) => (s.role === "canary" ? s.mirrored : undefined),
  );
  counter(
    out,
    series,
    labels,
    "ramp_proxy_mirror_skipped_total",
    "Requests a mirror route selected but did not copy: body over the buffer limit.",
    (s) => (s.role === "canary" ? s.mirrorSkipped : undefined),
  );

  if (state !== undefined) {
    const l = `service="${escapeLabel(state.service)}"`;
    family(out, "ramp_proxy_canary_weight_percent", "gauge", "Configured share of traffic for the canary.");
    out.push(`ramp_proxy_canary_weight_percent{${l}} ${state.weight}`);
    family(out, "ramp_proxy_config_generation", "gauge", "Configurations applied since start.");
    out.push(`ramp_proxy_config_generation{${l}} ${state.generation}`);
  }
  out.push("");
  return out.join("\n");
}

function family(out: string[], name: string, type: string, help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

function counter(
  out: string[],
  series: readonly VersionSeries[],
  labels: (s: VersionSeries) => string,
  name: string,
  help: string,
  value: (s: VersionSeries) => number | undefined,
): void {
  family(out, name, "counter", help);
  for (const s of series) {
    const v = value(s);
    if (v !== undefined) out.push(`${name}{${labels(s)}} ${v}`);
  }
}

/** Escapes a label value: backslash, double quote and line feed. */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}
