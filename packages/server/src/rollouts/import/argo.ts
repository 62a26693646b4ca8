/**
 * `ramp import --from argo`: Argo Rollouts manifests (Rollout, AnalysisTemplate,
 * ClusterAnalysisTemplate; other kinds are skipped) → Ramp documents and a report. Pure.
 */
import { convertAnalysisTemplate } from "./argo-analysis.js";
import { convertArgoRollout } from "./argo-rollout.js";
import { describeObject, list, type Obj, obj, spreadLists, str } from "./documents.js";
import { DocumentReport, type ImportIssue, type ImportResult, joinPath } from "./report.js";
import { eachObject, finishImport } from "./walk.js";
import type { ImportOptions } from "./workload.js";

const TEMPLATE_KINDS = ["AnalysisTemplate", "ClusterAnalysisTemplate"];

/**
 * Converts parsed YAML documents. `issues` says what was dropped or replaced, by path.
 *
 * @example importArgo(parseAllDocuments(text).map((d) => d.toJS()), { command: "node server.mjs" })
 */
export function importArgo(input: readonly unknown[], options: ImportOptions = {}): ImportResult {
  const all = spreadLists(input);
  const issues: ImportIssue[] = [];
  const converted: (Obj | undefined)[] = all.map(() => undefined);
  const used = new Set<number>();
  eachObject(all, issues, (doc, index, report) => {
    if (doc.kind === "Rollout") {
      const r = convertArgoRollout(doc, all, options, report);
      converted[index] = r.rollout;
      if (r.usedDeployment !== undefined) used.add(r.usedDeployment);
    } else if (TEMPLATE_KINDS.includes(str(doc.kind) ?? "")) {
      converted[index] = convertAnalysisTemplate(doc, report);
    }
  });
  const templates = new Set(
    all.flatMap((d) =>
      TEMPLATE_KINDS.includes(str(obj(d)?.kind) ?? "") ? [str(obj(obj(d)?.metadata)?.name)] : [],
    ),
  );
  all.forEach((d, index) => {
    if (obj(d)?.kind !== "Rollout") return;
    const report = new DocumentReport(issues, index, describeObject(d));
    for (const ref of templateRefs(obj(d)?.spec))
      if (!templates.has(ref.name))
        report.note(
          ref.path,
          `template ${ref.name} is not in this file`,
          `apply an AnalysisTemplate named ${ref.name} with the rollout`,
        );
  });
  return finishImport(all, converted, issues, {
    converts: (kind) => kind === "Rollout" || TEMPLATE_KINDS.includes(kind),
    used,
    usedNote: "used for its pod template (the rollout's workloadRef); not printed",
    skipReason,
  });
}

function skipReason(kind: string): string {
  if (kind === "Canary" || kind === "MetricTemplate")
    return "a Flagger object (import it with --from flagger)";
  return "Ramp needs only Rollouts and analysis templates";
}

/** Every analysis template a Rollout names, with the path of the reference. */
function templateRefs(spec: unknown): { name: string; path: string }[] {
  const strategy = obj(obj(spec)?.strategy);
  const canary = obj(strategy?.canary);
  const blueGreen = obj(strategy?.blueGreen);
  const analyses: [unknown, string][] = [
    ...list(canary?.steps).map((s, i): [unknown, string] => [
      obj(s)?.analysis,
      `spec.strategy.canary.steps[${i}].analysis`,
    ]),
    [canary?.analysis, "spec.strategy.canary.analysis"],
    [blueGreen?.prePromotionAnalysis, "spec.strategy.blueGreen.prePromotionAnalysis"],
    [blueGreen?.postPromotionAnalysis, "spec.strategy.blueGreen.postPromotionAnalysis"],
  ];
  return analyses.flatMap(([analysis, path]) =>
    list(obj(analysis)?.templates).flatMap((t, i) => {
      const name = str(obj(t)?.templateName);
      return name === undefined
        ? []
        : [{ name, path: joinPath(joinPath(joinPath(path, "templates"), i), "templateName") }];
    }),
  );
}
