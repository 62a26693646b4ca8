/**
 * Creates and persists the AnalysisRun a `startAnalysis` effect asks for, from its templates or its
 * Flagger checks. A run that cannot be created is persisted as an Error run, so the rollout aborts.
 */
import { type AnalysisRun, createAnalysisRun, loadAnalysisTemplate } from "../../analysis/index.js";
import type { Store } from "../../store/store.js";
import type { Effect } from "../decide.js";
import { asJson, RUN, TEMPLATE } from "./documents.js";
import { createCheckRun } from "./flagger-checks.js";

/** The run, persisted; undefined once an Error run was persisted in its place (decide again to see it). */
export async function createRun(
  store: Store,
  projectId: number,
  e: Extract<Effect, { kind: "startAnalysis" }>,
): Promise<AnalysisRun | undefined> {
  const templates = [];
  const problems: string[] = [];
  const checkRun =
    e.checks === undefined
      ? undefined
      : await createCheckRun(e.runId, e.checks, e.args, async (template) => {
          return (await store.getDocument(projectId, TEMPLATE, template))?.body;
        });
  if (checkRun !== undefined && !checkRun.ok) problems.push(checkRun.message);
  for (const ref of e.templates) {
    const t = await store.getDocument(projectId, TEMPLATE, ref.templateName);
    if (t === undefined) {
      problems.push(`analysis template '${ref.templateName}' not found`);
      continue;
    }
    const loaded = loadAnalysisTemplate(t.body);
    if (loaded.ok) templates.push(loaded.template);
    else
      problems.push(
        `template '${ref.templateName}': ${loaded.issues[0]?.path}: ${loaded.issues[0]?.message}`,
      );
  }
  const created =
    problems.length === 0
      ? checkRun?.ok === true
        ? { ok: true as const, run: checkRun.run }
        : createAnalysisRun({
            name: e.runId,
            templates,
            args: e.args.map((a) => ({ name: a.name, value: a.value })),
            dryRun: e.dryRun,
            measurementRetention: e.measurementRetention,
          })
      : undefined;
  if (created?.ok === true) {
    await store
      .write(projectId, (tx) => tx.putDocument(RUN, e.runId, asJson(created.run), 0))
      .catch(() => undefined);
    return created.run;
  }
  const message =
    created === undefined
      ? problems.join("; ")
      : created.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  const failed = {
    name: e.runId,
    spec: { metrics: [], args: [], dryRun: [], measurementRetention: [], terminate: false },
    status: {
      phase: "Error",
      message,
      metricResults: [],
      runSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 1 },
    },
  } as unknown as AnalysisRun;
  await store.write(projectId, (tx) => tx.putDocument(RUN, e.runId, asJson(failed))).catch(() => undefined);
  return undefined;
}
