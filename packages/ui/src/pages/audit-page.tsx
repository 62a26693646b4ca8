/** The audit log, newest first, filtered by kind, key and action; new entries arrive live, older ones page in. */

import { useEffect, useState } from "react";
import type { AuditQuery } from "../api/client.js";
import type { AuditEntry } from "../api/types.js";
import { AuditEntryView } from "../components/audit-entry.js";
import { Field, SearchField } from "../components/field.js";
import { ErrorBox } from "../components/format.js";
import { useLive, useSession } from "../session-context.js";
import { useThrottled } from "../use-load.js";

const KINDS = ["", "flag", "segment", "environment", "rollout", "document", "token"];
const PAGE = 50;

function merge(a: readonly AuditEntry[], b: readonly AuditEntry[]): AuditEntry[] {
  const bySeq = new Map<number, AuditEntry>();
  for (const e of [...a, ...b]) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((x, y) => y.seq - x.seq);
}

export function AuditPage() {
  const { api } = useSession();
  const [kind, setKind] = useState("");
  const [key, setKey] = useState("");
  const [action, setAction] = useState("");
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [debouncedKey, setDebouncedKey] = useState("");
  const [debouncedAction, setDebouncedAction] = useState("");

  useEffect(() => {
    const t = setTimeout(() => {
      setDebouncedKey(key.trim());
      setDebouncedAction(action.trim());
    }, 300);
    return () => clearTimeout(t);
  }, [key, action]);

  const query: AuditQuery = {
    ...(kind !== "" && { kind }),
    ...(debouncedKey !== "" && { key: debouncedKey }),
    ...(debouncedAction !== "" && { action: debouncedAction }),
    limit: PAGE,
  };
  const queryKey = JSON.stringify(query);

  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey stands for the query.
  useEffect(() => {
    let live = true;
    api.audit(query).then(
      (page) => {
        if (!live) return;
        setEntries(page);
        setMore(page.length === PAGE);
        setError(undefined);
      },
      (e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => {
      live = false;
    };
  }, [api, queryKey]);

  const refresh = useThrottled(() => {
    api.audit(query).then((page) => setEntries((old) => merge(old, page)), setError);
  }, 300);
  useLive((e) => {
    if (e.type === "resync") refresh();
    if (e.type !== "audit") return;
    const d = e.data;
    if ((kind === "" || d.kind === kind) && (debouncedKey === "" || d.key === debouncedKey)) refresh();
  });

  const older = async () => {
    const last = entries[entries.length - 1];
    if (last === undefined) return;
    try {
      const page = await api.audit({ ...query, before: last.seq });
      setEntries((old) => merge(old, page));
      setMore(page.length === PAGE);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    }
  };

  return (
    <section aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
          <Field label="Kind">
            <select value={kind} onChange={(e) => setKind(e.target.value)}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k === "" ? "all kinds" : k}
                </option>
              ))}
            </select>
          </Field>
          <SearchField label="Key" value={key} onChange={setKey} placeholder="e.g. new_checkout" />
          <SearchField label="Action" value={action} onChange={setAction} placeholder="e.g. flag.update" />
        </form>
      </div>
      <ErrorBox error={error} title="Could not load the audit log" />
      <ol className="audit-list">
        {entries.map((e) => (
          <AuditEntryView key={e.seq} entry={e} />
        ))}
      </ol>
      {entries.length === 0 && error === undefined && <p className="empty">No entries match.</p>}
      {more && (
        <button type="button" onClick={() => void older()}>
          Older entries
        </button>
      )}
    </section>
  );
}
