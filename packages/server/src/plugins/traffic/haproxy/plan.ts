/**
 * The pure half of the HAProxy router: which server slot serves which target with which weight, the
 * header map's entries, and the runtime API commands that turn what HAProxy reports into that.
 */
import type { HeaderRoute, StringMatchValue } from "../../../rollouts/rollout.js";

/** HAProxy server weights are 0–256. */
export const MAX_WEIGHT = 256;

/** One server line of `show servers state <backend>`. */
export interface SlotState {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  /** The weight set by the user or the API (srv_uweight). */
  readonly weight: number;
  /** Forced maintenance (srv_admin_state has SRV_ADMF_FMAINT). */
  readonly maint: boolean;
}

/** What a slot must become: a target with a weight, or out of service. */
export type SlotWant =
  | { readonly name: string; readonly addr: string; readonly port: number; readonly weight: number }
  | { readonly name: string; readonly maint: true };

/** Parses `show servers state <backend>` (format version 1). */
export function parseServersState(text: string, backend: string): SlotState[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = lines.find((l) => l.startsWith("# be_id"));
  if (header === undefined)
    throw new Error(`HAProxy: unexpected 'show servers state' answer: ${text.trim()}`);
  const cols = header.slice(2).split(" ");
  const at = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`HAProxy: 'show servers state' has no ${name} column`);
    return i;
  };
  const [be, srv, addr, admin, weight, port] = [
    at("be_name"),
    at("srv_name"),
    at("srv_addr"),
    at("srv_admin_state"),
    at("srv_uweight"),
    at("srv_port"),
  ];
  return lines
    .filter((l) => !l.startsWith("#") && /^\d/.test(l))
    .map((l) => l.split(" "))
    .filter((f) => f[be] === backend)
    .map((f) => ({
      name: f[srv] ?? "",
      addr: f[addr] ?? "",
      port: Number(f[port]),
      weight: Number(f[weight]),
      maint: (Number(f[admin]) & 0x01) !== 0,
    }));
}

/** The backend's slots for a role: `stable`, then `stable-2`, `stable-3`… in that order. */
export function slotsOf(servers: readonly SlotState[], base: string): SlotState[] {
  const index = (name: string) => (name === base ? 1 : Number(name.slice(base.length + 1)));
  return servers
    .filter((s) => s.name === base || new RegExp(`^${escapeRegExp(base)}-[0-9]+$`).test(s.name))
    .sort((a, b) => index(a.name) - index(b.name));
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}

/**
 * Integer weights (0–256) for each stable and each canary server such that the canary's share is as
 * close as HAProxy allows to `percent` (0–100): the best ratio with both weights up to 256.
 */
export function splitWeights(
  percent: number,
  stableServers: number,
  canaryServers: number,
): { stable: number; canary: number } {
  const share = percent / 100;
  if (canaryServers === 0 || share <= 0) return { stable: MAX_WEIGHT, canary: 0 };
  if (share >= 1) return { stable: 0, canary: MAX_WEIGHT };
  let best = { stable: MAX_WEIGHT, canary: 1, error: Number.POSITIVE_INFINITY };
  for (let ws = 1; ws <= MAX_WEIGHT; ws++) {
    const exact = (share * stableServers * ws) / (canaryServers * (1 - share));
    for (const candidate of [Math.floor(exact), Math.ceil(exact)]) {
      const wc = Math.min(MAX_WEIGHT, Math.max(1, candidate));
      const got = (canaryServers * wc) / (canaryServers * wc + stableServers * ws);
      const error = Math.abs(got - share);
      // Ties go to the larger weights: finer steps when the weights change next.
      if (error < best.error - 1e-12 || (Math.abs(error - best.error) <= 1e-12 && ws > best.stable))
        best = { stable: ws, canary: wc, error };
    }
  }
  return { stable: best.stable, canary: best.canary };
}

/** The commands that take the slots from `have` to `want`; none when they already match. */
export function slotCommands(
  backend: string,
  have: readonly SlotState[],
  want: readonly SlotWant[],
): string[] {
  const out: string[] = [];
  for (const w of want) {
    const h = have.find((s) => s.name === w.name);
    const server = `${backend}/${w.name}`;
    if ("maint" in w) {
      if (h?.maint !== true) out.push(`set server ${server} state maint`);
      continue;
    }
    if (h === undefined || h.addr !== w.addr || h.port !== w.port)
      out.push(`set server ${server} addr ${w.addr} port ${w.port}`);
    if (h === undefined || h.weight !== w.weight) out.push(`set server ${server} weight ${w.weight}`);
    if (h === undefined || h.maint) out.push(`set server ${server} state ready`);
  }
  return out;
}

/** A PCRE pattern matching `s` literally. */
function pcreLiteral(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}/-]/g, "\\$&");
}

function valuePattern(m: StringMatchValue): string {
  if ("exact" in m) return pcreLiteral(m.exact);
  if ("prefix" in m) return `${pcreLiteral(m.prefix)}[^\\r\\n]*`;
  return `(?:${m.regex})`;
}

/**
 * The header map's key for one match: a regex on `req.hdrs` (the request's header block, names in
 * lower case, one `name: value` per line) that holds when the header's whole value matches. A map
 * key ends at whitespace, so whitespace is written as escapes.
 */
export function headerMapKey(headerName: string, value: StringMatchValue): string {
  const key = `(?:^|\\n)${pcreLiteral(headerName.toLowerCase())}:[\\t\\x20]*${valuePattern(value)}[\\t\\x20]*\\r?(?:\\n|$)`;
  return key
    .replace(/\\? /g, "\\x20")
    .replace(/\t/g, "\\t")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/[\f\v]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Map entries (key → route name) for the header routes, in order, without repeated keys. */
export function headerMapEntries(routes: readonly HeaderRoute[]): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const r of routes)
    for (const m of r.match) {
      const key = headerMapKey(m.headerName, m.headerValue);
      if (!out.some((e) => e.key === key)) out.push({ key, value: r.name.replace(/[^A-Za-z0-9_.:-]/g, "_") });
    }
  return out;
}

/** Parses `show map <file>`: one `<id> <key> <value>` per line. */
export function parseMap(text: string): { key: string; value: string }[] {
  return text
    .split("\n")
    .map((l) => /^0x[0-9a-f]+ (\S+) (.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[1] ?? "", value: m[2] ?? "" }));
}
