/**
 * The command line, parsed into what to run: a pure function of argv and the environment, so every
 * command's options are tested without a process or a server.
 */
import { parseArgs } from "node:util";
import { extra, format } from "./args-util.js";
import type { ApplyOptions } from "./commands/apply.js";
import type { AuditListOptions } from "./commands/audit.js";
import type { EvalOptions } from "./commands/eval.js";
import type { ExportOptions } from "./commands/export.js";
import type {
  FlagsArchiveOptions,
  FlagsGetOptions,
  FlagsListOptions,
  FlagsRolloutOptions,
  FlagsSwitchOptions,
} from "./commands/flags.js";
import type { ImportOptions, ImportRolloutOptions } from "./commands/import.js";
import type { LintOptions } from "./commands/lint.js";
import type { RolloutActOptions, RolloutApplyOptions, RolloutGetOptions } from "./commands/rollout.js";
import type { ServerOptions } from "./commands/server.js";
import type { TokenCreateOptions } from "./commands/token.js";
import type { DemoOptions } from "./demo/demo.js";
import { UsageError } from "./output.js";
import { DEFAULT_SERVER, type RemoteOptions } from "./remote/client.js";
import { parseApply, parseAudit, parseExport, parseFlags, parseServer, parseToken } from "./remote-args.js";
import { parseDemo, parseRollout } from "./rollout-args.js";

export const USAGE = `ramp — progressive delivery: feature flags, rollouts, analysis

Flag files:
  ramp lint FILE… [-o json]                      validate flag files; exit 1 on any error
  ramp eval --flags FILE [--env ENV] --flag KEY [--context JSON]
  ramp eval --flags FILE [--env ENV] --contexts FILE.jsonl   (each line {"flag": KEY, "context": {…}}; - for stdin)
  ramp import --from unleash|flagd FILE [--env NAME] [--allow-unsupported] [-o json]

Server:
  ramp server [--port N] [--host H] [--data DIR] [--database URL]
                                                 run it; the first start prints a one-time admin token
  ramp apply -f FILE [--dry-run] [-o json]       create or update flags and segments from a file (- for stdin)
  ramp export [--env ENV] [-o yaml|json]         the project's flag file
  ramp flags list [--env ENV] [--tag T] [--archived] [-o json]
  ramp flags get KEY [-o json|yaml]
  ramp flags on|off KEY --env ENV [-o json]
  ramp flags rollout KEY PERCENT --env ENV [--variant NAME] [-o json]
  ramp flags archive|unarchive KEY [-o json]
  ramp token create --scope admin|read|server|client [--env ENV] [--name N] [-o json]
  ramp token list [-o json]
  ramp token revoke ID
  ramp audit [--kind K] [--key KEY] [--action A] [--limit N] [-o json]
  ramp audit verify [-o json]                    recompute the audit hash chain; exit 1 if it is broken

Rollouts:
  ramp rollout apply -f FILE [-o json]           create or update Rollouts and AnalysisTemplates (multi-document YAML)
  ramp rollout list [-o json]
  ramp rollout get NAME [--watch | -o json]      steps, weights, analysis and live traffic; --watch redraws until Ctrl-C
  ramp rollout promote NAME [--full]             next step (--full: skip the remaining steps and analysis)
  ramp rollout pause|resume|abort|retry|undo NAME
  ramp rollout set-version NAME VERSION          roll out another version
  (each takes -o json; a command that does not apply now exits 1 with the controller's reason)

Migrating rollouts (Ramp documents on stdout, a report of what changed on stderr):
  ramp import --from argo|flagger FILE [--allow-unsupported] [-o json] [--version VERSION]
              [--listen HOST:PORT] [--preview-listen HOST:PORT]
              [--stable-url URL --canary-url URL | --command CMD]
                                                 Argo Rollout/AnalysisTemplate, Flagger Canary/MetricTemplate;
                                                 exit 1 when a field cannot be carried over, unless
                                                 --allow-unsupported (then it is dropped); --listen: the
                                                 built-in proxy (default 127.0.0.1:8080); --preview-listen
                                                 (argo only): where an Argo blue-green previewService is
                                                 reached before the switch; --stable-url and
                                                 --canary-url: versions you run; --command: Ramp runs it per
                                                 replica with PORT set; none: placeholder URLs to edit

Demo:
  ramp demo [--once] [--fast] [--port N] [--proxy-port N] [--data DIR] [--timeout SECONDS]
                                                 server + demo service + traffic: v2 promoted, v3 aborted
                                                 by analysis; --once: plain lines, exit 0 if so

Without --env, eval uses the file's first environment. Server commands reach --server URL (or
RAMP_SERVER; default ${DEFAULT_SERVER}) with --token TOKEN (or RAMP_TOKEN). RAMP_ADMIN_TOKEN gives
\`ramp server\` its admin token instead of a generated one; RAMP_PROMETHEUS_URL is its default Prometheus
address for analysis; RAMP_NOTIFY_WEBHOOK_URL and RAMP_NOTIFY_SLACK_URL receive every rollout's
notifications; RAMP_UI_DIR serves another dashboard build.`;

type Remote<C extends string, O> = {
  readonly command: C;
  readonly options: O;
  readonly remote: RemoteOptions;
};

export type Invocation =
  | { readonly command: "help" }
  | { readonly command: "lint"; readonly options: LintOptions }
  | { readonly command: "eval"; readonly options: EvalOptions }
  | { readonly command: "import"; readonly options: ImportOptions }
  | { readonly command: "server"; readonly options: ServerOptions }
  | Remote<"apply", ApplyOptions>
  | Remote<"export", ExportOptions>
  | Remote<"flags list", FlagsListOptions>
  | Remote<"flags get", FlagsGetOptions>
  | Remote<"flags switch", FlagsSwitchOptions>
  | Remote<"flags rollout", FlagsRolloutOptions>
  | Remote<"flags archive", FlagsArchiveOptions>
  | Remote<"token create", TokenCreateOptions>
  | Remote<"token list", { readonly json: boolean }>
  | Remote<"token revoke", { readonly id: string; readonly json: boolean }>
  | Remote<"audit list", AuditListOptions>
  | Remote<"audit verify", { readonly json: boolean }>
  | Remote<"rollout apply", RolloutApplyOptions>
  | Remote<"rollout list", { readonly json: boolean }>
  | Remote<"rollout get", RolloutGetOptions>
  | Remote<"rollout act", RolloutActOptions>
  | { readonly command: "demo"; readonly options: DemoOptions };

export type Env = Readonly<Record<string, string | undefined>>;

export function parseInvocation(argv: readonly string[], env: Env): Invocation {
  const [command, ...rest] = argv;
  if (
    command === undefined ||
    command === "help" ||
    command === "--help" ||
    command === "-h" ||
    wantsHelp(rest)
  )
    return { command: "help" };
  switch (command) {
    case "lint": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { output: { type: "string", short: "o" } },
      });
      if (positionals.length === 0) throw new UsageError("ramp lint needs at least one FILE");
      return {
        command,
        options: { files: positionals, json: format(values.output, ["text", "json"], "text") === "json" },
      };
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
      return { command, options: { ...values, flags: values.flags } };
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
          listen: { type: "string" },
          "preview-listen": { type: "string" },
          "stable-url": { type: "string" },
          "canary-url": { type: "string" },
          command: { type: "string" },
          version: { type: "string" },
        },
      });
      const [file] = positionals;
      if (values.from === undefined || file === undefined)
        throw new UsageError("ramp import needs --from unleash|flagd|argo|flagger FILE");
      extra(positionals, 1);
      return {
        command,
        options: {
          from: values.from,
          file,
          environment: values.env,
          allowUnsupported: values["allow-unsupported"] ?? false,
          json: format(values.output, ["yaml", "json"], "yaml") === "json",
          rollout: importRolloutOptions(values.from, values),
        },
      };
    }
    case "server":
      return { command, options: parseServer(rest, env) };
    case "apply":
      return parseApply(rest, env);
    case "export":
      return parseExport(rest, env);
    case "flags":
      return parseFlags(rest, env);
    case "token":
      return parseToken(rest, env);
    case "audit":
      return parseAudit(rest, env);
    case "rollout":
    case "rollouts":
      return parseRollout(rest, env);
    case "demo":
      return { command, options: parseDemo(rest, env) };
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** `ramp import`'s rollout options (argo, flagger): one way to run versions, and only for rollouts. */
function importRolloutOptions(
  from: string,
  v: Readonly<
    Partial<Record<"listen" | "preview-listen" | "stable-url" | "canary-url" | "command" | "version", string>>
  >,
): ImportRolloutOptions {
  if (from !== "argo" && v["preview-listen"] !== undefined)
    throw new UsageError(
      "--preview-listen applies to Argo blue-green rollouts only (the entry point of their previewService): use it with --from argo",
    );
  const given = (["listen", "stable-url", "canary-url", "command", "version"] as const).filter(
    (k) => v[k] !== undefined,
  );
  if (from !== "argo" && from !== "flagger" && given.length > 0)
    throw new UsageError(`--${given[0]} is for --from argo and --from flagger`);
  if ((v["stable-url"] === undefined) !== (v["canary-url"] === undefined))
    throw new UsageError("--stable-url and --canary-url go together (the static platform needs both)");
  if (v.command !== undefined && v["stable-url"] !== undefined)
    throw new UsageError(
      "--command (process platform) and --stable-url/--canary-url (static) exclude each other",
    );
  return {
    listen: v.listen,
    previewListen: v["preview-listen"],
    stableUrl: v["stable-url"],
    canaryUrl: v["canary-url"],
    command: v.command,
    version: v.version,
  };
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}
