/** The flags of the chosen environment: search, tag filter, kill switches, owner, age and stale badges. */

import { useMemo, useState } from "react";
import { ColumnHeads } from "../components/column-heads.js";
import { Field, SearchField } from "../components/field.js";
import { FlagSwitch } from "../components/flag-switch.js";
import { age, ErrorBox, StaleBadge } from "../components/format.js";
import { serveText } from "../components/serve-text.js";
import { Link } from "../router.js";
import { useLive, useSession } from "../session-context.js";
import { useLoad, useThrottled } from "../use-load.js";

export function FlagsPage() {
  const { api, env } = useSession();
  const flags = useLoad(() => api.flags({ env }), [api, env]);
  const [query, setQuery] = useState("");
  const [tag, setTag] = useState("");
  const reload = useThrottled(flags.reload, 300);
  useLive((e) => {
    if (e.type === "flag" || e.type === "resync") reload();
  });

  const tags = useMemo(
    () => [...new Set((flags.data ?? []).flatMap((f) => f.tags ?? []))].sort(),
    [flags.data],
  );
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (flags.data ?? []).filter(
      (f) =>
        (tag === "" || (f.tags ?? []).includes(tag)) &&
        (q === "" || [f.key, f.description ?? "", f.owner ?? ""].some((s) => s.toLowerCase().includes(q))),
    );
  }, [flags.data, query, tag]);

  return (
    <section aria-labelledby="flags-title">
      <div className="page-head">
        <h1 id="flags-title">
          Flags <span className="muted">in {env}</span>
        </h1>
        <div className="filters">
          <SearchField
            label="Search"
            value={query}
            onChange={setQuery}
            placeholder="key, description, owner"
          />
          <Field label="Tag">
            <select value={tag} onChange={(e) => setTag(e.target.value)}>
              <option value="">all tags</option>
              {tags.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </div>
      <ErrorBox error={flags.error} title="Could not load the flags" />
      {flags.data !== undefined && (
        <div className="table-wrap">
          <table className="list flags">
            <ColumnHeads names={["Flag", "Status", "Serves by default", "Owner", "Tags", "Age"]} />
            <tbody>
              {shown.map((f) => (
                <tr key={f.key} data-flag={f.key}>
                  <td data-label="Flag">
                    <Link href={`/flags/${encodeURIComponent(f.key)}`} className="strong">
                      {f.key}
                    </Link>{" "}
                    <StaleBadge expires={f.expires} />
                    {f.description !== undefined && <div className="muted small">{f.description}</div>}
                  </td>
                  <td data-label="Status">
                    <FlagSwitch
                      flag={f}
                      env={env}
                      onChanged={(nf) =>
                        nf === undefined
                          ? flags.reload()
                          : flags.set((flags.data ?? []).map((x) => (x.key === nf.key ? nf : x)))
                      }
                    />
                  </td>
                  <td data-label="Serves">{serveText(f.environments[env])}</td>
                  <td data-label="Owner">{f.owner ?? "—"}</td>
                  <td data-label="Tags">
                    {(f.tags ?? []).map((t) => (
                      <button
                        key={t}
                        type="button"
                        className="tag"
                        aria-pressed={tag === t}
                        onClick={() => setTag(tag === t ? "" : t)}
                      >
                        {t}
                      </button>
                    ))}
                  </td>
                  <td data-label="Age" title={`created ${f.createdAt}`}>
                    {age(f.createdAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 && <p className="empty">No flags match.</p>}
        </div>
      )}
    </section>
  );
}
