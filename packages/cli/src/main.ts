#!/usr/bin/env node
/** The `ramp` command: parse (args.ts), run one command, turn failures into messages and exit codes. */
import { type Invocation, parseInvocation, USAGE } from "./args.js";
import { applyCommand } from "./commands/apply.js";
import { auditList, auditVerify } from "./commands/audit.js";
import { evalCommand } from "./commands/eval.js";
import { exportCommand } from "./commands/export.js";
import { flagsArchive, flagsGet, flagsList, flagsRollout, flagsSwitch } from "./commands/flags.js";
import { importCommand } from "./commands/import.js";
import { lint } from "./commands/lint.js";
import { serverCommand } from "./commands/server.js";
import { tokenCreate, tokenList, tokenRevoke } from "./commands/token.js";
import { LoadError } from "./load.js";
import { err, fail, out, UsageError } from "./output.js";
import { ApiClient, ConnectionError, HttpError } from "./remote/client.js";
import { formatConnectionError, formatHttpError } from "./remote/format.js";

// Loaded on use, like `ramp server`'s Fastify: the rollout model (compiler, analysis templates) would
// cost every other command, `ramp eval` included, most of a tenth of a second at start.
const rollouts = () => import("./commands/rollout.js");

async function run(i: Invocation): Promise<void> {
  switch (i.command) {
    case "help":
      return out(USAGE);
    case "lint":
      return lint(i.options);
    case "eval":
      return evalCommand(i.options);
    case "import":
      return importCommand(i.options);
    case "server":
      return serverCommand(i.options);
    case "apply":
      return applyCommand(i.options, new ApiClient(i.remote));
    case "export":
      return exportCommand(i.options, new ApiClient(i.remote));
    case "flags list":
      return flagsList(i.options, new ApiClient(i.remote));
    case "flags get":
      return flagsGet(i.options, new ApiClient(i.remote));
    case "flags switch":
      return flagsSwitch(i.options, new ApiClient(i.remote));
    case "flags rollout":
      return flagsRollout(i.options, new ApiClient(i.remote));
    case "flags archive":
      return flagsArchive(i.options, new ApiClient(i.remote));
    case "token create":
      return tokenCreate(i.options, new ApiClient(i.remote));
    case "token list":
      return tokenList(i.options, new ApiClient(i.remote));
    case "token revoke":
      return tokenRevoke(i.options, new ApiClient(i.remote));
    case "audit list":
      return auditList(i.options, new ApiClient(i.remote));
    case "audit verify":
      return auditVerify(i.options, new ApiClient(i.remote));
    case "rollout apply":
      return (await rollouts()).rolloutApply(i.options, new ApiClient(i.remote));
    case "rollout list":
      return (await rollouts()).rolloutList(i.options, new ApiClient(i.remote));
    case "rollout get":
      return (await rollouts()).rolloutGet(i.options, new ApiClient(i.remote));
    case "rollout act":
      return (await rollouts()).rolloutAct(i.options, new ApiClient(i.remote));
    case "demo":
      return (await import("./demo/demo.js")).demoCommand(i.options);
  }
}

async function main(argv: string[]): Promise<void> {
  await run(parseInvocation(argv, process.env));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    err(`ramp: ${e.message}\n\n${USAGE}`);
    fail(2);
  } else if (e instanceof LoadError) {
    err(`${e.file}${e.line !== undefined ? `:${e.line}:${e.column ?? 1}` : ""}: error: ${e.message}`);
    fail(1);
  } else if (e instanceof HttpError) {
    err(formatHttpError(e));
    fail(1);
  } else if (e instanceof ConnectionError) {
    err(formatConnectionError(e));
    fail(1);
  } else if (e instanceof Error && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS")) {
    err(`ramp: ${e.message}\n\n${USAGE}`);
    fail(2);
  } else {
    err(`ramp: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    fail(70);
  }
});
