/** The trials of a run, one after another, each on a fresh server and torn down before the next. */
import { Teardown } from "../lib/teardown.js";
import type { DetectionOptions } from "./options.js";
import type { ExampleTemplates } from "./template.js";
import { runTrial, type TrialResult } from "./trial.js";

/** Runs `options.trials` trials; `onTrial` sees each result as it comes. SIGINT / SIGTERM tear down first. */
export async function runTrials(
  options: DetectionOptions,
  templates: ExampleTemplates,
  onTrial: (result: TrialResult) => void = () => undefined,
): Promise<TrialResult[]> {
  const results: TrialResult[] = [];
  for (let trial = 1; trial <= options.trials; trial++) {
    const teardown = new Teardown();
    const release = teardown.onSignals();
    try {
      const result = await runTrial(trial, options, templates, teardown);
      results.push(result);
      onTrial(result);
    } finally {
      await teardown.run();
      release();
    }
  }
  return results;
}
