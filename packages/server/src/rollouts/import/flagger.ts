/**
 * `ramp import --from flagger`: Flagger manifests (Canary, MetricTemplate; a Canary's target
 * Deployment gives its pod template; other kinds are skipped) → Ramp documents and a report. Pure.
 */
import { describeObject, type Obj, obj, spreadLists, str } from "./documents.js";
import { convertCanary } from "./flagger-canary.js";
import { convertMetricTemplate } from "./flagger-metric-template.js";
import { DocumentReport, type ImportIssue, type ImportResult } from "./report.js";
import { eachObject, finishImport } from "./walk.js";
import type { ImportOptions } from "./workload.js";

/**
 * Converts parsed YAML documents: each Canary to a Flagger-shape Rollout, each MetricTemplate to an
 * AnalysisTemplate of the same name.
 *
 * @example importFlagger(parseAllDocuments(text).map((d) => d.toJS()), { stableUrl, canaryUrl })
 */
export function importFlagger(input: readonly unknown[], options: ImportOptions = {}): ImportResult {
  const all = spreadLists(input);
  const issues: ImportIssue[] = [];
  const converted: (Obj | undefined)[] = all.map(() => undefined);
  const outcomes = new Map<string, boolean>();
  // Templates first: a Canary's metric that refers to one that could not be converted is dropped.
  all.forEach((d, index) => {
    const doc = obj(d);
    if (doc?.kind !== "MetricTemplate") return;
    const t = convertMetricTemplate(doc, new DocumentReport(issues, index, describeObject(d)));
    converted[index] = t;
    const name = str(obj(doc.metadata)?.name);
    if (name !== undefined) outcomes.set(name, t !== undefined);
  });
  const used = new Set<number>();
  eachObject(all, issues, (doc, index, report) => {
    if (doc.kind !== "Canary") return;
    const c = convertCanary(doc, all, outcomes, options, report);
    converted[index] = c.rollout;
    if (c.usedDeployment !== undefined) used.add(c.usedDeployment);
  });
  return finishImport(all, converted, issues, {
    converts: (kind) => kind === "Canary" || kind === "MetricTemplate",
    used,
    usedNote: "used for its pod template (a Canary's targetRef); not printed",
    skipReason,
  });
}

function skipReason(kind: string): string {
  if (kind === "Rollout" || kind === "AnalysisTemplate" || kind === "ClusterAnalysisTemplate")
    return "an Argo Rollouts object (import it with --from argo)";
  if (kind === "AlertProvider") return "Flagger alerts are not supported; use a Rollout's spec.notifications";
  return "Ramp needs only Canaries and MetricTemplates";
}
