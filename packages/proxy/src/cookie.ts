/** Reads one cookie from a `Cookie` header without parsing the others (RFC 6265 §5.4 syntax). */

/**
 * The value of cookie `name`, or undefined when absent: the first occurrence wins, surrounding double
 * quotes are removed and %-escapes decoded (left as is when malformed).
 *
 * @example
 * cookieValue("theme=dark; uid=%40ada", "uid"); // "@ada"
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const length = header.length;
  let start = 0;
  while (start < length) {
    let end = header.indexOf(";", start);
    if (end < 0) end = length;
    let i = start;
    while (i < end && header.charCodeAt(i) === 32) i++;
    if (header.startsWith(name, i) && header.charCodeAt(i + name.length) === 61 /* = */) {
      return decode(header.slice(i + name.length + 1, end).trim());
    }
    start = end + 1;
  }
  return undefined;
}

function decode(raw: string): string {
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
