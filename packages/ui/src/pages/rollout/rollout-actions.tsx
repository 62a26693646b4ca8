/**
 * The operator's buttons: promote, promote full, pause, resume, abort, retry. Each asks first, then
 * shows what the controller answered — the new state, or why the command does not apply now (409).
 */
import { useState } from "react";
import { ApiError } from "../../api/client.js";
import type { RolloutCommand, RolloutSummary } from "../../api/types.js";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { useSession } from "../../session-context.js";

interface Action {
  readonly id: string;
  readonly label: string;
  readonly command: RolloutCommand;
  readonly full?: boolean;
  readonly danger?: boolean;
  readonly explain: string;
}

const ACTIONS: readonly Action[] = [
  {
    id: "promote",
    label: "Promote",
    command: "promote",
    explain: "Skip the current pause or analysis and go on to the next step.",
  },
  {
    id: "promote-full",
    label: "Promote full",
    command: "promote",
    full: true,
    explain: "Skip every remaining step and analysis: the canary gets 100% and becomes stable.",
  },
  {
    id: "pause",
    label: "Pause",
    command: "pause",
    explain: "Hold the rollout at its current step until resumed.",
  },
  { id: "resume", label: "Resume", command: "resume", explain: "Continue from the current step." },
  {
    id: "abort",
    label: "Abort",
    command: "abort",
    danger: true,
    explain:
      "Send all traffic back to the stable version at once (canary weight 0) and mark the rollout Degraded.",
  },
  {
    id: "retry",
    label: "Retry",
    command: "retry",
    explain: "Start the aborted version's steps again from the first.",
  },
];

export function RolloutActions(p: {
  rollout: RolloutSummary;
  onDone(summary: RolloutSummary | undefined): void;
}) {
  const { api, canWrite } = useSession();
  const [asking, setAsking] = useState<Action | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  if (!canWrite) return null;

  const run = async (a: Action) => {
    setAsking(undefined);
    setBusy(true);
    try {
      const s = await api.command(p.rollout.name, a.command, a.full === true);
      setResult({
        ok: true,
        text: `${a.label}: ${s.phase}${s.message ? ` — ${s.message}` : ""} (canary ${s.canaryWeight}%)`,
      });
      p.onDone(s);
    } catch (e) {
      const text =
        e instanceof ApiError && e.status === 409
          ? `${a.label} does not apply now: ${e.message} (${e.code})`
          : `${a.label} failed: ${e instanceof Error ? e.message : String(e)}`;
      setResult({ ok: false, text });
      p.onDone(undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <div className="row actions">
        {ACTIONS.map((a) => (
          <button
            key={a.id}
            type="button"
            className={a.danger ? "danger" : undefined}
            disabled={busy}
            onClick={() => setAsking(a)}
          >
            {a.label}
          </button>
        ))}
      </div>
      <p className={`result ${result?.ok === false ? "bad" : ""}`} role="status" aria-live="polite">
        {result?.text ?? ""}
      </p>
      <ConfirmDialog
        open={asking !== undefined}
        title={`${asking?.label ?? ""} ${p.rollout.name}?`}
        confirmLabel={asking?.label ?? "OK"}
        danger={asking?.danger === true}
        onConfirm={() => asking !== undefined && void run(asking)}
        onCancel={() => setAsking(undefined)}
      >
        <p>{asking?.explain}</p>
        <p className="small muted">
          Now: {p.rollout.phase}, canary {p.rollout.canaryVersion ?? "—"} at {p.rollout.canaryWeight}%, stable{" "}
          {p.rollout.stableVersion ?? "—"}.
        </p>
      </ConfirmDialog>
    </section>
  );
}
