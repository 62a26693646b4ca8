/** Small display pieces shared by the pages: times, ages, phase and stale badges, error boxes. */
import type { ApiError } from "../api/client.js";

export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86_400) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function time(iso: string | undefined): string {
  if (iso === undefined) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Past its `expires` date a flag is stale: it should be cleaned up from the code. */
export function isStale(expires: string | undefined, now = Date.now()): boolean {
  if (expires === undefined) return false;
  const t = Date.parse(expires);
  return !Number.isNaN(t) && t < now;
}

export function StaleBadge({ expires }: { expires: string | undefined }) {
  if (!isStale(expires)) return null;
  return (
    <span className="badge warn" title={`expired on ${expires}`}>
      stale
    </span>
  );
}

export function PhaseBadge({ phase }: { phase: string }) {
  return <span className={`badge phase-${phase.toLowerCase()}`}>{phase}</span>;
}

export function ErrorBox({ error, title }: { error: Error | ApiError | undefined; title?: string }) {
  if (error === undefined) return null;
  return (
    <div className="error-box" role="alert">
      {title !== undefined && <strong>{title}: </strong>}
      {error.message}
    </div>
  );
}

export function json(v: unknown): string {
  return v === undefined ? "—" : JSON.stringify(v);
}
