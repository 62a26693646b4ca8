/**
 * Flagger Canary → a Flagger-shape Ramp Rollout (notes/flagger-shape.md): `spec.analysis` keeps
 * Flagger's fields; the mesh or ingress provider becomes Ramp's proxy; the target Deployment's pod
 * template (when it is in the file) gives the version; Kubernetes-only fields are reported.
 */
import { FLAGGER_ANALYSIS_KEYS } from "../flagger-spec.js";
import { FLAGGER_BUILTIN_METRICS } from "../flagger-types.js";
import { RAMP_API_VERSION } from "./argo-rollout.js";
import { findDeployment, keptMetadata, list, type Obj, obj, str } from "./documents.js";
import { convertWebhooks } from "./flagger-webhooks.js";
import { type DocumentReport, joinPath } from "./report.js";
import { validateRollout } from "./validate.js";
import { type ImportOptions, proxyRouting, workloadFor } from "./workload.js";

/** CanaryAnalysis fields the importer converts or reports one by one. */
const CONVERTED: readonly string[] = ["match", "metrics", "webhooks", "alerts", "sessionAffinity"];

/** CanaryAnalysis fields Ramp runs as Flagger does: copied as written. */
const CARRIED = FLAGGER_ANALYSIS_KEYS.filter((key) => !CONVERTED.includes(key));

const BUILTIN_METRICS: readonly string[] = FLAGGER_BUILTIN_METRICS;

/** spec.service fields that only name the port (used for the placeholder URLs). */
const SERVICE_PORT_FIELDS = ["name", "port", "targetPort", "portName", "appProtocol"];

/** What the MetricTemplates of the file became, by name: converted, or not (reported there). */
export type TemplateOutcomes = ReadonlyMap<string, boolean>;

export interface ConvertedCanary {
  readonly rollout: Obj | undefined;
  readonly usedDeployment?: number;
}

export function convertCanary(
  doc: Obj,
  all: readonly unknown[],
  templates: TemplateOutcomes,
  options: ImportOptions,
  report: DocumentReport,
): ConvertedCanary {
  const spec = obj(doc.spec) ?? {};
  const targetRef = obj(spec.targetRef);
  const target = str(targetRef?.name);
  const name = str(obj(doc.metadata)?.name) ?? target;
  if (name === undefined || name === "" || target === undefined) {
    report.error("spec.targetRef.name", "required: the Deployment the canary rolls out");
    return { rollout: undefined };
  }
  const out: Obj = {};
  const deployment = findDeployment(all, target);
  const kind = str(targetRef?.kind) ?? "Deployment";
  if (kind !== "Deployment")
    report.unsupported(
      "spec.targetRef.kind",
      `a ${kind} target needs Kubernetes`,
      "Ramp rolls out versions with spec.workload",
    );
  if (deployment !== undefined) {
    for (const key of ["replicas", "selector", "template"] as const)
      if (deployment.spec[key] !== undefined) out[key] = deployment.spec[key];
    report.note(
      "spec.targetRef",
      `Deployment ${target} in this file gives the pod template (the version is its image tag)`,
    );
  }
  if (options.version !== undefined) out.version = options.version;
  else if (deployment === undefined) {
    report.error(
      "spec.targetRef",
      `cannot tell the version: Deployment ${target} is not in this file`,
      "import it in the same file, or pass --version VERSION",
    );
    return { rollout: undefined };
  }
  const listen = proxyRouting(options).proxy.listen;
  const provider = str(spec.provider);
  const instead = `Ramp's built-in proxy splits the traffic: trafficRouting.proxy.listen "${listen}" (choose with --listen HOST:PORT)`;
  if (provider !== undefined)
    report.unsupported("spec.provider", `${provider} routing needs Kubernetes`, instead);
  else report.note("spec", "has no provider (Flagger's default mesh)", instead);
  out.strategy = { canary: { trafficRouting: proxyRouting(options) } };
  const service = obj(spec.service) ?? {};
  const apex = str(service.name) ?? target;
  const port = typeof service.port === "number" ? `:${service.port}` : "";
  out.workload = workloadFor(
    options,
    undefined,
    { stable: `http://${apex}-primary${port}`, canary: `http://${apex}-canary${port}` },
    report,
  );
  reportTopLevel(spec, service, report);
  if (spec.progressDeadlineSeconds !== undefined) {
    out.progressDeadlineSeconds = spec.progressDeadlineSeconds;
    report.note(
      "spec.progressDeadlineSeconds",
      "is kept but has no effect in Ramp",
      "a version that does not get ready fails its deployment, which aborts the rollout",
    );
  }
  const analysisKey = spec.analysis !== undefined ? "analysis" : "canaryAnalysis";
  if (spec.analysis === undefined && spec.canaryAnalysis !== undefined)
    report.note("spec.canaryAnalysis", "is Flagger's old name for spec.analysis; read as spec.analysis");
  const analysis = obj(spec[analysisKey]);
  if (analysis === undefined)
    report.error(
      `spec.${analysisKey}`,
      "required: the canary analysis (interval, threshold, steps, metrics)",
    );
  else out.analysis = convertAnalysis(analysis, `spec.${analysisKey}`, { apex, listen, templates }, report);
  const rollout: Obj = {
    apiVersion: RAMP_API_VERSION,
    kind: "Rollout",
    metadata: keptMetadata(doc.metadata, name),
    spec: out,
  };
  if (analysis === undefined || !validateRollout(rollout, report)) return { rollout: undefined };
  return { rollout, ...(deployment !== undefined && { usedDeployment: deployment.index }) };
}

/** The Canary's Kubernetes-only fields: each reported, none carried over. */
function reportTopLevel(spec: Obj, service: Obj, report: DocumentReport): void {
  const kubernetes: Readonly<Record<string, string>> = {
    autoscalerRef: "Ramp runs spec.replicas replicas per version; there is no autoscaler to follow",
    ingressRef: "Ramp routes with its proxy, not through an Ingress",
    routeRef: "Ramp routes with its proxy, not through a Gateway API route",
    upstreamRef: "Ramp routes with its proxy, not through a Gloo upstream",
    metricsServer: "Ramp measures request-success-rate and request-duration at its proxy",
  };
  for (const [key, why] of Object.entries(kubernetes))
    if (spec[key] !== undefined) report.unsupported(`spec.${key}`, `needs Kubernetes: ${why}`);
  if (spec.skipAnalysis === true)
    report.unsupported(
      "spec.skipAnalysis",
      "Ramp always runs the analysis",
      "`ramp rollout promote --full NAME` skips it for one release",
    );
  if (spec.revertOnDeletion === true)
    report.unsupported(
      "spec.revertOnDeletion",
      "there is no Kubernetes object to revert",
      "Ramp keeps the stable version running",
    );
  if (spec.suspend === true)
    report.unsupported("spec.suspend", "is not carried over", "`ramp rollout pause NAME`");
  for (const [key, value] of Object.entries(service)) {
    if (SERVICE_PORT_FIELDS.includes(key) || value === false) continue;
    report.unsupported(
      joinPath("spec.service", key),
      "is a setting of the Kubernetes Service or mesh route Flagger generates",
      "Ramp's proxy forwards requests as they come",
    );
  }
}

interface AnalysisContext {
  readonly apex: string;
  readonly listen: string;
  readonly templates: TemplateOutcomes;
}

function convertAnalysis(analysis: Obj, path: string, ctx: AnalysisContext, report: DocumentReport): Obj {
  const out: Obj = {};
  for (const key of CARRIED) if (analysis[key] !== undefined) out[key] = analysis[key];
  if (analysis.match !== undefined) out.match = convertMatch(analysis.match, joinPath(path, "match"), report);
  if (analysis.metrics !== undefined)
    out.metrics = convertMetrics(analysis.metrics, joinPath(path, "metrics"), ctx.templates, report);
  if (analysis.webhooks !== undefined)
    out.webhooks = convertWebhooks(analysis.webhooks, joinPath(path, "webhooks"), ctx, report);
  if (analysis.alerts !== undefined)
    report.unsupported(
      joinPath(path, "alerts"),
      "Flagger alert providers are not supported",
      "spec.notifications: [{ type: slack | webhook, url, events: [...] }]",
    );
  if (analysis.sessionAffinity !== undefined)
    report.unsupported(
      joinPath(path, "sessionAffinity"),
      "Flagger's cookie affinity is not supported",
      "trafficRouting.proxy.sticky: { cookie: NAME } keeps a user on one version by hashing a cookie",
    );
  const known: readonly string[] = FLAGGER_ANALYSIS_KEYS;
  for (const key of Object.keys(analysis))
    if (!known.includes(key))
      report.unsupported(joinPath(path, key), "is not a CanaryAnalysis field Ramp knows; dropped");
  return out;
}

/** A/B matches: Ramp matches request headers (exact, prefix, regex); Istio's other conditions go. */
function convertMatch(value: unknown, path: string, report: DocumentReport): unknown[] {
  return list(value).flatMap((m, i) => {
    const match = obj(m);
    if (match === undefined) return [m];
    for (const key of Object.keys(match))
      if (key !== "headers")
        report.unsupported(
          joinPath(joinPath(path, i), key),
          "Ramp's proxy matches A/B requests by headers only",
        );
    return match.headers === undefined ? [] : [{ headers: match.headers }];
  });
}

function convertMetrics(value: unknown, path: string, templates: TemplateOutcomes, report: DocumentReport) {
  return list(value).flatMap((m, i) => {
    const metric = obj(m);
    const at = joinPath(path, i);
    if (metric === undefined) return [m];
    const name = str(metric.name) ?? "";
    const out: Obj = { ...metric };
    const ref = str(obj(metric.templateRef)?.name);
    if (metric.query !== undefined) {
      delete out.query;
      if (ref === undefined) {
        report.unsupported(
          joinPath(at, "query"),
          "inline metric queries are not supported; the metric is dropped",
          "move the query into a MetricTemplate and refer to it with templateRef",
        );
        return [];
      }
      report.unsupported(joinPath(at, "query"), "is ignored next to templateRef; dropped");
    }
    if (
      metric.threshold !== undefined &&
      metric.thresholdRange === undefined &&
      BUILTIN_METRICS.includes(name)
    ) {
      delete out.threshold;
      const bound = name === "request-success-rate" ? "min" : "max";
      out.thresholdRange = { [bound]: metric.threshold };
      report.note(joinPath(at, "threshold"), `is Flagger's old form of thresholdRange.${bound}; converted`);
    }
    if (ref !== undefined) {
      if (templates.get(ref) === false) {
        report.unsupported(
          joinPath(at, "templateRef"),
          `MetricTemplate ${ref} could not be converted (see its report); the metric is dropped`,
        );
        return [];
      }
      if (!templates.has(ref))
        report.note(
          joinPath(at, "templateRef"),
          `MetricTemplate ${ref} is not in this file`,
          `apply an AnalysisTemplate named ${ref} with the rollout (import the MetricTemplate too)`,
        );
    } else if (!BUILTIN_METRICS.includes(name)) {
      report.unsupported(
        at,
        `'${name}' is neither a built-in metric (${BUILTIN_METRICS.join(", ")}) nor has a templateRef; the metric is dropped`,
      );
      return [];
    }
    return [out];
  });
}
