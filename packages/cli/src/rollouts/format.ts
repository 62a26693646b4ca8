/** Text for `ramp rollout list`, `apply` and the commands; pure, like remote/format.ts. */
import type { RolloutApplyResult, RolloutSummary } from "../remote/api-types.js";
import { table } from "../table.js";

export function rolloutsTable(rollouts: readonly RolloutSummary[]): string {
  return table(
    ["NAME", "PHASE", "STEP", "WEIGHT", "STABLE", "CANARY", "MESSAGE"],
    rollouts.map((r) => [
      r.name,
      r.aborted && r.phase !== "Degraded" ? `${r.phase} (aborted)` : r.phase,
      r.stepIndex === null ? "-" : String(r.stepIndex + 1),
      r.canaryVersion === null ? "-" : `${r.canaryWeight}%`,
      r.stableVersion ?? "-",
      r.canaryVersion ?? "-",
      r.message.length > 60 ? `${r.message.slice(0, 59)}…` : r.message,
    ]),
  );
}

const MARK: Record<string, string> = { create: "+", update: "~", unchanged: "=" };

export function formatRolloutApply(result: RolloutApplyResult): string {
  const rows = [
    ...result.templates.map((t) => ({ what: `analysis-template ${t.name}`, action: t.action })),
    ...result.rollouts.map((r) => ({ what: `rollout ${r.name}`, action: r.action })),
  ];
  const width = Math.max(0, ...rows.map((r) => r.what.length));
  const n = (a: string) => rows.filter((r) => r.action === a).length;
  return [
    ...rows.map((r) => `${MARK[r.action] ?? "?"} ${r.what.padEnd(width)}  ${r.action}`),
    `Applied: ${n("create")} created, ${n("update")} updated, ${n("unchanged")} unchanged.`,
  ].join("\n");
}

/** One line after a command: where the rollout stands now. */
export function formatRolloutState(r: RolloutSummary): string {
  const versions =
    r.canaryVersion === null
      ? `${r.stableVersion ?? "nothing"} serves all traffic`
      : `stable ${r.stableVersion ?? "-"}, canary ${r.canaryVersion} at ${r.canaryWeight}%`;
  return `${r.name}: ${r.phase}${r.aborted ? " (aborted)" : ""}: ${r.message} — ${versions}`;
}
