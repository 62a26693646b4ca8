/** `ramp audit` — the project's hash-chained audit log; `ramp audit verify` recomputes the chain. */
import { err, fail, out } from "../output.js";
import type { AuditEntry, AuditVerdict } from "../remote/api-types.js";
import type { ApiClient } from "../remote/client.js";
import { auditTable, formatVerdict } from "../remote/format.js";

export interface AuditListOptions {
  readonly kind?: string | undefined;
  readonly key?: string | undefined;
  readonly action?: string | undefined;
  readonly limit?: number | undefined;
  readonly json: boolean;
}

export async function auditList(o: AuditListOptions, client: ApiClient): Promise<void> {
  const { entries } = await client.json<{ entries: AuditEntry[] }>("GET", "/api/v1/audit", {
    query: { kind: o.kind, key: o.key, action: o.action, limit: o.limit },
  });
  if (o.json) out(JSON.stringify({ entries }, null, 2));
  else out(entries.length === 0 ? "no audit entries" : auditTable(entries));
}

export async function auditVerify(o: { readonly json: boolean }, client: ApiClient): Promise<void> {
  const verdict = await client.json<AuditVerdict>("GET", "/api/v1/audit/verify");
  if (o.json) out(JSON.stringify(verdict, null, 2));
  else (verdict.ok ? out : err)(formatVerdict(verdict));
  if (!verdict.ok) fail(1);
}
