/**
 * The percentage slider for an environment's default: how much of the traffic that no target or rule
 * catches gets one variant (the off variant gets the rest). Applied with If-Match, after a confirmation
 * in production.
 */

import { useEffect, useState } from "react";
import type { FlagDocument } from "../../api/types.js";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { Field } from "../../components/field.js";
import { flagWriteFailure } from "../../components/flag-write-failure.js";
import { useSession } from "../../session-context.js";

function shareOf(flag: FlagDocument, env: string, variant: string): number {
  const d = flag.environments[env]?.default;
  if (d === undefined) return variant === flag.offVariant ? 100 : 0;
  if (typeof d === "string") return d === variant ? 100 : 0;
  if ("variant" in d) return d.variant === variant ? 100 : 0;
  return d.split[variant] ?? 0;
}

export function DefaultSplit(p: {
  flag: FlagDocument;
  env: string;
  onChanged(flag: FlagDocument | undefined): void;
}) {
  const { api, canWrite } = useSession();
  const candidates = Object.keys(p.flag.variants ?? {}).filter((v) => v !== p.flag.offVariant);
  const [variant, setVariant] = useState(candidates[0] ?? "");
  const current = shareOf(p.flag, p.env, variant);
  const [value, setValue] = useState(current);
  const [asking, setAsking] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  useEffect(() => setValue(current), [current]);

  if (candidates.length === 0 || p.flag.offVariant === undefined) return null;
  const apply = async () => {
    setAsking(false);
    try {
      p.onChanged(await api.setRollout(p.flag.key, p.env, value, variant, p.flag.version));
      setMessage(`Default split: ${variant} ${value}%, ${p.flag.offVariant} ${100 - value}%.`);
    } catch (e) {
      setMessage(flagWriteFailure(e, "Not applied"));
      p.onChanged(undefined);
    }
  };
  const id = `split-${p.env}`;
  return (
    <div className="split">
      <div className="row">
        {candidates.length > 1 && (
          <Field label="Variant">
            <select value={variant} onChange={(e) => setVariant(e.target.value)}>
              {candidates.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </Field>
        )}
        <label htmlFor={id} className="grow">
          <span>
            Default split: <strong>{value}%</strong> {variant}, {100 - value}% {p.flag.offVariant}
          </span>
          <input
            id={id}
            type="range"
            min={0}
            max={100}
            step={1}
            value={value}
            disabled={!canWrite}
            onChange={(e) => setValue(Number(e.target.value))}
          />
        </label>
        {canWrite && value !== current && (
          <>
            <button
              type="button"
              className="primary"
              onClick={() => (p.env === "production" ? setAsking(true) : void apply())}
            >
              Apply {value}%
            </button>
            <button type="button" onClick={() => setValue(current)}>
              Reset
            </button>
          </>
        )}
      </div>
      {message !== undefined && (
        <p className="small" role="status">
          {message}
        </p>
      )}
      <ConfirmDialog
        open={asking}
        title={`Serve ${variant} to ${value}% in production?`}
        confirmLabel={`Apply ${value}%`}
        onConfirm={() => void apply()}
        onCancel={() => setAsking(false)}
      >
        <p>
          Users that no target or rule catches: {current}% → {value}% get <code>{variant}</code>. Bucketing is
          sticky: raising the share keeps everyone who already had it.
        </p>
      </ConfirmDialog>
    </div>
  );
}
