/** What a detail page shows until its object arrives: the way back, then why it failed or that it is loading. */
import type { ApiError } from "../api/client.js";
import { Link } from "../router.js";
import { ErrorBox } from "./format.js";

export function NotLoaded(p: {
  back: { readonly href: string; readonly label: string };
  name: string;
  error: Error | ApiError | undefined;
}) {
  return (
    <section>
      <p>
        <Link href={p.back.href}>{`← ${p.back.label}`}</Link>
      </p>
      <ErrorBox error={p.error} title={`Could not load ${p.name}`} />
      {p.error === undefined && <p aria-busy="true">Loading…</p>}
    </section>
  );
}
