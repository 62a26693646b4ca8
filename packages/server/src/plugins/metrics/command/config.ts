/**
 * The `command` provider's settings, Ramp's stand-in for Argo's Kubernetes `job` off Kubernetes:
 * `{ command, env?, cwd?, timeoutSeconds? }`. Checked with paths when a template loads, and read
 * again, typed, for each measurement.
 */

import { describeValue, isPlainObject, joinPath } from "../../../analysis/issues.js";
import { type SettingsReader, settingsObject } from "../provider-settings.js";

const KEYS = ["command", "env", "cwd", "timeoutSeconds"] as const;

export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 60;

export interface CommandSettings {
  /** The program and its arguments; a string command becomes `/bin/sh -c <string>`. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly timeoutMs: number;
}

/** The settings, typed, or undefined after reporting every problem with its path. */
export const readCommandSettings: SettingsReader<CommandSettings> = (input, path, issues) => {
  const before = issues.items.length;
  const value = settingsObject(input, KEYS, path, issues, 'an object such as { command: "./check.sh" }');
  if (value === undefined) return undefined;
  const { command, env, cwd, timeoutSeconds } = value;
  let argv: string[] = [];
  const at = joinPath(path, "command");
  if (typeof command === "string") {
    if (command.trim() === "") issues.error(at, "required: a command line, or a list [program, arg, …]");
    else argv = ["/bin/sh", "-c", command];
  } else if (Array.isArray(command)) {
    if (command.length === 0) issues.error(at, "expected [program, arg, …], got an empty list");
    for (const [i, arg] of command.entries()) {
      if (typeof arg !== "string")
        issues.error(joinPath(at, i), `expected a string, got ${describeValue(arg)}`);
      else if (i === 0 && arg === "") issues.error(joinPath(at, i), "the program cannot be empty");
      else argv.push(arg);
    }
  } else if (command === undefined) {
    issues.error(at, "required: a command line, or a list [program, arg, …]");
  } else {
    issues.error(at, `expected a command line, or a list [program, arg, …]; got ${describeValue(command)}`);
  }
  const vars: Record<string, string> = {};
  if (env !== undefined) {
    if (!isPlainObject(env))
      issues.error(joinPath(path, "env"), `expected a map of names to strings, got ${describeValue(env)}`);
    else {
      for (const [k, v] of Object.entries(env)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
          issues.error(joinPath(joinPath(path, "env"), k), "expected a variable name (letters, digits, _)");
        } else if (typeof v !== "string") {
          issues.error(
            joinPath(joinPath(path, "env"), k),
            `expected a string (quote numbers), got ${describeValue(v)}`,
          );
        } else vars[k] = v;
      }
    }
  }
  if (cwd !== undefined && (typeof cwd !== "string" || cwd === "")) {
    issues.error(joinPath(path, "cwd"), `expected a directory, got ${describeValue(cwd)}`);
  }
  if (
    timeoutSeconds !== undefined &&
    !(typeof timeoutSeconds === "number" && timeoutSeconds > 0 && Number.isFinite(timeoutSeconds))
  ) {
    issues.error(
      joinPath(path, "timeoutSeconds"),
      `expected a number of seconds > 0, got ${describeValue(timeoutSeconds)}`,
    );
  }
  if (issues.items.length > before) return undefined;
  return {
    argv,
    env: vars,
    ...(typeof cwd === "string" && { cwd }),
    timeoutMs: (typeof timeoutSeconds === "number" ? timeoutSeconds : DEFAULT_COMMAND_TIMEOUT_SECONDS) * 1000,
  };
};
