/**
 * IPv4 ranges as RE2 patterns, so that Unleash's `remoteAddress` strategy and `IN_CIDR` operator
 * become plain `matches()` tests in CEL. Validity follows the ip-address library the Unleash SDK
 * uses: dotted quads without leading zeros, an optional `/n` suffix (one or two digits, at most 32).
 */

export interface Ipv4 {
  readonly octets: readonly [number, number, number, number];
  /** The address as written, without its suffix (canonical, since leading zeros are invalid). */
  readonly text: string;
  readonly mask: number;
}

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const ADDRESS = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Parses an IPv4 address with an optional `/n` suffix, or undefined when Unleash's SDK would reject it. */
export function parseIpv4(s: string): Ipv4 | undefined {
  let address = s;
  let mask = 32;
  const suffix = /\/(\d{1,2})$/.exec(s);
  if (suffix !== null) {
    mask = Number.parseInt(suffix[1] ?? "", 10);
    if (mask > 32) return undefined;
    address = s.slice(0, suffix.index);
  }
  if (address.length > 15) return undefined;
  if (address.split(".").some((g) => /^0\d/.test(g))) return undefined;
  const m = ADDRESS.exec(address);
  if (m === null) return undefined;
  const octets = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  return { octets, text: address, mask };
}

/**
 * A pattern (unanchored, one group) for the addresses the SDK finds inside `range`: valid IPv4
 * text whose own suffix (default /32) is at least the range's and whose first `mask` bits agree.
 */
export function subnetPattern(range: Ipv4): string {
  const octets = range.octets.map((o, k) => {
    const fixed = Math.min(8, Math.max(0, range.mask - 8 * k));
    if (fixed === 8) return String(o);
    const lo = o & ((0xff << (8 - fixed)) & 0xff);
    return numberRange(lo, lo | (0xff >> fixed));
  });
  return `${octets.join("\\.")}(?:/${maskRange(range.mask)})?`;
}

/** The addresses equal to `range`'s own address, whatever their suffix (the SDK compares correct forms). */
export function samePattern(range: Ipv4): string {
  return `${range.text.replaceAll(".", "\\.")}(?:/${maskRange(0)})?`;
}

/** A suffix `/n` as ip-address reads it: one or two digits, value in [lo, 32]. */
function maskRange(lo: number): string {
  const alts: string[] = [];
  if (lo <= 9) alts.push(`0?${digitClass(lo, 9)}`);
  alts.push(...decimals(Math.max(lo, 10), 32));
  return group(alts);
}

/** Canonical decimals (no leading zeros) from lo to hi inclusive. */
export function numberRange(lo: number, hi: number): string {
  return group(decimals(lo, hi));
}

function decimals(lo: number, hi: number): string[] {
  const alts: string[] = [];
  for (let len = String(lo).length; len <= String(hi).length; len++) {
    const from = Math.max(lo, len === 1 ? 0 : 10 ** (len - 1));
    const to = Math.min(hi, 10 ** len - 1);
    if (from <= to) alts.push(...fixedWidth(String(from), String(to)));
  }
  return alts;
}

/** Alternatives matching the digit strings of one length from a to b inclusive (a ≤ b, same length). */
function fixedWidth(a: string, b: string): string[] {
  if (a === b) return [a];
  if (a.length === 1) return [digitClass(Number(a), Number(b))];
  const n = a.length - 1;
  const [restA, restB] = [a.slice(1), b.slice(1)];
  if (a[0] === b[0]) return [`${a[0]}${group(fixedWidth(restA, restB))}`];
  const alts: string[] = [];
  let first = Number(a[0]);
  let last = Number(b[0]);
  if (restA !== "0".repeat(n)) {
    alts.push(`${a[0]}${group(fixedWidth(restA, "9".repeat(n)))}`);
    first++;
  }
  const tail = restB !== "9".repeat(n) ? `${b[0]}${group(fixedWidth("0".repeat(n), restB))}` : undefined;
  if (tail !== undefined) last--;
  if (first <= last) alts.push(`${digitClass(first, last)}${n === 1 ? "\\d" : `\\d{${n}}`}`);
  if (tail !== undefined) alts.push(tail);
  return alts;
}

function digitClass(lo: number, hi: number): string {
  if (lo === hi) return String(lo);
  if (lo === 0 && hi === 9) return "\\d";
  return hi === lo + 1 ? `[${lo}${hi}]` : `[${lo}-${hi}]`;
}

function group(alts: readonly string[]): string {
  return alts.length === 1 ? (alts[0] ?? "") : `(?:${alts.join("|")})`;
}
