/**
 * `ramp rollout apply|list|get|promote|pause|resume|abort|retry|undo|set-version` — rollouts on the
 * server. A file is checked locally first (problems at line:column), then sent whole; commands are
 * decided by the rollout controller, which answers 409 with a reason when one does not apply.
 */
import { dirname, resolve } from "node:path";
import { formatIssue, where } from "../issues.js";
import { readText } from "../load.js";
import { err, fail, out } from "../output.js";
import type { RolloutApplyResult, RolloutDetail, RolloutSummary } from "../remote/api-types.js";
import { type ApiClient, HttpError } from "../remote/client.js";
import type { RolloutVerb } from "../rollout-args.js";
import { parseRolloutFile, splitDocumentPath } from "../rollouts/files.js";
import { formatRolloutApply, formatRolloutState, rolloutsTable } from "../rollouts/format.js";
import { renderRollout } from "../rollouts/view.js";
import { readSnapshot, type Screen, watchRollout } from "../rollouts/watch.js";

export interface RolloutApplyOptions {
  /** A path, or `-` for standard input. */
  readonly file: string;
  readonly json: boolean;
}

export interface RolloutGetOptions {
  readonly name: string;
  readonly json: boolean;
  readonly watch: boolean;
}

export interface RolloutActOptions {
  readonly name: string;
  readonly verb: RolloutVerb;
  /** promote --full: skip the remaining steps, pauses and analysis. */
  readonly full: boolean;
  /** set-version's VERSION. */
  readonly version?: string | undefined;
  readonly json: boolean;
}

const base = (name: string) => `/api/v1/rollouts/${encodeURIComponent(name)}`;

export async function rolloutApply(o: RolloutApplyOptions, client: ApiClient): Promise<void> {
  const text = readText(o.file);
  const file = o.file === "-" ? "<stdin>" : o.file;
  const parsed = parseRolloutFile(text, o.file === "-" ? process.cwd() : dirname(resolve(o.file)));
  for (const i of parsed.issues) (i.severity === "error" ? err : out)(formatIssue(where(file, at(i)), i));
  const errors = parsed.issues.filter((i) => i.severity === "error").length;
  if (errors === 0 && parsed.documents.length === 0) {
    err(`${file}: no Rollout or AnalysisTemplate documents; nothing was applied`);
    return fail(1);
  }
  if (errors > 0) {
    err(`${file}: ${errors} error(s); nothing was applied`);
    return fail(1);
  }
  let result: RolloutApplyResult;
  try {
    result = await client.json<RolloutApplyResult>("POST", "/api/v1/rollouts", { json: parsed.documents });
  } catch (e) {
    if (!(e instanceof HttpError) || e.status !== 400 || e.details.length === 0) throw e;
    err(`ramp: the server rejected ${file} (${e.code}): ${e.message}`);
    for (const d of e.details) {
      const split = splitDocumentPath(d.path);
      const origin = split === undefined ? undefined : parsed.origins[split.index];
      const loc = split === undefined || origin === undefined ? undefined : parsed.locate(origin, split.path);
      err(formatIssue(where(file, loc), { ...d, path: split?.path ?? d.path, severity: "error" }));
    }
    err(`${file}: ${e.details.length} error(s); nothing was applied`);
    return fail(1);
  }
  out(o.json ? JSON.stringify(result, null, 2) : formatRolloutApply(result));
}

function at(i: { line?: number | undefined; column?: number | undefined }) {
  return i.line === undefined ? undefined : { line: i.line, column: i.column };
}

export async function rolloutList(o: { readonly json: boolean }, client: ApiClient): Promise<void> {
  const { rollouts } = await client.json<{ rollouts: RolloutSummary[] }>("GET", "/api/v1/rollouts");
  if (o.json) out(JSON.stringify({ rollouts }, null, 2));
  else
    out(
      rollouts.length === 0
        ? "no rollouts (apply one with `ramp rollout apply -f FILE`)"
        : rolloutsTable(rollouts),
    );
}

/** `screen` and `signal` are the process's unless a test gives its own. */
export async function rolloutGet(
  o: RolloutGetOptions,
  client: ApiClient,
  screen: Screen = process.stdout,
  signal?: AbortSignal,
): Promise<void> {
  if (o.json) {
    out(JSON.stringify(await client.json<RolloutDetail>("GET", base(o.name)), null, 2));
    return;
  }
  if (!o.watch) {
    out(renderRollout(await readSnapshot(client, o.name)));
    return;
  }
  // Ctrl-C, or a reader that went away (`| head`), ends the watch.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  const onPipe = (e: NodeJS.ErrnoException) => e.code === "EPIPE" && stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.stdout.on("error", onPipe);
  signal?.addEventListener("abort", onSignal, { once: true });
  try {
    await watchRollout(client, o.name, { signal: stop.signal, screen });
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    process.stdout.removeListener("error", onPipe);
    signal?.removeEventListener("abort", onSignal);
  }
}

export async function rolloutAct(o: RolloutActOptions, client: ApiClient): Promise<void> {
  const body =
    o.verb === "set-version"
      ? { version: o.version ?? "" }
      : o.verb === "promote" && o.full
        ? { full: true }
        : {};
  const state = await client.json<RolloutSummary>("POST", `${base(o.name)}/${o.verb}`, { json: body });
  out(o.json ? JSON.stringify(state, null, 2) : formatRolloutState(state));
}
