/**
 * A modal confirmation on the native <dialog>: focus moves into it and is trapped there, Escape cancels,
 * and focus returns to the button that opened it.
 */
import { type ReactNode, useEffect, useRef } from "react";

export interface ConfirmDialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly children?: ReactNode;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog(p: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (p.open && !d.open) {
      opener.current = document.activeElement;
      d.showModal();
    } else if (!p.open && d.open) {
      d.close();
      if (opener.current instanceof HTMLElement) opener.current.focus();
    }
  }, [p.open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        p.onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          p.onConfirm();
        }}
      >
        <h2 id="confirm-title">{p.title}</h2>
        <div className="dialog-body">{p.children}</div>
        <div className="dialog-actions">
          <button type="button" onClick={p.onCancel}>
            Cancel
          </button>
          <button type="submit" className={p.danger === true ? "danger" : "primary"}>
            {p.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
