/**
 * The `command` provider: Ramp's off-Kubernetes counterpart of Argo's `job` provider. It runs a
 * command line (a string runs under `/bin/sh -c`; a list is the argv) and returns
 *
 *   { exitCode: 0, stdout: <stdout as JSON, or as a number, or the trimmed text>, stderr: "<tail>" }
 *
 * so conditions read both: `result.exitCode == 0 && result.stdout.errorRate < 0.01`. stdout is read
 * up to 64 KiB (text beyond that is cut and not parsed), stderr's last 4 KiB are kept.
 *
 * Argo judges a job by its outcome alone (it succeeded: Successful; it failed: Failed). A command
 * metric without successCondition or failureCondition is judged the same way here: exit 0 passes,
 * any other exit is an error measurement, so a failing check never passes for want of a condition.
 * Timeouts and aborts kill the whole process group; nothing the command started is left running.
 */

import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import type { JsonValue } from "@ramp/engine";
import type { Metric } from "../../../analysis/types.js";
import { excerpt } from "../http/request.js";
import type { MeasurementContext, MeasurementResult, MetricProvider } from "../provider.js";
import { measuredSettings } from "../provider-settings.js";
import { type CommandSettings, readCommandSettings } from "./config.js";

export { DEFAULT_COMMAND_TIMEOUT_SECONDS, readCommandSettings } from "./config.js";

const STDOUT_LIMIT = 64 * 1024;
const STDERR_LIMIT = 4 * 1024;
const EXIT_GRACE_MS = 500;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type Outcome =
  | {
      readonly kind: "exited";
      readonly code: number;
      readonly stdout: string;
      readonly cut: boolean;
      readonly stderr: string;
    }
  | { readonly kind: "failed"; readonly reason: string };

export class CommandMetricProvider implements MetricProvider {
  readonly type = "command";

  async measure(metric: Metric, context: MeasurementContext): Promise<MeasurementResult> {
    const read = measuredSettings(metric, "command", readCommandSettings);
    if ("error" in read) return read;
    const { settings } = read;
    if (settings.cwd !== undefined) {
      const dir = await stat(settings.cwd).catch(() => undefined);
      if (dir?.isDirectory() !== true)
        return { error: `command: cwd ${JSON.stringify(settings.cwd)} is not a directory` };
    }
    const outcome = await run(settings, context.signal);
    if (outcome.kind === "failed") return { error: `command: ${outcome.reason}` };
    const judged = metric.successCondition !== undefined || metric.failureCondition !== undefined;
    if (!judged && outcome.code !== 0) {
      const said = excerpt(outcome.stderr, 300);
      return { error: `command: exited with code ${outcome.code}${said === "" ? "" : `: ${said}`}` };
    }
    return {
      value: {
        exitCode: outcome.code,
        stdout: outcome.cut ? outcome.stdout : parseOutput(outcome.stdout),
        stderr: outcome.stderr,
      },
    };
  }
}

/** stdout as a value: JSON if it is JSON, a number if it is a bare number (`NaN`, `+Inf` too), else the text. */
export function parseOutput(text: string): JsonValue {
  const t = text.trim();
  if (t === "") return "";
  if (NUMBER.test(t)) return Number(t);
  if (/^[+-]?Inf(inity)?$/.test(t))
    return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (t === "NaN") return Number.NaN;
  try {
    return JSON.parse(t) as JsonValue;
  } catch {
    return t;
  }
}

function run(s: CommandSettings, signal: AbortSignal): Promise<Outcome> {
  const [program, ...args] = s.argv;
  if (program === undefined) return Promise.resolve({ kind: "failed", reason: "no command" });
  if (signal.aborted) return Promise.resolve({ kind: "failed", reason: "aborted" });
  return new Promise<Outcome>((resolve) => {
    // Its own process group (detached), so a timeout can kill whatever the command started too.
    const child = spawn(program, args, {
      env: { ...process.env, ...s.env },
      ...(s.cwd !== undefined && { cwd: s.cwd }),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let cut = false;
    let stderr = "";
    let settled = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      // Whatever it left behind in its group goes with it.
      killGroup();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: "failed", reason: "aborted" });
    const timer = setTimeout(
      () => finish({ kind: "failed", reason: `timed out after ${s.timeoutMs / 1000}s` }),
      s.timeoutMs,
    );
    signal.addEventListener("abort", onAbort, { once: true });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (cut) return;
      if (stdout.length + chunk.length > STDOUT_LIMIT) {
        stdout += chunk.slice(0, STDOUT_LIMIT - stdout.length);
        cut = true;
      } else stdout += chunk;
    });
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_LIMIT);
    });
    child.on("error", (e) => {
      const code = "code" in e ? String(e.code) : "";
      const reason =
        code === "ENOENT"
          ? `cannot start ${JSON.stringify(program)}: not found`
          : code === "EACCES"
            ? `cannot start ${JSON.stringify(program)}: permission denied`
            : `cannot start ${JSON.stringify(program)}: ${e.message}`;
      finish({ kind: "failed", reason });
    });
    const ended = (code: number | null, sig: NodeJS.Signals | null): void => {
      if (code === null) finish({ kind: "failed", reason: `killed by ${sig ?? "a signal"}` });
      else finish({ kind: "exited", code, stdout: cut ? stdout : stdout.trim(), cut, stderr: stderr.trim() });
    };
    child.on("close", ended);
    // A background process it started may hold stdout open: once the command itself has exited,
    // its output gets a moment to drain, then the group is killed and the measurement ends.
    child.on("exit", (code, sig) => {
      setTimeout(() => ended(code, sig), EXIT_GRACE_MS).unref();
    });
  });
}
