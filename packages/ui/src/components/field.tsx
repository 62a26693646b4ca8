/** A labelled form control: the label names the control alone (not its value), for screen readers and tests. */
import { cloneElement, type ReactElement, useId } from "react";

export function Field(p: { label: string; className?: string; children: ReactElement<{ id?: string }> }) {
  const id = useId();
  return (
    <div className={`field${p.className === undefined ? "" : ` ${p.className}`}`}>
      <label htmlFor={id}>{p.label}</label>
      {cloneElement(p.children, { id })}
    </div>
  );
}

/** A labelled search box (filters as you type). */
export function SearchField(p: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
}) {
  return (
    <Field label={p.label}>
      <input
        type="search"
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        placeholder={p.placeholder}
      />
    </Field>
  );
}
