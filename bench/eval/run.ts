/**
 * Evaluation benchmark: `new_checkout` evaluated by Ramp, a hand-written floor and four peer SDKs over the
 * same seeded users, after checking they all agree; then the same through OpenFeature (RampProvider vs a
 * minimal provider, and the fast path). `npm run bench:eval`; BENCH_QUICK=1 for a short run.
 */

import { mulberry32, type Random } from "../lib/prng.js";
import { median } from "../lib/stats.js";
import { percent } from "./check.js";
import { heapPerThousandFlags } from "./heap.js";
import { timeRounds } from "./measure.js";
import {
  closeOpenFeature,
  formatOpenFeature,
  OPENFEATURE_CONTEXTS,
  prepareOpenFeature,
  verifyOpenFeature,
} from "./openfeature.js";
import { optionsFrom } from "./options.js";
import { closeAll, type Prepared, prepare, verify } from "./prepare.js";
import { formatSummaryLines, formatTable, summarize } from "./report.js";

async function main(): Promise<number> {
  const options = optionsFrom(process.env, process.argv.slice(2));
  console.log(
    `new_checkout × ${options.contexts.toLocaleString("en-US")} contexts, ${options.rounds} rounds` +
      `${options.quick ? " (quick)" : ""}; node ${process.version}, NODE_ENV=${process.env.NODE_ENV ?? "(unset)"}` +
      `${globalThis.gc === undefined ? "; no --expose-gc: no GC between sweeps, no heap figure" : ""}`,
  );
  const prepared = await prepare(options);
  try {
    const check = await verify(prepared);
    const rates = [...check.onRates].map(([name, rate]) => `${name} ${percent(rate)}`).join(", ");
    if (check.problems.length > 0) {
      console.error(`\nABORT: the implementations disagree, so their timings would compare different work:`);
      for (const problem of check.problems) console.error(`  - ${problem}`);
      console.error(`  on-rates: ${rates}`);
      return 1;
    }
    const exact = prepared.contenders
      .filter((contender) => contender.sameBucketsAsFloor && contender.role !== "floor")
      .map((contender) => contender.name);
    console.log(
      `check passed: all match the floor on the ${check.ruleDecided.toLocaleString("en-US")} rule-decided ` +
        `contexts, ${exact.join(", ")} (same buckets) on all ${options.contexts.toLocaleString("en-US")}; ` +
        `on-rate tolerance ±${percent(check.tolerance)}\n  on-rates: ${rates}`,
    );
    const random = mulberry32(options.seed ^ 0x5eed);
    const timed = [...prepared.contenders, prepared.killSwitch];
    const samples = await timeRounds(timed, options.contexts, options.rounds, random);
    const summary = summarize(samples, prepared.contenders);
    const killSwitch = median(samples.get(prepared.killSwitch.name) ?? []);
    console.log(`\n${formatTable(summary.rows)}\n`);
    console.log(formatSummaryLines(summary, killSwitch, heapPerThousandFlags()));
    const users = prepared.contexts.slice(0, OPENFEATURE_CONTEXTS);
    return await runOpenFeature(users, options.rounds, random);
  } finally {
    await closeAll(prepared);
  }
}

/** The OpenFeature section: the same users through @openfeature/server-sdk, checked, then timed. */
async function runOpenFeature(
  contexts: Prepared["contexts"],
  rounds: number,
  random: Random,
): Promise<number> {
  console.log(
    `\nOpenFeature (@openfeature/server-sdk): new_checkout through a client × ` +
      `${contexts.length.toLocaleString("en-US")} contexts, ${rounds} rounds`,
  );
  const section = await prepareOpenFeature(contexts);
  try {
    const check = await verifyOpenFeature(contexts, section);
    if (check.problems.length > 0) {
      console.error("\nABORT: the OpenFeature contenders disagree with the minimal provider:");
      for (const problem of check.problems) console.error(`  - ${problem}`);
      return 1;
    }
    const samples = await timeRounds(section.contenders, contexts.length, rounds, random);
    console.log(
      `check passed: all match the minimal provider on all contexts\n\n${formatOpenFeature(samples, section)}`,
    );
    return 0;
  } finally {
    await closeOpenFeature(section);
  }
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
