/** Conditional requests: `If-None-Match` against an entity tag (weak comparison, lists allowed). */

/** True when the header names `etag` (`W/` prefixes ignored, as RFC 9110's weak comparison says). */
export function noneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(",") : header;
  if (value === etag) return true;
  const bare = stripWeak(etag);
  for (const candidate of value.split(",")) if (stripWeak(candidate.trim()) === bare) return true;
  return false;
}

function stripWeak(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}
