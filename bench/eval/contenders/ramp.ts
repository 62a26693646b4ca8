/** Ramp's engine evaluating `new_checkout` as written in examples/flags.yaml. */
import { readFileSync } from "node:fs";
import { compileFlagSet, type EvaluationContext } from "@ramp/engine";
import { parse } from "yaml";
import { repoFile } from "../../lib/repo-file.js";
import type { Contender } from "../contender.js";
import { type BenchContext, FLAG_KEY } from "../scenario.js";

const FLAGS_FILE = "examples/flags.yaml";

/**
 * `environment` "production" serves the rules; "staging" has the flag switched off, which times the
 * kill-switch path.
 */
/** examples/flags.yaml, parsed: the flag file every Ramp contender is built from. */
export function readFlagsFile(): unknown {
  return parse(readFileSync(repoFile(FLAGS_FILE), "utf8"));
}

export function createRamp(contexts: readonly BenchContext[], environment = "production"): Contender {
  const compiled = compileFlagSet(readFlagsFile());
  if (!compiled.ok) {
    const issues = compiled.errors.map((issue) => `${issue.path}: ${issue.message}`).join("\n  ");
    throw new Error(`${FLAGS_FILE} does not compile:\n  ${issues}`);
  }
  const env = compiled.flagSet.environment(environment);
  if (env === undefined) throw new Error(`${FLAGS_FILE} has no environment '${environment}'`);
  const prepared: EvaluationContext[] = contexts.map((context) => ({
    targetingKey: context.targetingKey,
    plan: context.plan,
    country: context.country,
  }));
  return {
    name: environment === "production" ? "ramp" : `ramp (${environment})`,
    role: "ramp",
    sameBucketsAsFloor: true,
    sweep(out) {
      let on = 0;
      let i = 0;
      for (const context of prepared) {
        const value = env.evaluate(FLAG_KEY, context).value === true;
        out[i++] = value ? 1 : 0;
        if (value) on++;
      }
      return on;
    },
    close() {},
  };
}
