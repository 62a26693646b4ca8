/** The audit log's hash chain: each entry commits to its predecessor, so editing any row breaks it. */
import { createHash } from "node:crypto";
import type { AuditRow, Json } from "../store/store.js";

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted, so the same entry always hashes the same. */
export function canonicalJson(v: Json | undefined): string {
  if (v === undefined || v === null) return "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

export function auditHash(prevHash: string, e: Omit<AuditRow, "prevHash" | "hash" | "projectId">): string {
  const body = canonicalJson({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    kind: e.kind,
    key: e.key,
    before: e.before,
    after: e.after,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

export type ChainVerdict =
  | { ok: true; entries: number }
  | { ok: false; entries: number; firstBad: { seq: number; reason: string } };

/** Recomputes the chain over entries in seq order. */
export function verifyChain(rows: readonly AuditRow[]): ChainVerdict {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const r of rows) {
    if (r.seq !== expectedSeq)
      return {
        ok: false,
        entries: rows.length,
        firstBad: { seq: r.seq, reason: `expected seq ${expectedSeq}: an entry is missing` },
      };
    if (r.prevHash !== prev)
      return {
        ok: false,
        entries: rows.length,
        firstBad: { seq: r.seq, reason: "prevHash does not match the previous entry" },
      };
    if (auditHash(prev, r) !== r.hash)
      return {
        ok: false,
        entries: rows.length,
        firstBad: { seq: r.seq, reason: "hash does not match the entry's content" },
      };
    prev = r.hash;
    expectedSeq++;
  }
  return { ok: true, entries: rows.length };
}
