/**
 * The AnalysisRun behind one interval of a Flagger-style analysis: one measurement per metric,
 * judged by its thresholdRange. No data, a query error or a value out of range each fail the check
 * at once (Flagger halts on "no values found"), so maxWait is 0s and no error is retried.
 */
import {
  type AnalysisRun,
  type Argument,
  compileAnalysis,
  loadAnalysisTemplate,
  type Metric,
  resolveTemplates,
} from "../../analysis/index.js";
import type { FlaggerMetric } from "../flagger-types.js";

export type CheckRunResult =
  | { readonly ok: true; readonly run: AnalysisRun }
  | { readonly ok: false; readonly message: string };

/** What every synthesized metric shares: measured once, any error or missing data fails it. */
const ONCE = { consecutiveErrorLimit: 0, failureLimit: 0, inconclusiveLimit: 0, maxWait: "0s" } as const;

/**
 * Builds the run. Template-backed checks take the template's first metric (its provider and query)
 * with args `target`, `namespace`, `interval`, `canary-version`, `stable-version` and the check's
 * templateVariables.
 */
export async function createCheckRun(
  name: string,
  checks: readonly FlaggerMetric[],
  args: readonly Argument[],
  loadTemplate: (name: string) => Promise<unknown>,
): Promise<CheckRunResult> {
  const metrics: Metric[] = [];
  for (const check of checks) {
    if (check.builtin !== null) {
      metrics.push({
        name: check.name,
        ...ONCE,
        successCondition: rangeCondition(check, "result"),
        provider: { builtin: { metric: check.builtin, version: "canary", window: check.interval } },
      });
      continue;
    }
    const ref = check.templateRef?.name ?? "";
    const doc = await loadTemplate(ref);
    if (doc === undefined)
      return { ok: false, message: `metric ${check.name}: analysis template '${ref}' not found` };
    const loaded = loadAnalysisTemplate(doc);
    if (!loaded.ok)
      return {
        ok: false,
        message: `metric ${check.name}: template '${ref}': ${loaded.issues[0]?.message ?? "invalid"}`,
      };
    const first = loaded.template.spec.metrics[0];
    if (first === undefined)
      return { ok: false, message: `metric ${check.name}: template '${ref}' has no metric` };
    // A Prometheus vector comes back as a list; Flagger reads its first sample.
    const value = first.provider.prometheus !== undefined ? "result[0]" : "result";
    const metric: Metric = {
      name: check.name,
      ...ONCE,
      successCondition: rangeCondition(check, value),
      provider: first.provider,
    };
    const resolved = resolveTemplates(
      [
        {
          ...loaded.template,
          spec: { ...loaded.template.spec, metrics: [metric], dryRun: [], measurementRetention: [] },
        },
      ],
      [
        ...args,
        { name: "interval", value: check.interval },
        ...Object.entries(check.templateVariables).map(([k, v]) => ({ name: k, value: v })),
      ],
    );
    if (!resolved.ok)
      return { ok: false, message: `metric ${check.name}: ${resolved.issues[0]?.message ?? "invalid"}` };
    metrics.push(...resolved.metrics);
  }
  const spec = { metrics, args: [], dryRun: [], measurementRetention: [], terminate: false };
  const compiled = compileAnalysis(spec);
  if (!compiled.ok)
    return { ok: false, message: compiled.issues.map((i) => `${i.path}: ${i.message}`).join("; ") };
  return {
    ok: true,
    run: {
      name,
      spec,
      status: {
        phase: "Pending",
        metricResults: [],
        runSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
      },
    },
  };
}

/** `min <= value && value <= max`, with either bound left out. */
export function rangeCondition(check: Pick<FlaggerMetric, "min" | "max">, value: string): string {
  const parts = [
    ...(check.min === null ? [] : [`${value} >= ${literal(check.min)}`]),
    ...(check.max === null ? [] : [`${value} <= ${literal(check.max)}`]),
  ];
  return parts.length === 0 ? "true" : parts.join(" && ");
}

/** A CEL double literal (so `result >= 99` compares doubles, not an int with a double). */
function literal(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}
