/**
 * OFREP throughput benchmark: Ramp's OFREP endpoints (single flag, bulk) and unleash-server's frontend
 * API, on one PostgreSQL cluster, loaded in turn by autocannon with rotating contexts after a
 * correctness check. `npm run bench:ofrep`; BENCH_QUICK=1 (or --quick) for 3 s per target.
 */
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { Teardown } from "../lib/teardown.js";
import { type LoadResult, runLoad } from "./load.js";
import { type OfrepOptions, optionsFrom } from "./options.js";
import { formatSummaryLines, formatTable, loadProblems } from "./report.js";
import { setUp, verify } from "./setup.js";

/** Startup of everything plus slack; each step has its own shorter timeout. */
const SETUP_BUDGET_SEC = 120;
/** Per target beyond warm-up and timed load (autocannon winding down, the GC of latency arrays). */
const TARGET_SLACK_SEC = 5;

async function main(): Promise<number> {
  const options = optionsFrom(process.env, process.argv.slice(2));
  const targetCount = options.unleash ? 3 : 2;
  const budgetSec =
    SETUP_BUDGET_SEC + targetCount * (options.warmupSec + options.durationSec + TARGET_SLACK_SEC);
  const teardown = new Teardown();
  const releaseSignals = teardown.onSignals();
  // A hard bound on the whole run: whatever hangs, everything started is stopped.
  const deadline = setTimeout(() => {
    console.error(`\nABORT: the run took longer than ${budgetSec} s; stopping everything`);
    teardown.run().finally(() => process.exit(1));
  }, budgetSec * 1000);
  deadline.unref();
  try {
    const began = performance.now();
    const setup = await setUp(options, teardown, (line) => console.log(line));
    console.log(header(options, setup.versions, Math.round(performance.now() - began)));
    const problems = await verify(setup);
    if (problems.length > 0) {
      console.error("\nABORT: wrong answers, so the timings would compare different work:");
      for (const problem of problems) console.error(`  - ${problem}`);
      return 1;
    }
    const deciders = [...new Set(setup.checks.map((check) => check.decider))].join("/");
    console.log(
      `check passed: ${setup.targets.map((t) => t.name).join(", ")} answer as expected on ` +
        `${setup.checks.length} contexts (${deciders}; rollout ones against each side's own buckets)`,
    );
    const results: LoadResult[] = [];
    for (const target of setup.targets) {
      await runLoad(target, { durationSec: options.warmupSec, connections: options.connections });
      const result = await runLoad(target, options);
      console.log(
        `  ${target.name}: ${result.requestsPerSecond.mean.toFixed(0)} req/s, p99 ${result.latencyMs.p99.toFixed(2)} ms`,
      );
      results.push(result);
    }
    console.log(`\n${formatTable(results)}\n`);
    console.log(formatSummaryLines(results));
    console.log(`(${loadAverage()} at the end)`);
    const failed = loadProblems(results);
    for (const problem of failed) console.error(`WARNING: ${problem}`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    clearTimeout(deadline);
    await teardown.run().catch((error: unknown) => console.error(error));
    releaseSignals();
  }
}

function header(
  options: OfrepOptions,
  versions: { readonly postgres: string; readonly unleash?: string; readonly unleashNode?: string },
  setupMs: number,
): string {
  const autocannon = packageVersion("autocannon");
  const unleash =
    versions.unleash === undefined
      ? "unleash-server not run"
      : `unleash-server ${versions.unleash} on node ${versions.unleashNode}`;
  return (
    `OFREP load: ${options.durationSec} s per target after ${options.warmupSec} s warm-up, ` +
    `${options.connections} connections, pipelining 1, ${options.contexts} rotating contexts` +
    `${options.quick ? " (quick)" : ""}\n` +
    `ramp on node ${process.version}; ${unleash}; PostgreSQL ${versions.postgres}; autocannon ${autocannon} ` +
    `in this process; set up in ${setupMs} ms; ${loadAverage()}`
  );
}

/** Other work on a shared machine moves the numbers; the 1-minute load average shows how much there was. */
function loadAverage(): string {
  return `load average ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores`;
}

function packageVersion(name: string): string {
  const manifest: unknown = createRequire(import.meta.url)(`${name}/package.json`);
  return typeof manifest === "object" && manifest !== null && "version" in manifest
    ? String(manifest.version)
    : "?";
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
