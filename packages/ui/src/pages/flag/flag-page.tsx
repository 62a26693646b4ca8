/** One flag: its switch, default split, variants, targets and rules in the chosen environment, evaluations and history. */

import { FlagSwitch } from "../../components/flag-switch.js";
import { age, json, StaleBadge } from "../../components/format.js";
import { NotLoaded } from "../../components/not-loaded.js";
import { serveText } from "../../components/serve-text.js";
import { Link } from "../../router.js";
import { useLive, useSession } from "../../session-context.js";
import { useLoad, useThrottled } from "../../use-load.js";
import { DefaultSplit } from "./default-split.js";
import { EvaluationsChart } from "./evaluations-chart.js";
import { FlagHistory } from "./flag-history.js";
import { RulesEditor } from "./rules-editor.js";

export function FlagPage({ flagKey }: { flagKey: string }) {
  const { api, env } = useSession();
  const flag = useLoad(() => api.flag(flagKey), [api, flagKey]);
  const reload = useThrottled(flag.reload, 200);
  useLive((e) => {
    if (
      (e.type === "flag" && e.data.key === flagKey && e.data.version !== flag.data?.version) ||
      e.type === "resync"
    )
      reload();
  });
  const changed = (f: Parameters<typeof flag.set>[0] | undefined) =>
    f === undefined ? flag.reload() : flag.set(f);

  const f = flag.data;
  if (f === undefined)
    return <NotLoaded back={{ href: "/flags", label: "Flags" }} name={flagKey} error={flag.error} />;
  const e = f.environments[env];
  return (
    <article aria-labelledby="flag-title" className="flag-page">
      <p className="crumbs">
        <Link href="/flags">← Flags</Link>
      </p>
      <header className="page-head">
        <div>
          <h1 id="flag-title">
            {f.key} <StaleBadge expires={f.expires} /> {f.archived && <span className="badge">archived</span>}
          </h1>
          {f.description !== undefined && <p className="muted">{f.description}</p>}
          <dl className="facts">
            <dt>Owner</dt>
            <dd>{f.owner ?? "—"}</dd>
            <dt>Type</dt>
            <dd>{f.type}</dd>
            <dt>Age</dt>
            <dd title={f.createdAt}>{age(f.createdAt)}</dd>
            <dt>Expires</dt>
            <dd>{f.expires ?? "—"}</dd>
            <dt>Version</dt>
            <dd data-testid="flag-version">{f.version}</dd>
            <dt>Tags</dt>
            <dd>{(f.tags ?? []).join(", ") || "—"}</dd>
          </dl>
        </div>
      </header>

      <section className="card" aria-labelledby="env-title">
        <h2 id="env-title">In {env}</h2>
        {e === undefined ? (
          <p className="empty">This flag has no settings in {env}.</p>
        ) : (
          <>
            <div className="row">
              <FlagSwitch flag={f} env={env} onChanged={changed} />
              <span>
                serves by default: <strong>{serveText(e)}</strong>
              </span>
            </div>
            <DefaultSplit flag={f} env={env} onChanged={changed} />
          </>
        )}
      </section>

      <div className="two-col">
        <section className="card" aria-labelledby="variants-title">
          <h2 id="variants-title">Variants</h2>
          <table className="kv">
            <tbody>
              {Object.entries(f.variants ?? {}).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">
                    {name} {name === f.offVariant && <span className="badge">off variant</span>}
                  </th>
                  <td>
                    <code>{json(value)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card" aria-labelledby="targets-title">
          <h2 id="targets-title">Targets in {env}</h2>
          {Object.keys(e?.targets ?? {}).length === 0 ? (
            <p className="empty">No individual targets.</p>
          ) : (
            <table className="kv">
              <tbody>
                {Object.entries(e?.targets ?? {}).map(([variant, keys]) => (
                  <tr key={variant}>
                    <th scope="row">{variant}</th>
                    <td>{keys.join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>

      {e !== undefined && <RulesEditor key={env} flag={f} env={env} onSaved={flag.set} />}
      <EvaluationsChart flagKey={f.key} />
      <FlagHistory flagKey={f.key} />
    </article>
  );
}
