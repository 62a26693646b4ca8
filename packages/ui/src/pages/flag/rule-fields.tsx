/** One rule's fields (name, condition, segments, what it serves, gate) and the engine's problems with it. */

import type { ProblemDetail } from "../../api/types.js";
import { Field } from "../../components/field.js";
import { type RuleDraft, SPLIT } from "./rule-draft.js";

export interface RuleFieldsProps {
  readonly index: number;
  readonly count: number;
  readonly draft: RuleDraft;
  readonly variants: readonly string[];
  readonly readOnly: boolean;
  readonly problems: readonly (ProblemDetail & { readonly field: string })[];
  onChange(d: RuleDraft): void;
  onMove(to: number): void;
  onRemove(): void;
}

export function RuleFields(p: RuleFieldsProps) {
  const d = p.draft;
  const n = p.index + 1;
  const id = `rule-${d.id}`;
  const set = (patch: Partial<RuleDraft>) => p.onChange({ ...d, ...patch });
  const bad = (field: string) => p.problems.some((x) => x.field === field || x.field.startsWith(`${field}.`));
  const errorsId = `${id}-errors`;
  const described = p.problems.length > 0 ? errorsId : undefined;

  return (
    <fieldset
      className={`rule${p.problems.length > 0 ? " has-problems" : ""}`}
      data-rule={p.index}
      data-rule-id={d.id}
    >
      <legend>
        Rule {n}
        {d.name !== "" && <span className="muted"> · {d.name}</span>}
      </legend>
      <div className="rule-grid">
        <Field label="Name">
          <input value={d.name} readOnly={p.readOnly} onChange={(e) => set({ name: e.target.value })} />
        </Field>
        <Field label="Condition (CEL)" className="wide">
          <input
            className="mono"
            value={d.condition}
            readOnly={p.readOnly}
            spellCheck={false}
            aria-invalid={bad("if")}
            aria-describedby={described}
            placeholder="none: every context matches"
            onChange={(e) => set({ condition: e.target.value })}
          />
        </Field>
        <Field label="Segments">
          <input
            value={d.segments}
            readOnly={p.readOnly}
            aria-invalid={bad("segment")}
            placeholder="comma-separated"
            onChange={(e) => set({ segments: e.target.value })}
          />
        </Field>
        <Field label="Serve">
          <select
            value={d.serve}
            disabled={p.readOnly}
            aria-invalid={bad("variant")}
            onChange={(e) => set({ serve: e.target.value })}
          >
            {p.variants.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
            <option value={SPLIT}>a percentage split…</option>
          </select>
        </Field>
        {d.serve === SPLIT &&
          p.variants.map((v) => (
            <Field key={v} label={`% ${v}`}>
              <input
                inputMode="decimal"
                value={d.split[v] ?? ""}
                readOnly={p.readOnly}
                aria-invalid={bad(`split.${v}`) || bad("split")}
                onChange={(e) => set({ split: { ...d.split, [v]: e.target.value } })}
              />
            </Field>
          ))}
        <Field label="Only % of matches">
          <input
            inputMode="decimal"
            value={d.gate}
            readOnly={p.readOnly}
            aria-invalid={bad("rollout")}
            placeholder="all"
            onChange={(e) => set({ gate: e.target.value })}
          />
        </Field>
      </div>
      {p.problems.length > 0 && (
        <ul className="problems" id={errorsId} aria-label={`Problems with rule ${n}`}>
          {p.problems.map((x) => (
            <li key={`${x.path}:${x.message}`}>
              <code>{x.field === "" ? `rule ${n}` : x.field}</code>: {x.message}
              {x.expected !== undefined && <span className="muted"> — expected {x.expected}</span>}
              {x.suggestion !== undefined && <span> ({x.suggestion})</span>}
            </li>
          ))}
        </ul>
      )}
      {!p.readOnly && (
        <div className="row rule-actions">
          <button
            type="button"
            disabled={p.index === 0}
            data-move="up"
            onClick={() => p.onMove(p.index - 1)}
            aria-label={`Move rule ${n} up`}
          >
            ↑ Up
          </button>
          <button
            type="button"
            disabled={p.index === p.count - 1}
            data-move="down"
            onClick={() => p.onMove(p.index + 1)}
            aria-label={`Move rule ${n} down`}
          >
            ↓ Down
          </button>
          <button type="button" className="danger-text" onClick={p.onRemove} aria-label={`Remove rule ${n}`}>
            Remove
          </button>
        </div>
      )}
    </fieldset>
  );
}
