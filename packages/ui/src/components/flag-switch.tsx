/**
 * A flag's kill switch in one environment: a real switch button for admins (asking first in
 * production), plain text for read-only tokens. A stale version (409) reloads and says so.
 */
import { useState } from "react";
import type { FlagDocument } from "../api/types.js";
import { useSession } from "../session-context.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { flagWriteFailure } from "./flag-write-failure.js";

export function FlagSwitch(p: {
  flag: FlagDocument;
  env: string;
  onChanged(flag: FlagDocument | undefined): void;
}) {
  const { api, canWrite } = useSession();
  const on = p.flag.environments[p.env]?.on === true;
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const present = p.flag.environments[p.env] !== undefined;

  if (!canWrite || !present)
    return (
      <span className={`state ${on ? "on" : "off"}`}>
        {present ? (on ? "On" : "Off") : "not in this environment"}
      </span>
    );

  const flip = async () => {
    setAsking(false);
    setBusy(true);
    setMessage(undefined);
    try {
      p.onChanged(await api.setOn(p.flag.key, p.env, !on, p.flag.version));
    } catch (e) {
      setMessage(flagWriteFailure(e, "Not switched"));
      p.onChanged(undefined);
    } finally {
      setBusy(false);
    }
  };
  const label = `${p.flag.key} in ${p.env}`;
  return (
    <span className="switch-wrap">
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-label={label}
        className={`switch ${on ? "on" : "off"}`}
        disabled={busy}
        onClick={() => (p.env === "production" ? setAsking(true) : void flip())}
      >
        <span className="knob" aria-hidden="true" />
        <span className="switch-text">{on ? "On" : "Off"}</span>
      </button>
      {message !== undefined && (
        <span className="inline-error" role="alert">
          {message}
        </span>
      )}
      <ConfirmDialog
        open={asking}
        title={`Turn ${p.flag.key} ${on ? "off" : "on"} in production?`}
        confirmLabel={on ? "Turn off" : "Turn on"}
        danger={on}
        onConfirm={() => void flip()}
        onCancel={() => setAsking(false)}
      >
        {on ? (
          <p>
            Every user in production gets the off variant <code>{p.flag.offVariant ?? "(none)"}</code> at once
            (reason DISABLED).
          </p>
        ) : (
          <p>Production users get this flag's targeting again: targets, rules and the default.</p>
        )}
      </ConfirmDialog>
    </span>
  );
}
