/**
 * `npm run conformance`: runs each conformance suite, prints one line per suite and then the
 * failures, and sets a failing exit code (never process.exit, so output is flushed).
 */
import { runCases } from "./cases.js";
import { unleashSuite } from "./unleash.js";

/** What a suite reports: how many checks passed, and each failure with what differed. */
export interface SuiteReport {
  readonly passed: number;
  readonly failures: readonly { readonly name: string; readonly diff: readonly string[] }[];
}

export interface ConformanceSuite {
  readonly name: string;
  readonly run: () => SuiteReport | Promise<SuiteReport>;
}

function casesSuite(): SuiteReport {
  const outcomes = runCases();
  return {
    passed: outcomes.filter((o) => o.passed).length,
    failures: outcomes.filter((o) => !o.passed).map((o) => ({ name: o.id, diff: o.diff })),
  };
}

/** The suites, in order. Each is one entry: a name and a function returning its SuiteReport. */
const suites: readonly ConformanceSuite[] = [
  { name: "cases", run: casesSuite },
  { name: "unleash", run: unleashSuite },
];

async function main(): Promise<void> {
  const failed: { suite: string; name: string; diff: readonly string[] }[] = [];
  for (const suite of suites) {
    try {
      const report = await suite.run();
      console.log(`${suite.name}: ${report.passed} passed, ${report.failures.length} failed`);
      for (const f of report.failures) failed.push({ suite: suite.name, ...f });
    } catch (e) {
      console.log(`${suite.name}: crashed`);
      failed.push({
        suite: suite.name,
        name: "(the suite itself)",
        diff: [String(e instanceof Error ? (e.stack ?? e) : e)],
      });
    }
  }
  for (const f of failed) {
    console.log(`\nFAIL ${f.suite}: ${f.name}`);
    for (const line of f.diff) console.log(`  ${line}`);
  }
  if (failed.length > 0) process.exitCode = 1;
}

await main();
