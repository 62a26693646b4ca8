/** The flag's audit history, newest first, with diffs; new entries arrive over the event stream. */
import { AuditEntryView } from "../../components/audit-entry.js";
import { ErrorBox } from "../../components/format.js";
import { useLive, useSession } from "../../session-context.js";
import { useLoad, useThrottled } from "../../use-load.js";

export function FlagHistory({ flagKey }: { flagKey: string }) {
  const { api } = useSession();
  const entries = useLoad(() => api.audit({ kind: "flag", key: flagKey, limit: 20 }), [api, flagKey]);
  const reload = useThrottled(entries.reload, 300);
  useLive((e) => {
    if ((e.type === "audit" && e.data.kind === "flag" && e.data.key === flagKey) || e.type === "resync")
      reload();
  });
  return (
    <section aria-labelledby="history-title" className="card">
      <h2 id="history-title">History</h2>
      <ErrorBox error={entries.error} title="Could not load the history" />
      <ol className="audit-list">
        {(entries.data ?? []).map((e) => (
          <AuditEntryView key={e.seq} entry={e} showKey={false} />
        ))}
      </ol>
    </section>
  );
}
