/**
 * `ramp eval` — evaluate flags from a file: one context (--flag, --context) or a JSONL batch
 * (--contexts), one JSON line out per evaluation, in input order.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { compileFlagSet, type EvaluationResult, type FlagEnvironment } from "@ramp/engine";
import { loadFile } from "../load.js";
import { err, fail, out, UsageError } from "../output.js";

export interface EvalOptions {
  readonly flags: string;
  readonly env?: string | undefined;
  readonly flag?: string | undefined;
  readonly context?: string | undefined;
  readonly contexts?: string | undefined;
}

export async function evalCommand(o: EvalOptions): Promise<void> {
  if ((o.flag === undefined) === (o.contexts === undefined))
    throw new UsageError("give either --flag KEY [--context JSON] or --contexts FILE.jsonl");
  const loaded = loadFile(o.flags);
  const compiled = compileFlagSet(loaded.value);
  if (!compiled.ok) {
    for (const i of compiled.errors) {
      const at = loaded.locate(i.path);
      err(`${o.flags}${at ? `:${at.line}:${at.column}` : ""}: error: ${i.path}: ${i.message}`);
    }
    err(`${o.flags}: ${compiled.errors.length} error(s); run \`ramp lint ${o.flags}\` for details`);
    return fail(1);
  }
  const set = compiled.flagSet;
  const envName = o.env ?? set.environments[0];
  const env = envName === undefined ? undefined : set.environment(envName);
  if (env === undefined)
    throw new UsageError(
      envName === undefined
        ? `${o.flags} defines no environment`
        : `unknown environment '${envName}'; the file has: ${set.environments.join(", ")}`,
    );
  if (o.flag !== undefined) {
    let context: unknown;
    try {
      context = JSON.parse(o.context ?? "{}");
    } catch (e) {
      throw new UsageError(`--context is not valid JSON: ${(e as Error).message}`);
    }
    out(line(env.evaluate(o.flag, context as Record<string, unknown>)));
    return;
  }
  await evalBatch(env, o.contexts ?? "");
}

async function evalBatch(env: FlagEnvironment, file: string): Promise<void> {
  const input = file === "-" ? process.stdin : createReadStream(file, { encoding: "utf8" });
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  let chunk: string[] = [];
  let bad = 0;
  for await (const raw of rl) {
    n++;
    if (raw.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      parsed = undefined;
      err(`${file}:${n}: not JSON: ${(e as Error).message}`);
    }
    const entry = parsed as { flag?: unknown; context?: unknown } | undefined;
    if (
      entry === undefined ||
      typeof entry !== "object" ||
      entry === null ||
      typeof entry.flag !== "string"
    ) {
      if (entry !== undefined) err(`${file}:${n}: expected {"flag": KEY, "context": {...}}`);
      bad++;
      chunk.push(JSON.stringify({ key: null, value: null, reason: "ERROR", errorCode: "PARSE_ERROR" }));
    } else {
      chunk.push(line(env.evaluate(entry.flag, (entry.context ?? {}) as Record<string, unknown>)));
    }
    if (chunk.length >= 1000) {
      out(chunk.join("\n"));
      chunk = [];
    }
  }
  if (chunk.length > 0) out(chunk.join("\n"));
  if (bad > 0) {
    err(`${file}: ${bad} line(s) could not be read`);
    fail(1);
  }
}

function line(r: EvaluationResult): string {
  const o: Record<string, unknown> = {
    key: r.key,
    value: r.value ?? null,
    variant: r.variant ?? null,
    reason: r.reason,
  };
  if (r.errorCode !== undefined) o.errorCode = r.errorCode;
  return JSON.stringify(o);
}
