/** Semantic versions (semver 2.0.0) as expression values: parsing and precedence. */

import { OpaqueValue } from "./opaque.js";

/** A parsed semantic version. Build metadata is kept but ignored by comparison, as semver requires. */
export class Semver extends OpaqueValue {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers: numbers for numeric identifiers, strings otherwise. */
  readonly prerelease: readonly (string | number)[];
  readonly build: string;
  constructor(
    major: number,
    minor: number,
    patch: number,
    prerelease: readonly (string | number)[],
    build: string,
  ) {
    super();
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.prerelease = prerelease;
    this.build = build;
  }

  override toString(): string {
    const pre = this.prerelease.length > 0 ? `-${this.prerelease.join(".")}` : "";
    const build = this.build !== "" ? `+${this.build}` : "";
    return `${this.major}.${this.minor}.${this.patch}${pre}${build}`;
  }
}

const NUMERIC = /^(?:0|[1-9][0-9]*)$/;
const IDENT = /^[0-9A-Za-z-]+$/;
const CORE_STRICT = /^[vV]?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([^+]*))?(?:\+(.*))?$/;
// `normalize` (Kubernetes' second argument) also accepts missing minor/patch and leading zeros.
const CORE_LOOSE = /^[vV]?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([^+]*))?(?:\+(.*))?$/;

/** Parses "1.2.3", "v1.2.3-rc.1+build.5"; returns an explanation string when the text is not a version. */
export function parseSemver(text: string, normalize = false): Semver | string {
  const m = (normalize ? CORE_LOOSE : CORE_STRICT).exec(text);
  if (m === null) return `'${text}' is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.4.2)`;
  const parts = [m[1], m[2], m[3]].map((p) => Number(p ?? "0"));
  if (!parts.every(Number.isSafeInteger)) return `'${text}' has a version number that is too large`;
  const prerelease: (string | number)[] = [];
  const pre = m[4];
  if (pre !== undefined) {
    for (const id of pre.split(".")) {
      if (!IDENT.test(id)) return `'${text}' has an invalid pre-release identifier '${id}'`;
      if (/^[0-9]+$/.test(id)) {
        if (!NUMERIC.test(id)) return `'${text}' has a numeric pre-release identifier with a leading zero`;
        const n = Number(id);
        prerelease.push(Number.isSafeInteger(n) ? n : id);
      } else {
        prerelease.push(id);
      }
    }
  }
  const build = m[5] ?? "";
  if (m[5] !== undefined && !build.split(".").every((id) => IDENT.test(id))) {
    return `'${text}' has invalid build metadata '${build}'`;
  }
  return new Semver(parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, prerelease, build);
}

/** Semver 2.0.0 precedence: -1, 0 or 1. */
export function compareSemver(a: Semver, b: Semver): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const pa = a.prerelease;
  const pb = b.prerelease;
  // A version without pre-release identifiers ranks above one with them.
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x < y ? -1 : 1;
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return String(x) < String(y) ? -1 : 1;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}
