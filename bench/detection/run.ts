/**
 * Detection benchmark: how long Ramp takes from the first request a bad canary serves (5% errors
 * against stable's 0.5%, at 5% of 200 req/s) to all traffic back on stable, with the example analysis
 * template; a healthy canary runs beside it and must not be aborted. `npm run bench:detection`;
 * BENCH_QUICK=1 (or --quick) for one short trial, --trials N (RAMP_BENCH_TRIALS) for more.
 */
import { optionsFrom } from "./options.js";
import { formatSummary, formatTrial, problemsOf } from "./report.js";
import { runTrials } from "./run-trials.js";
import { CANARY_WEIGHT, CASES, LATENCY_MS, STABLE_ERROR_RATE, TOTAL_RATE } from "./scenario.js";
import { loadExampleTemplates, TEMPLATES_FILE } from "./template.js";

async function main(): Promise<number> {
  const options = optionsFrom(process.env, process.argv.slice(2));
  const templates = loadExampleTemplates();
  const m = templates.successRate;
  const canaries = CASES.map((c) => `${c.kind} ${(c.canaryErrorRate * 100).toFixed(1)}%`).join(", ");
  console.log(
    `canary errors ${canaries}; stable ${(STABLE_ERROR_RATE * 100).toFixed(1)}%; latency ${LATENCY_MS} ms. ` +
      `Both rollouts side by side, ${TOTAL_RATE} req/s each, canary weight ${CANARY_WEIGHT}%\n` +
      `analysis: ${TEMPLATES_FILE} success-rate (result >= ${m.threshold}, minRequests ${m.minRequests}, ` +
      `window ${m.window}, interval ${m.interval}, count ${m.count}); ${options.trials} trial(s)` +
      `${options.quick ? " (quick)" : ""}; node ${process.version}`,
  );
  const results = await runTrials(options, templates, (result) =>
    console.log(formatTrial(result, options.trials)),
  );
  console.log(`\n${formatSummary(results, m)}`);
  const problems = problemsOf(results);
  for (const problem of problems) console.error(`PROBLEM: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
