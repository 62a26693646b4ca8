/**
 * The ordered rules of one environment: edit, reorder, add, remove; every change is checked by the
 * server's engine (a dry-run PUT) as you type and its problems shown on the rule they concern. Saving
 * is a PUT with If-Match: when someone else wrote first (409) the draft stays, to be re-applied.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { type Api, ApiError } from "../../api/client.js";
import type { FlagDocument, ProblemDetail } from "../../api/types.js";
import { useSession } from "../../session-context.js";
import { emptyDraft, moved, placeProblems, type RuleDraft, toDraft, toRule } from "./rule-draft.js";
import { RuleFields } from "./rule-fields.js";

type Check =
  | { readonly state: "idle" | "checking" | "ok" }
  | { readonly state: "problems"; readonly problems: readonly ProblemDetail[] }
  | { readonly state: "failed"; readonly message: string };

const variantsOf = (f: FlagDocument) => Object.keys(f.variants ?? {});
const draftsOf = (f: FlagDocument, env: string) =>
  (f.environments[env]?.rules ?? []).map((r) => toDraft(r, variantsOf(f)));
const rulesJson = (drafts: readonly RuleDraft[]) => JSON.stringify(drafts.map(toRule));

function withRules(base: FlagDocument, env: string, drafts: readonly RuleDraft[]): FlagDocument {
  const current = base.environments[env] ?? { on: false };
  const { rules: _old, ...rest } = current;
  const rules = drafts.map(toRule);
  return {
    ...base,
    environments: { ...base.environments, [env]: rules.length === 0 ? rest : { ...rest, rules } },
  };
}

/** The version that won, for the conflict message (at least the next one when the flag cannot be read). */
function latestVersion(api: Api, base: FlagDocument): Promise<number> {
  return api.flag(base.key).then(
    (f) => f.version,
    () => base.version + 1,
  );
}

/** After a move the pressed button may be disabled (top or bottom): keep focus on the moved rule. */
function keepFocusOnMove(id: string, direction: "up" | "down"): void {
  requestAnimationFrame(() => {
    const rule = document.querySelector(`[data-rule-id="${id}"]`);
    const button =
      rule?.querySelector<HTMLButtonElement>(`button[data-move="${direction}"]:not(:disabled)`) ??
      rule?.querySelector<HTMLButtonElement>("button[data-move]:not(:disabled)");
    button?.focus();
  });
}

export function RulesEditor(p: { flag: FlagDocument; env: string; onSaved(flag: FlagDocument): void }) {
  const { api, canWrite } = useSession();
  const [base, setBase] = useState(p.flag);
  const [drafts, setDrafts] = useState(() => draftsOf(p.flag, p.env));
  const [check, setCheck] = useState<Check>({ state: "idle" });
  const [conflict, setConflict] = useState<number | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const dirty = rulesJson(drafts) !== rulesJson(draftsOf(base, p.env));
  const variants = variantsOf(base);

  // A newer flag from the server replaces a clean editor; a dirty one keeps the draft and says so.
  const newer = p.flag.version > base.version ? p.flag.version : undefined;
  useEffect(() => {
    if (!dirty && p.flag.version !== base.version) {
      setBase(p.flag);
      setDrafts(draftsOf(p.flag, p.env));
    }
  }, [p.flag, p.env, dirty, base.version]);

  // Validate as you type: a dry-run PUT 400 ms after the last keystroke; the latest answer wins.
  const seq = useRef(0);
  useEffect(() => {
    if (!dirty || !canWrite) {
      setCheck({ state: "idle" });
      return;
    }
    const n = ++seq.current;
    setCheck({ state: "checking" });
    const timer = setTimeout(() => {
      api.putFlag(withRules(base, p.env, drafts), base.version, true).then(
        () => n === seq.current && setCheck({ state: "ok" }),
        (e: unknown) => {
          if (n !== seq.current) return;
          if (e instanceof ApiError && e.status === 400)
            setCheck({
              state: "problems",
              problems: e.details.length > 0 ? e.details : [{ path: "", message: e.message }],
            });
          else if (e instanceof ApiError && e.status === 409) {
            setCheck({ state: "idle" });
            void latestVersion(api, base).then(setConflict);
          } else setCheck({ state: "failed", message: e instanceof Error ? e.message : String(e) });
        },
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [api, base, drafts, p.env, dirty, canWrite]);

  const placed = useMemo(
    () => placeProblems(check.state === "problems" ? check.problems : [], p.env),
    [check, p.env],
  );

  const save = async () => {
    setSaving(true);
    setSaved(undefined);
    try {
      const f = await api.putFlag(withRules(base, p.env, drafts), base.version);
      if (!("key" in f)) throw new Error("the server did not return the flag");
      setBase(f);
      setDrafts(draftsOf(f, p.env));
      setConflict(undefined);
      setSaved(`Saved: version ${f.version}.`);
      p.onSaved(f);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setConflict(await latestVersion(api, base));
      else if (e instanceof ApiError && e.status === 400)
        setCheck({
          state: "problems",
          problems: e.details.length > 0 ? e.details : [{ path: "", message: e.message }],
        });
      else setCheck({ state: "failed", message: e instanceof Error ? e.message : String(e) });
    } finally {
      setSaving(false);
    }
  };

  // Keeps the draft, on top of the flag as it is now: the user reviews the result, then saves.
  const reapply = async () => {
    try {
      const latest = await api.flag(base.key);
      setBase(latest);
      setConflict(undefined);
      p.onSaved(latest);
    } catch (e) {
      setCheck({
        state: "failed",
        message: `could not reload the flag: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  };

  const discard = () => {
    setBase(p.flag);
    setDrafts(draftsOf(p.flag, p.env));
    setConflict(undefined);
  };

  const update = (i: number, d: RuleDraft) => setDrafts(drafts.map((x, j) => (j === i ? d : x)));
  const stale = conflict ?? (dirty ? newer : undefined);

  return (
    <section aria-labelledby="rules-title" className="card rules">
      <h2 id="rules-title">
        Rules in {p.env} <span className="muted small">first match wins</span>
      </h2>
      {stale !== undefined && (
        <div className="conflict" role="alert">
          <p>
            Someone else changed this flag (version {stale}); your edit is kept below — review and re-apply.
          </p>
          <div className="row">
            <button type="button" className="primary" onClick={() => void reapply()}>
              Reload and re-apply my edit
            </button>
            <button type="button" onClick={discard}>
              Discard my edit
            </button>
          </div>
        </div>
      )}
      {drafts.length === 0 && <p className="empty">No rules: targets, then the default decide.</p>}
      <ol className="rule-list">
        {drafts.map((d, i) => (
          <li key={d.id}>
            <RuleFields
              index={i}
              count={drafts.length}
              draft={d}
              variants={variants}
              readOnly={!canWrite}
              problems={placed.byRule.get(i) ?? []}
              onChange={(nd) => update(i, nd)}
              onMove={(to) => {
                setDrafts(moved(drafts, i, to));
                keepFocusOnMove(d.id, to < i ? "up" : "down");
              }}
              onRemove={() => setDrafts(drafts.filter((_, j) => j !== i))}
            />
          </li>
        ))}
      </ol>
      {placed.other.length > 0 && (
        <ul className="problems" aria-label="Other problems">
          {placed.other.map((o) => (
            <li key={`${o.path}:${o.message}`}>
              <code>{o.path}</code>: {o.message}
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <div className="row editor-actions">
          <button type="button" onClick={() => setDrafts([...drafts, emptyDraft(variants)])}>
            Add rule
          </button>
          <button
            type="button"
            className="primary"
            disabled={!dirty || saving || check.state === "problems" || stale !== undefined}
            onClick={() => void save()}
          >
            {saving ? "Saving…" : "Save rules"}
          </button>
          {dirty && (
            <button type="button" onClick={discard}>
              Undo changes
            </button>
          )}
          <span className={`check check-${check.state}`} role="status" aria-live="polite">
            {check.state === "checking" && "checking…"}
            {check.state === "ok" && "✓ valid"}
            {check.state === "problems" &&
              `${check.problems.length} problem${check.problems.length === 1 ? "" : "s"}`}
            {check.state === "failed" && `could not check: ${check.message}`}
            {check.state === "idle" && (saved ?? "")}
          </span>
        </div>
      )}
    </section>
  );
}
