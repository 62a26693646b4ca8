/** One audit entry: who did what when, and its diff (path, before → after). */
import type { AuditEntry as Entry } from "../api/types.js";
import { useSession } from "../session-context.js";
import { ColumnHeads } from "./column-heads.js";
import { json, time } from "./format.js";

export function AuditEntryView({ entry, showKey = true }: { entry: Entry; showKey?: boolean }) {
  const { actorName } = useSession();
  const diff = entry.diff ?? [];
  return (
    <li className="audit-entry" data-seq={entry.seq}>
      <div className="audit-head">
        <span className="muted">#{entry.seq}</span> <strong>{entry.action}</strong>
        {showKey && (
          <>
            {" "}
            <span>
              {entry.kind} <code>{entry.key}</code>
            </span>
          </>
        )}{" "}
        <span className="muted">
          by{" "}
          <span className="actor" title={entry.actor}>
            {actorName(entry.actor)}
          </span>{" "}
          · <time dateTime={entry.at}>{time(entry.at)}</time>
        </span>
      </div>
      {diff.length > 0 && (
        <details>
          <summary>
            {diff.length} change{diff.length === 1 ? "" : "s"}
          </summary>
          <table className="diff">
            <ColumnHeads names={["Path", "Before", "After"]} />
            <tbody>
              {diff.map((d, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a diff is fixed once written.
                <tr key={i}>
                  <td>
                    <code>{d.path === "" ? "(whole document)" : d.path}</code>
                  </td>
                  <td className="before">
                    <code>{json(d.before)}</code>
                  </td>
                  <td className="after">
                    <code>{json(d.after)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </li>
  );
}
