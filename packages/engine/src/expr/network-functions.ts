/**
 * `inCidr(address, range)`: whether an IP address lies in a CIDR range, as Unleash's IN_CIDR
 * constraint decides it with the `ip-address` library. Text that does not parse is outside every
 * range (false), never an error; a constant range is parsed once, at compile time.
 */

import { type FunctionDef, strict1, strict2 } from "./compiled.js";
import { fail, overloadError } from "./errors.js";
import { typeName } from "./values.js";

/** An address as 16-bit words (two for IPv4, eight for IPv6) and its prefix length. */
export interface IpAddress {
  readonly v6: boolean;
  readonly words: readonly number[];
  readonly prefix: number;
}

/** ip-address reads one or two digits after the slash (so `/08` is 8). */
const V4_SUFFIX = /\/(\d{1,2})$/;
/** An IPv6 suffix may stand before a zone (`fe80::1/64%eth0`) or after it. */
const V6_SUFFIX = /\/(\d{1,3})(?=%|$)/;
const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/** A dotted quad without leading zeros, as a 32-bit number. */
function parseDottedQuad(text: string): number | undefined {
  const octets = text.split(".");
  if (octets.length !== 4) return undefined;
  let value = 0;
  for (const octet of octets) {
    const n = Number(octet);
    if (!OCTET.test(octet) || n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function parseIpv4(text: string): IpAddress | undefined {
  const suffix = V4_SUFFIX.exec(text);
  const prefix = suffix === null ? 32 : Number(suffix[1]);
  if (prefix > 32) return undefined;
  const value = parseDottedQuad(suffix === null ? text : text.slice(0, suffix.index));
  return value === undefined ? undefined : { v6: false, words: [value >>> 16, value & 0xffff], prefix };
}

/** Hex groups, `::` for one or more zero groups; the dotted quad tail is already rewritten in hex. */
function parseHexGroups(text: string): number[] | undefined {
  const halves = text.split("::");
  const [head = "", tail] = halves;
  if (halves.length > 2) return undefined;
  const first = head === "" ? [] : head.split(":");
  const last = tail === undefined || tail === "" ? [] : tail.split(":");
  const given = first.length + last.length;
  if (tail === undefined ? given !== 8 : given > 7) return undefined;
  if (![...first, ...last].every((g) => HEX_GROUP.test(g))) return undefined;
  const words = first.map((g) => Number.parseInt(g, 16));
  for (let i = given; i < 8; i++) words.push(0);
  for (const g of last) words.push(Number.parseInt(g, 16));
  return words;
}

function parseIpv6(text: string): IpAddress | undefined {
  let address = text;
  let prefix = 128;
  const suffix = V6_SUFFIX.exec(address);
  if (suffix !== null) {
    prefix = Number(suffix[1]);
    if (prefix > 128) return undefined;
    address = address.slice(0, suffix.index) + address.slice(suffix.index + suffix[0].length);
  }
  if (address.includes("/")) return undefined;
  // The zone runs from the first `%` to the end; one holding a line break is not a zone (ip-address).
  const zone = address.indexOf("%");
  if (zone !== -1) {
    if (LINE_TERMINATOR.test(address.slice(zone))) return undefined;
    address = address.slice(0, zone);
  }
  const lastColon = address.lastIndexOf(":");
  const lastGroup = address.slice(lastColon + 1);
  if (lastGroup.includes(".")) {
    const v4 = parseDottedQuad(lastGroup);
    if (v4 === undefined || lastColon === -1) return undefined;
    address = `${address.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const words = parseHexGroups(address);
  return words === undefined ? undefined : { v6: true, words, prefix };
}

/** Parses `a.b.c.d[/n]` or an RFC 4291 IPv6 address with optional `%zone` and `/n`. */
export function parseIpAddress(text: string): IpAddress | undefined {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

/** Whether the first `bits` bits of two addresses of one family agree. */
function samePrefix(a: readonly number[], b: readonly number[], bits: number): boolean {
  for (let i = 0, left = bits; left > 0; i++, left -= 16) {
    const shift = Math.max(0, 16 - left);
    if ((a[i] ?? 0) >>> shift !== (b[i] ?? 0) >>> shift) return false;
  }
  return true;
}

/**
 * Unleash's test: the same address (prefixes ignored), or an address whose own network (default /32
 * or /128) lies inside the range.
 */
export function isInRange(address: IpAddress, range: IpAddress): boolean {
  if (address.v6 !== range.v6) return false;
  return (
    samePrefix(address.words, range.words, address.words.length * 16) ||
    (address.prefix >= range.prefix && samePrefix(address.words, range.words, range.prefix))
  );
}

function inCidrWith(range: IpAddress | undefined): (address: unknown) => unknown {
  return (address) => {
    if (typeof address !== "string") return overloadError("inCidr", typeName(address), "string");
    if (range === undefined) return false;
    const parsed = parseIpAddress(address);
    return parsed !== undefined && isInRange(parsed, range);
  };
}

function inCidrDynamic(address: unknown, range: unknown): unknown {
  if (typeof address !== "string" || typeof range !== "string") {
    return overloadError("inCidr", typeName(address), typeName(range));
  }
  const a = parseIpAddress(address);
  const r = parseIpAddress(range);
  return a !== undefined && r !== undefined && isInRange(a, r);
}

const inCidr: FunctionDef = {
  arities: [2],
  compile: ([address, range], offset) => {
    if (address === undefined || range === undefined)
      return fail("inCidr() needs an address and a range", offset);
    // A malformed constant range stays a runtime false: Unleash treats bad entries as non-matching.
    if (range.isConst && typeof range.value === "string") {
      return strict1(inCidrWith(parseIpAddress(range.value)), address, "bool", offset);
    }
    return strict2(inCidrDynamic, address, range, "bool", offset);
  },
};

export const NETWORK_FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map([["inCidr", inCidr]]);
