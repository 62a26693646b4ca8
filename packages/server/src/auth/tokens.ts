/** Token secrets: generated once, shown once, stored as SHA-256; looked up through a short-lived cache. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ProjectRow, Scope, Store, TokenRow } from "../store/store.js";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function newTokenSecret(scope: Scope): string {
  const bytes = randomBytes(40);
  let s = "";
  for (const b of bytes) s += ALPHABET[b % 62];
  return `ramp_${scope}_${s}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function newTokenId(): string {
  return randomUUID();
}

export const SCOPES: readonly Scope[] = ["admin", "read", "server", "client"];

/** Scopes that reach every environment (and so are never bound to one). */
export const UNBOUND_SCOPES: readonly Scope[] = ["admin", "read"];

/**
 * The scopes a route admits: its own (admin only when it names none), plus `read` on every GET of
 * the admin API. Decided here from the method and path rather than route by route, so a GET added
 * later is readable and a write never is, whatever its own list says.
 */
export function routeScopes(
  method: string,
  url: string,
  own: readonly Scope[] | undefined,
): readonly Scope[] {
  const scopes = own ?? ["admin"];
  const read = method === "GET" || method === "HEAD";
  if (read && url.startsWith("/api/v1/")) return scopes.includes("read") ? scopes : [...scopes, "read"];
  return read ? scopes : scopes.filter((s) => s !== "read");
}

export interface Principal {
  readonly token: TokenRow;
  readonly project: ProjectRow;
}

/**
 * Resolves secrets to tokens. Hits are cached for `ttlMs` (a revocation on another replica takes
 * effect within that time; on this one at once through `forget`).
 */
export class TokenResolver {
  readonly #cache = new Map<string, { at: number; principal: Principal | undefined }>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(secret: string): Promise<Principal | undefined> {
    const hash = hashSecret(secret);
    const hit = this.#cache.get(hash);
    if (hit !== undefined && this.now() - hit.at < this.ttlMs) return hit.principal;
    const token = await this.store.findTokenByHash(hash);
    const project =
      token !== undefined && token.revokedAt === null
        ? await this.store.getProject(token.projectId)
        : undefined;
    const principal =
      token !== undefined && project !== undefined && token.revokedAt === null
        ? { token, project }
        : undefined;
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(hash, { at: this.now(), principal });
    return principal;
  }

  forget(): void {
    this.#cache.clear();
  }
}
