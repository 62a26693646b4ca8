/** The command lines of `ramp rollout …` and `ramp demo`: pure functions of argv and the environment. */
import { parseArgs } from "node:util";
import type { Env, Invocation } from "./args.js";
import { extra, json } from "./args-util.js";
import type { DemoOptions } from "./demo/demo.js";
import { UsageError } from "./output.js";
import { REMOTE, remote } from "./remote-args.js";

/** The commands a rollout takes (the API's verbs). */
export const ROLLOUT_VERBS = ["promote", "pause", "resume", "abort", "retry", "undo", "set-version"] as const;
export type RolloutVerb = (typeof ROLLOUT_VERBS)[number];

const SUBCOMMANDS = ["apply", "list", "get", ...ROLLOUT_VERBS] as const;

export function parseRollout(args: readonly string[], env: Env): Invocation {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...REMOTE,
      file: { type: "string", short: "f" },
      watch: { type: "boolean", short: "w", default: false },
      full: { type: "boolean", default: false },
    },
  });
  const r = remote(values, env);
  const only = (allowed: readonly ("file" | "watch" | "full")[]) => {
    for (const name of ["file", "watch", "full"] as const)
      if (!allowed.includes(name) && values[name] !== undefined && values[name] !== false)
        throw new UsageError(`ramp rollout ${sub} does not take --${name}`);
  };
  const name = () => {
    const [n] = positionals;
    if (n === undefined)
      throw new UsageError(`ramp rollout ${sub} needs a rollout NAME (see \`ramp rollout list\`)`);
    return n;
  };
  switch (sub) {
    case "apply":
      only(["file"]);
      extra(positionals, 0);
      if (values.file === undefined) throw new UsageError("ramp rollout apply needs -f FILE");
      return {
        command: "rollout apply",
        remote: r,
        options: { file: values.file, json: json(values.output) },
      };
    case "list":
      only([]);
      extra(positionals, 0);
      return { command: "rollout list", remote: r, options: { json: json(values.output) } };
    case "get": {
      only(["watch"]);
      extra(positionals, 1);
      const watch = values.watch ?? false;
      const asJson = json(values.output);
      if (watch && asJson)
        throw new UsageError("--watch draws for people; -o json prints once (poll it for scripts)");
      return { command: "rollout get", remote: r, options: { name: name(), json: asJson, watch } };
    }
    case "set-version": {
      only([]);
      extra(positionals, 2);
      const n = name();
      const version = positionals[1];
      if (version === undefined) throw new UsageError("ramp rollout set-version needs NAME VERSION");
      return {
        command: "rollout act",
        remote: r,
        options: { name: n, verb: sub, full: false, version, json: json(values.output) },
      };
    }
    case "promote":
    case "pause":
    case "resume":
    case "abort":
    case "retry":
    case "undo":
      only(sub === "promote" ? ["full"] : []);
      extra(positionals, 1);
      return {
        command: "rollout act",
        remote: r,
        options: { name: name(), verb: sub, full: values.full ?? false, json: json(values.output) },
      };
    case undefined:
      throw new UsageError(`ramp rollout needs a subcommand: ${SUBCOMMANDS.join(", ")}`);
    default:
      throw new UsageError(`unknown subcommand 'rollout ${sub}'${suggest(sub)}`);
  }
}

function suggest(sub: string): string {
  const near = SUBCOMMANDS.find((s) => s.startsWith(sub.slice(0, 3)));
  return near === undefined ? "" : ` (did you mean 'rollout ${near}'?)`;
}

export function parseDemo(args: readonly string[], env: Env): DemoOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      once: { type: "boolean", default: false },
      fast: { type: "boolean", default: false },
      port: { type: "string", short: "p" },
      "proxy-port": { type: "string" },
      data: { type: "string" },
      timeout: { type: "string" },
    },
  });
  extra(positionals, 0);
  const timeout = values.timeout === undefined ? 300 : Number(values.timeout);
  if (values.timeout !== undefined && !(/^\d+$/.test(values.timeout) && timeout >= 10))
    throw new UsageError(`--timeout must be a number of seconds, at least 10; got '${values.timeout}'`);
  return {
    once: values.once ?? false,
    fast: values.fast ?? false,
    port: port("--port", values.port) ?? 4320,
    proxyPort: port("--proxy-port", values["proxy-port"]),
    data: values.data ?? env.RAMP_DATA ?? ".ramp",
    timeoutSeconds: timeout,
  };
}

function port(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535)
    throw new UsageError(`${flag} must be 0–65535 (0: any free port); got '${text}'`);
  return n;
}
