/**
 * What `ramp rollout get [--watch]` and the demo draw: a rollout's steps with the current one
 * marked, its weights as bars, its analysis runs with their last measurements, and live traffic per
 * version. Pure functions of a snapshot, so every frame is tested without a server or a terminal.
 */
import { compileRollout, describeStep, type Measurement, type MetricResult } from "@ramp/server/rollouts";
import type {
  RolloutAnalysisRun,
  RolloutDetail,
  TrafficReport,
  VersionTrafficReport,
} from "../remote/api-types.js";
import { table } from "../table.js";

/** Everything one frame shows, read at one moment. */
export interface RolloutSnapshot {
  readonly rollout: RolloutDetail;
  /** The analysis runs of the current revision, finished ones too, oldest first. */
  readonly runs: readonly RolloutAnalysisRun[];
  /** Undefined when the traffic could not be read. */
  readonly traffic: TrafficReport | undefined;
  /** When it was read (epoch ms): countdowns count from it. */
  readonly at: number;
}

export interface ViewOptions {
  /** Time of day of history entries (default: local HH:MM:SS). */
  readonly time?: (iso: string) => string;
  /** Width of a weight bar in characters (default 30). */
  readonly barWidth?: number;
  /** History entries shown (default 6). */
  readonly events?: number;
  /** Analysis runs shown, the newest (default 3). */
  readonly runs?: number;
  /** Steps on a few lines instead of one each, for short terminals. */
  readonly compact?: boolean;
}

const MARK: Record<string, string> = {
  Successful: "✓",
  Failed: "✗",
  Error: "!",
  Inconclusive: "?",
  Running: "…",
  Pending: "…",
};

export function renderRollout(s: RolloutSnapshot, o: ViewOptions = {}): string {
  return [
    ...header(s, o.time ?? localTime),
    "",
    ...weights(s.rollout, o.barWidth ?? 30),
    ...section("Steps", o.compact === true ? compactSteps(s.rollout) : steps(s.rollout)),
    ...section("Analysis", analysis(s.runs, o.runs ?? 3)),
    ...section("Traffic", traffic(s.traffic)),
    ...section("Events", events(s.rollout, o.events ?? 6, o.time ?? localTime)),
  ].join("\n");
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ["", title, ...lines];
}

function header(s: RolloutSnapshot, time: (iso: string) => string): string[] {
  const r = s.rollout;
  const total = stepsOf(r.spec)?.length;
  const current = currentStep(r);
  const step =
    current === null || total === undefined ? "" : `   step ${Math.min(current + 1, total)}/${total}`;
  const pause = r.status.pauseConditions.find((p) => p.until !== null);
  let message = r.message;
  if (pause !== undefined && pause.until !== null) {
    const left = Math.max(0, Math.ceil((Date.parse(pause.until) - s.at) / 1000));
    message = `${message.replace(pause.until, time(pause.until))} (${left}s left)`;
  }
  return [
    `Rollout ${r.name}   ${r.phase}${r.aborted ? " (aborted)" : ""}   revision ${r.revision}${step}${flaggerProgress(r)}`,
    `  ${clip(message, 110)}`,
  ];
}

/** A Flagger-style analysis: its interval, failed checks against the threshold, the gate holding it. */
function flaggerProgress(r: RolloutDetail): string {
  const f = r.status.flagger;
  if (f === undefined || f.revision !== r.revision || r.canaryVersion === null) return "";
  const compiled = compileRollout(r.spec);
  const strategy = compiled.ok ? compiled.rollout.strategy : undefined;
  const threshold = strategy?.kind === "flagger" ? strategy.analysis.threshold : "?";
  const held = f.heldBy === null ? "" : `, held by ${f.heldBy.type} webhook ${f.heldBy.name}`;
  return `   interval ${f.interval}, failed checks ${f.failedChecks}/${threshold}${held}`;
}

/**
 * The step the update is at; for an aborted one, the step it was stopped at (the controller starts
 * the index over on abort, the history keeps where it was). Null with no update in progress.
 */
export function currentStep(r: RolloutDetail): number | null {
  if (r.canaryVersion === null) return null;
  if (!r.aborted) return r.stepIndex;
  const history = r.status.history.filter((h) => h.revision === r.revision);
  const abort = history.findLastIndex((h) => h.event === "Aborted");
  return (abort > 0 ? history[abort - 1]?.stepIndex : undefined) ?? r.stepIndex;
}

function weights(r: RolloutDetail, width: number): string[] {
  if (r.stableVersion === null) return ["  nothing deployed yet"];
  const rows: [string, string, number][] = [["stable", r.stableVersion, 100 - r.canaryWeight]];
  if (r.canaryVersion !== null) rows.push(["canary", r.canaryVersion, r.canaryWeight]);
  const name = Math.max(...rows.map(([, v]) => v.length));
  return rows.map(
    ([role, version, pct]) =>
      `  ${role}  ${version.padEnd(name)}  ${weightBar(pct, width)}  ${formatPct(pct)}`,
  );
}

/** `█████░░░░░` for a percentage: a filled cell per 100/width percent, rounded. */
export function weightBar(percent: number, width: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}

function formatPct(pct: number): string {
  return `${Number.isInteger(pct) ? pct : pct.toFixed(1)}%`.padStart(5);
}

/** The canary steps in words, from the spec as applied; undefined for other strategies or an invalid spec. */
export function stepsOf(spec: unknown): string[] | undefined {
  const compiled = compileRollout(spec);
  if (!compiled.ok || compiled.rollout.strategy.kind !== "canary") return undefined;
  return compiled.rollout.strategy.steps.map(describeStep);
}

/** ✓ done, ▶ current (✗ when the update was aborted there), blank to come. */
function stepMark(r: RolloutDetail, i: number): string {
  const current = currentStep(r);
  if (current === null || i > current) return " ";
  return i < current ? "✓" : r.aborted ? "✗" : "▶";
}

function steps(r: RolloutDetail): string[] {
  const list = stepsOf(r.spec);
  if (list === undefined) return [];
  const width = String(list.length).length;
  return list.map((text, i) => `  ${stepMark(r, i)} ${String(i + 1).padStart(width)}. ${text}`);
}

function compactSteps(r: RolloutDetail, width = 96): string[] {
  const items = (stepsOf(r.spec) ?? []).map(
    (text, i) => `${stepMark(r, i).trim()}${i + 1}. ${text.replace(/ \(.*\)$/, "")}`,
  );
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    if (line !== "" && line.length + item.length + 3 > width) {
      lines.push(`  ${line}`);
      line = "";
    }
    line = line === "" ? item : `${line} · ${item}`;
  }
  if (line !== "") lines.push(`  ${line}`);
  return lines;
}

function analysis(runs: readonly RolloutAnalysisRun[], shown: number): string[] {
  const lines: string[] = [];
  for (const run of runs.slice(-shown)) {
    lines.push(
      `  ${run.name}  ${run.status.phase}${run.status.message ? `: ${clip(run.status.message, 80)}` : ""}`,
    );
    const name = Math.max(0, ...run.status.metricResults.map((m) => m.name.length));
    for (const m of run.status.metricResults) lines.push(`    ${m.name.padEnd(name)}  ${metricLine(m)}`);
  }
  return lines;
}

/** `Successful  1.000 ✓  0.998 ✓` — the phase, then the last three measurements; a wait says why. */
export function metricLine(m: MetricResult): string {
  const last = m.measurements.slice(-3);
  const values = last.map(
    (x) => `${x.value === undefined ? "" : `${formatMeasurement(x.value)} `}${MARK[x.phase] ?? "?"}`,
  );
  const waiting = last.at(-1);
  const why =
    waiting !== undefined && waiting.finishedAt === undefined && waiting.message !== undefined
      ? `  ${clip(waiting.message.replace(/^insufficient data: /, "waiting: ").replace(/; waiting until \S+$/, ""), 80)}`
      : failure(last.at(-1));
  return `${m.phase.padEnd(12)}${values.join("  ")}${why}`;
}

function failure(m: Measurement | undefined): string {
  if (m === undefined || m.message === undefined || (m.phase !== "Error" && m.phase !== "Inconclusive"))
    return "";
  return `  ${clip(m.message, 70)}`;
}

/** A measured value as stored ("0.98765", "[0.97]", "NaN"), rounded for a glance. */
export function formatMeasurement(value: string): string {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) return clip(value, 14);
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(3);
}

function traffic(t: TrafficReport | undefined): string[] {
  if (t === undefined) return ["  not available"];
  if (!t.measured)
    return ["  not measured here (this server does not run the rollout, or it routes nothing yet)"];
  const rows = t.versions.map((v) => [
    v.role,
    v.version,
    v.requestsPerSecond.toFixed(1),
    v.errorRate === null ? "-" : `${(v.errorRate * 100).toFixed(2)}%`,
    v.p99Ms === null ? "-" : `${v.p99Ms.toFixed(0)} ms`,
  ]);
  const body = table(["ROLE", "VERSION", "REQ/S", "5XX", "P99"], rows)
    .split("\n")
    .map((l) => `  ${l}`);
  const preview = t.preview === null || t.preview === undefined ? "" : ` (preview: ${t.preview})`;
  return [
    `  over the last ${t.windowSeconds} s${t.proxy === null ? "" : `, through ${t.proxy}`}${preview}`,
    ...body,
  ];
}

/** One line for logs: `v1 54.2 req/s 0.00% 5xx p99 31 ms · v2 6.1 req/s …`. */
export function trafficLine(t: TrafficReport): string {
  if (t.versions.length === 0) return "no traffic routed yet";
  return t.versions.map(versionTraffic).join(" · ");
}

function versionTraffic(v: VersionTrafficReport): string {
  const errors = v.errorRate === null ? "-" : `${(v.errorRate * 100).toFixed(2)}%`;
  const p99 = v.p99Ms === null ? "-" : `${v.p99Ms.toFixed(0)} ms`;
  return `${v.role} ${v.version} ${v.requestsPerSecond.toFixed(1)} req/s, ${errors} 5xx, p99 ${p99}`;
}

function events(r: RolloutDetail, shown: number, time: (iso: string) => string): string[] {
  const entries = r.status.history.filter((h) => h.revision === r.revision).slice(-shown);
  const width = Math.max(0, ...entries.map((h) => h.event.length));
  return entries.map((h) => `  ${time(h.at)}  ${h.event.padEnd(width)}  ${clip(h.message, 90)}`);
}

/**
 * What a watcher without a terminal compares to decide whether to print a new frame: everything
 * but the traffic numbers and countdowns, which change on every read.
 */
export function watchKey(s: RolloutSnapshot): string {
  const r = s.rollout;
  return JSON.stringify([
    r.phase,
    r.message,
    r.revision,
    r.stepIndex,
    r.canaryWeight,
    r.stableVersion,
    r.canaryVersion,
    r.aborted,
    r.status.history.at(-1)?.seq ?? 0,
    s.runs.map((run) => [
      run.name,
      run.status.phase,
      run.status.metricResults.map((m) => [
        m.name,
        m.phase,
        m.count + m.error,
        m.measurements.at(-1)?.message,
      ]),
    ]),
  ]);
}

export function localTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
