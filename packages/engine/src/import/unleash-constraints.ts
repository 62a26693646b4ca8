/**
 * Unleash constraints, and the context tests of its built-in strategies, as two-sided CEL tests
 * (see unleash-cel.ts) that give the Unleash Node SDK's answer for every context.
 */
import { compileExpression } from "../expr/index.js";
import { parseSemver } from "../expr/semver.js";
import type { Issue } from "../types.js";
import {
  allOf,
  and,
  anyOf,
  attribute,
  type Cel,
  compare,
  isNil,
  list,
  NEVER,
  negate,
  not,
  or,
  primary,
  quote,
  regexLiteral,
  relation,
  type Test,
} from "./unleash-cel.js";
import { parseIpv4, samePattern, subnetPattern } from "./unleash-ip.js";
import type { UnleashConstraint, UnleashOverride } from "./unleash-payload.js";

type Warn = (path: string, message: string, severity?: Issue["severity"]) => void;

/** Fields Unleash's SDK types as strings; custom properties may be numbers, which it compares as String(x). */
const STRING_FIELDS = new Set([
  "userId",
  "sessionId",
  "remoteAddress",
  "environment",
  "appName",
  "currentTime",
]);

/** The attribute's value as Unleash's SDK reads it for operators: its string form. */
const operand = (name: string): string =>
  STRING_FIELDS.has(name) ? attribute(name) : `string(${attribute(name)})`;

/** A test on one attribute: `holds` given as a positive expression, `fails` adds "absent or null". */
function onAttribute(name: string, holds: Cel, failsWhenPresent: Cel): Test {
  return { holds, fails: or(isNil(name), failsWhenPresent) };
}

/** Unleash's `cleanValues`: drops empty values, then trims. */
const clean = (values: readonly string[]): string[] => values.filter((v) => v !== "").map((v) => v.trim());

/** Membership of a value in a list of strings; `value` is the CEL reading it. */
function membership(name: string, value: string, values: readonly string[]): Test {
  if (values.length === 0) return NEVER;
  const holds =
    values.length === 1 ? compare(value, "==", quote(values[0] ?? "")) : compare(value, "in", list(values));
  const fails = values.length === 1 ? compare(value, "!=", quote(values[0] ?? "")) : not(holds);
  return onAttribute(name, holds, fails);
}

/** `value.matches(pattern)`, or undefined when Ramp's RE2 cannot compile the pattern. */
function matches(name: string, pattern: string): Test | undefined {
  if (!compileExpression(`"".matches(${quote(pattern)})`).ok) return undefined;
  const call = primary(`${operand(name)}.matches(${quote(pattern)})`);
  return onAttribute(name, call, not(call));
}

const NUMERAL = "^[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?$";

/** A finite JS number as a CEL double literal. */
function doubleLiteral(n: number): string {
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

const NUM_OPS: Readonly<Record<string, readonly [string, string]>> = {
  NUM_EQ: ["==", "!="],
  NUM_GT: [">", "<="],
  NUM_GTE: [">=", "<"],
  NUM_LT: ["<", ">="],
  NUM_LTE: ["<=", ">"],
};
const SEMVER_OPS: Readonly<Record<string, readonly [string, string]>> = {
  SEMVER_EQ: ["==", "!="],
  SEMVER_GT: [">", "<="],
  SEMVER_GTE: [">=", "<"],
  SEMVER_LT: ["<", ">="],
  SEMVER_LTE: ["<=", ">"],
};

/** The test of one constraint, `inverted` applied. Unknown operators never hold (inverted or not). */
export function constraintTest(c: UnleashConstraint, path: string, warn: Warn): Test {
  const t = operatorTest(c, path, warn);
  if (t === undefined) return NEVER;
  return c.inverted ? negate(t) : t;
}

function operatorTest(c: UnleashConstraint, path: string, warn: Warn): Test | undefined {
  const name = c.contextName;
  const v = operand(name);
  switch (c.operator) {
    case "IN":
      return membership(name, v, clean(c.values));
    case "NOT_IN":
      return negate(membership(name, v, clean(c.values)));
    case "STR_STARTS_WITH":
    case "STR_ENDS_WITH":
    case "STR_CONTAINS":
      return stringTest(c, path, warn);
    case "NUM_EQ":
    case "NUM_GT":
    case "NUM_GTE":
    case "NUM_LT":
    case "NUM_LTE": {
      const n = Number(c.value);
      if (c.value === undefined || !Number.isFinite(n)) {
        if (Number.isNaN(n)) return NEVER;
        warn(
          `${path}.value`,
          `${c.value} is not a finite number: the constraint never matches here`,
          "error",
        );
        return NEVER;
      }
      const [op, inverse] = NUM_OPS[c.operator] ?? ["==", "!="];
      // Unleash compares Number(String(x)); Ramp's double() agrees on numbers and decimal numerals,
      // and a value with no digit ("inf", "nan") is no number to Unleash.
      const a = attribute(name);
      const bound = doubleLiteral(n);
      return onAttribute(
        name,
        and(primary(`${v}.matches("[0-9]")`), relation(`double(${a}) ${op} ${bound}`)),
        or(not(primary(`${v}.matches(${quote(NUMERAL)})`)), relation(`double(${a}) ${inverse} ${bound}`)),
      );
    }
    case "DATE_AFTER":
    case "DATE_BEFORE": {
      // Unleash compares `currentTime` (default: now), whatever the constraint's contextName.
      const at = new Date(c.value ?? "");
      if (Number.isNaN(at.getTime())) return NEVER;
      const now = `(isNil(currentTime) || currentTime == "" ? now() : timestamp(currentTime))`;
      const bound = `timestamp(${quote(at.toISOString())})`;
      const [op, inverse] = c.operator === "DATE_AFTER" ? [">", "<="] : ["<", ">="];
      return { holds: relation(`${now} ${op} ${bound}`), fails: relation(`${now} ${inverse} ${bound}`) };
    }
    case "SEMVER_EQ":
    case "SEMVER_GT":
    case "SEMVER_GTE":
    case "SEMVER_LT":
    case "SEMVER_LTE": {
      const version = semverConstant(c.value);
      if (version === undefined) return NEVER;
      const [op, inverse] = SEMVER_OPS[c.operator] ?? ["==", "!="];
      // Unleash rejects a leading 'v' in the context's version; Ramp's semver() accepts v and V.
      // No number's String() is a version, so only the failing side needs string().
      const a = attribute(name);
      const bound = `semver(${quote(version)})`;
      return onAttribute(
        name,
        and(primary(`${a}.matches("^[0-9]")`), relation(`semver(${a}) ${op} ${bound}`)),
        or(
          not(primary(`isSemver(${v})`)),
          not(primary(`${v}.matches("^[0-9]")`)),
          relation(`semver(${a}) ${inverse} ${bound}`),
        ),
      );
    }
    case "REGEX": {
      if (c.value === undefined) return NEVER;
      const t = matches(name, `${c.caseInsensitive ? "(?i)" : ""}${c.value}`);
      if (t === undefined)
        warn(
          `${path}.value`,
          `regular expression ${JSON.stringify(c.value)} does not compile: the constraint never matches, as in Unleash`,
        );
      return t ?? NEVER;
    }
    case "IN_CIDR":
      return cidrTest(name, clean(c.values));
    default:
      warn(
        `${path}.operator`,
        `unknown operator '${c.operator}': the strategy never matches, as in Unleash's SDKs`,
      );
      return undefined;
  }
}

function stringTest(c: UnleashConstraint, path: string, warn: Warn): Test {
  const name = c.contextName;
  const values = clean(c.values);
  if (values.length === 0) return NEVER;
  if (c.caseInsensitive) {
    // Unleash lower-cases both sides; RE2's (?i) folds case the same way for all but a few letters.
    const alternatives = values.map((v) => regexLiteral(v.toLocaleLowerCase()));
    const body = alternatives.length === 1 ? (alternatives[0] ?? "") : `(?:${alternatives.join("|")})`;
    const pattern =
      c.operator === "STR_STARTS_WITH"
        ? `(?i)^${body}`
        : c.operator === "STR_ENDS_WITH"
          ? `(?i)${body}$`
          : `(?i)${body}`;
    const t = matches(name, pattern);
    if (t !== undefined) return t;
    warn(path, "case-insensitive string constraint could not be written as a regular expression", "error");
    return NEVER;
  }
  const method =
    c.operator === "STR_STARTS_WITH"
      ? "startsWith"
      : c.operator === "STR_ENDS_WITH"
        ? "endsWith"
        : "contains";
  const holds = or(...values.map((x) => primary(`${operand(name)}.${method}(${quote(x)})`)));
  return onAttribute(name, holds, not(holds));
}

/** Unleash parses the constraint's version with npm semver: trimmed, an optional lowercase 'v'. */
function semverConstant(value: string | undefined): string | undefined {
  if (value === undefined || value.length > 256) return undefined;
  const text = value.trim();
  if (text.startsWith("V")) return undefined;
  const parsed = parseSemver(text.startsWith("v") ? text.slice(1) : text);
  return typeof parsed === "string" ? undefined : parsed.toString();
}

/** IN_CIDR: IPv4 ranges as anchored patterns; IPv6 ranges through `inCidr`. */
function cidrTest(name: string, ranges: readonly string[]): Test {
  const v = operand(name);
  // One pattern per range keeps each readable and within RE2's size limits.
  const tests: Test[] = ranges.flatMap((r) => {
    const ip = parseIpv4(r);
    if (ip === undefined) return [];
    const pattern = ip.mask === 32 ? samePattern(ip) : `(?:${samePattern(ip)}|${subnetPattern(ip)})`;
    return [matches(name, `^${pattern}$`) ?? NEVER];
  });
  const v6 = ranges.filter((r) => parseIpv4(r) === undefined && r.includes(":"));
  if (v6.length > 0) {
    const call = or(...v6.map((r) => primary(`inCidr(${v}, ${quote(r)})`)));
    tests.push(onAttribute(name, call, not(call)));
  }
  return tests.length === 0 ? NEVER : anyOf(tests);
}

/** The `remoteAddress` strategy: exact text, or (IPv4 only) inside the range. */
export function remoteAddressTest(ips: string | undefined): Test {
  if (ips === undefined || ips === "") return NEVER;
  const ranges = ips.split(/\s*,\s*/);
  const exact = new Set(ranges);
  const inside: Test[] = [];
  for (const r of ranges) {
    const ip = parseIpv4(r);
    if (ip === undefined) continue;
    // A single address holds only itself, written with or without "/32".
    if (ip.mask === 32) for (const text of [ip.text, `${ip.text}/32`]) exact.add(text);
    else inside.push(matches("remoteAddress", `^${subnetPattern(ip)}$`) ?? NEVER);
  }
  return anyOf([membership("remoteAddress", attribute("remoteAddress"), [...exact]), ...inside]);
}

/** The `userWithId` strategy: the context's userId is one of the listed ids. */
export function userWithIdTest(userIds: string | undefined): Test {
  if (userIds === undefined || userIds === "") return NEVER;
  return membership("userId", attribute("userId"), userIds.split(/\s*,\s*/));
}

/**
 * The `applicationHostname` strategy tests the SDK host's name, which Ramp does not know: the
 * imported rule tests the context attribute `hostname` instead (lower-cased, as Unleash compares).
 */
export function hostnameTest(hostNames: string | undefined): Test {
  if (hostNames === undefined || hostNames === "") return NEVER;
  const names = hostNames.toLowerCase().split(/\s*,\s*/);
  return membership("hostname", "hostname.lowerAscii()", names);
}

/** A variant's overrides: any override's context field has one of its values. */
export function overrideTest(overrides: readonly UnleashOverride[]): Test {
  return anyOf(overrides.map((o) => membership(o.contextName, operand(o.contextName), o.values)));
}

/** All constraints of a strategy (or segment), ANDed. */
export function constraintsTest(constraints: readonly UnleashConstraint[], path: string, warn: Warn): Test {
  return allOf(constraints.map((c, i) => constraintTest(c, `${path}[${i}]`, warn)));
}
