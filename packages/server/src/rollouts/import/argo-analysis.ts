/**
 * Argo AnalysisTemplate / ClusterAnalysisTemplate → Ramp's (the same format): providers Ramp cannot
 * run and Kubernetes-only argument sources are reported; the rest is carried over as written.
 */
import { ANALYSIS_API_VERSION } from "../../analysis/template.js";
import { keptMetadata, list, type Obj, obj, str } from "./documents.js";
import { isAvailableProvider, isKnownProvider, reportUnavailableProvider } from "./providers.js";
import { type DocumentReport, joinPath } from "./report.js";
import { validateTemplate } from "./validate.js";

export function convertAnalysisTemplate(doc: Obj, report: DocumentReport): Obj | undefined {
  const name = str(obj(doc.metadata)?.name);
  if (name === undefined || name === "") {
    report.error("metadata.name", "required: rollouts refer to a template by its name");
    return undefined;
  }
  const spec = obj(doc.spec);
  if (spec === undefined) {
    report.error("spec", "required: the template's metrics");
    return undefined;
  }
  const out: Obj = { ...spec };
  if (spec.templates !== undefined) {
    report.unsupported(
      "spec.templates",
      "nested template references are not supported",
      "list every template in the rollout's analysis.templates",
    );
    delete out.templates;
  }
  if (spec.args !== undefined) out.args = templateArgs(spec.args, report);
  const metrics = list(spec.metrics).flatMap((m, i) => {
    const metric = obj(m);
    if (metric === undefined) return [m];
    const at = joinPath(joinPath("spec.metrics", i), "provider");
    const keys = Object.keys(obj(metric.provider) ?? {});
    for (const key of keys) {
      if (!isKnownProvider(key)) {
        report.unsupported(joinPath(at, key), `unknown metric provider '${key}'; the metric is dropped`);
        return [];
      }
      if (!isAvailableProvider(key)) reportUnavailableProvider(key, joinPath(at, key), report);
    }
    return [metric];
  });
  if (spec.metrics !== undefined) out.metrics = metrics;
  if (Array.isArray(spec.metrics) && spec.metrics.length > 0 && metrics.length === 0) {
    report.unsupported("spec.metrics", "no metric is left; the template is dropped");
    return undefined;
  }
  const converted: Obj = {
    apiVersion: ANALYSIS_API_VERSION,
    kind: doc.kind,
    metadata: keptMetadata(doc.metadata, name),
    spec: out,
  };
  return validateTemplate(converted, report) ? converted : undefined;
}

/** A template's args: `valueFrom` (Kubernetes Secrets) cannot be read off Kubernetes. */
function templateArgs(args: unknown, report: DocumentReport): unknown[] {
  return list(args).map((a, i) => {
    const arg = obj(a);
    if (arg?.valueFrom === undefined) return a;
    const { valueFrom: _, ...rest } = arg;
    report.unsupported(
      joinPath(joinPath("spec.args", i), "valueFrom"),
      "Ramp reads no Kubernetes Secrets; the argument is kept without a default",
      `pass args: [{ name: ${str(arg.name) ?? "…"}, value: … }] from the rollout's analysis`,
    );
    return rest;
  });
}
