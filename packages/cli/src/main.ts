#!/usr/bin/env node
/** The `ramp` command. */
import { parseArgs } from "node:util";
import { evalCommand } from "./commands/eval.js";
import { importCommand } from "./commands/import.js";
import { lint } from "./commands/lint.js";
import { LoadError } from "./load.js";
import { err, fail, out, UsageError } from "./output.js";

const USAGE = `ramp — progressive delivery: feature flags, rollouts, analysis

Usage:
  ramp lint FILE… [-o json]                      validate flag files; exit 1 on any error
  ramp eval --flags FILE [--env ENV] --flag KEY [--context JSON]
  ramp eval --flags FILE [--env ENV] --contexts FILE.jsonl   (each line {"flag": KEY, "context": {…}}; - for stdin)
  ramp import --from unleash|flagd FILE [--env NAME] [--allow-unsupported] [-o json]

Without --env, eval uses the file's first environment.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "lint": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { output: { type: "string", short: "o" } },
      });
      if (positionals.length === 0) throw new UsageError("ramp lint needs at least one FILE");
      return lint({ files: positionals, json: values.output === "json" });
    }
    case "eval": {
      const { values } = parseArgs({
        args: rest,
        options: {
          flags: { type: "string", short: "f" },
          env: { type: "string", short: "e" },
          flag: { type: "string" },
          context: { type: "string", short: "c" },
          contexts: { type: "string" },
        },
      });
      if (values.flags === undefined) throw new UsageError("ramp eval needs --flags FILE");
      return evalCommand({ ...values, flags: values.flags });
    }
    case "import": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          from: { type: "string" },
          env: { type: "string" },
          "allow-unsupported": { type: "boolean", default: false },
          output: { type: "string", short: "o" },
        },
      });
      const file = positionals[0];
      if (values.from === undefined || file === undefined) throw new UsageError("ramp import needs --from unleash|flagd FILE");
      return importCommand({
        from: values.from,
        file,
        environment: values.env,
        allowUnsupported: values["allow-unsupported"] ?? false,
        json: values.output === "json",
      });
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      out(USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    err(`ramp: ${e.message}\n\n${USAGE}`);
    fail(2);
  } else if (e instanceof LoadError) {
    err(`${e.file}${e.line !== undefined ? `:${e.line}:${e.column ?? 1}` : ""}: error: ${e.message}`);
    fail(1);
  } else if (e instanceof Error && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS")) {
    err(`ramp: ${e.message}\n\n${USAGE}`);
    fail(2);
  } else {
    err(`ramp: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    fail(70);
  }
});
