/** Prometheus metrics of the server (prom-client), on its own registry so tests can run several servers. */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Store } from "../store/store.js";
import { EvaluationSeries } from "./evaluation-series.js";

export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "ramp_http_requests_total",
    help: "HTTP requests by route, method and status code.",
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "ramp_http_request_duration_seconds",
    help: "HTTP request latency by route and method.",
    labelNames: ["route", "method"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly evaluations = new Counter({
    name: "ramp_flag_evaluations_total",
    help: "Flag evaluations by flag, variant and environment, as SDKs and OFREP report them.",
    labelNames: ["environment", "flag", "variant"] as const,
    registers: [this.registry],
  });
  readonly streamConnections = new Gauge({
    name: "ramp_stream_connections",
    help: "Open SDK and OFREP event streams.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  /** The same evaluations over the last hour, in 10 s buckets, for the dashboard. */
  readonly evaluationSeries: EvaluationSeries;

  /** `now` is the series' clock (tests inject one). */
  constructor(store: Store, projectId: () => number | undefined, now: () => number = Date.now) {
    this.evaluationSeries = new EvaluationSeries(now);
    new Gauge({
      name: "flag_age_days",
      help: "Days since each flag was created (flag debt: alert on old flags).",
      labelNames: ["flag"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const id = projectId();
        if (id === undefined) return;
        const now = Date.now();
        for (const f of await store.listFlags(id))
          this.set({ flag: f.key }, Math.floor((now - Date.parse(f.createdAt)) / 86_400_000));
      },
    });
  }

  recordEvaluations(environment: string, flag: string, variant: string, count: number): void {
    if (count <= 0) return;
    this.evaluations.inc({ environment, flag, variant }, count);
    this.evaluationSeries.record(environment, flag, variant, count);
  }
}
