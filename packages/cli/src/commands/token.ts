/** `ramp token create|list|revoke` — API tokens; a secret is printed once, at creation. */
import { err, out } from "../output.js";
import type { CreatedToken, Scope, TokenInfo } from "../remote/api-types.js";
import type { ApiClient } from "../remote/client.js";
import { tokensTable } from "../remote/format.js";

export interface TokenCreateOptions {
  readonly scope: Scope;
  readonly env?: string | undefined;
  readonly name?: string | undefined;
  readonly json: boolean;
}

export async function tokenCreate(o: TokenCreateOptions, client: ApiClient): Promise<void> {
  const created = await client.json<CreatedToken>("POST", "/api/v1/tokens", {
    json: {
      scope: o.scope,
      ...(o.env !== undefined && { environment: o.env }),
      ...(o.name !== undefined && { name: o.name }),
    },
  });
  if (o.json) {
    out(JSON.stringify(created, null, 2));
    return;
  }
  // Only the secret on stdout, so `TOKEN=$(ramp token create …)` works; the rest is for the eyes.
  const bound = created.environment === null ? "" : ` for ${created.environment}`;
  err(
    `Created ${created.scope} token ${created.id}${bound}${created.name === "" ? "" : ` (${created.name})`}.`,
  );
  err("This is the only time the secret is shown; store it now:");
  out(created.token);
}

export async function tokenList(o: { readonly json: boolean }, client: ApiClient): Promise<void> {
  const { tokens } = await client.json<{ tokens: TokenInfo[] }>("GET", "/api/v1/tokens");
  if (o.json) out(JSON.stringify({ tokens }, null, 2));
  else out(tokens.length === 0 ? "no tokens" : tokensTable(tokens));
}

export async function tokenRevoke(
  o: { readonly id: string; readonly json: boolean },
  client: ApiClient,
): Promise<void> {
  const res = await client.json<unknown>("DELETE", `/api/v1/tokens/${encodeURIComponent(o.id)}`);
  if (o.json) out(JSON.stringify(res ?? { id: o.id, revoked: true }, null, 2));
  else out(`revoked token ${o.id}`);
}
